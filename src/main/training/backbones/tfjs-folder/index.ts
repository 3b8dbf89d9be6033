export {
  TfjsFolderError,
  readTeachableMachineMetadata,
  validateTfjsFolder,
  type ModelJson,
  type TeachableMachineMetadata,
  type ValidatedFolder,
} from './validate';
export {
  disposeModelDeep,
  importTfjsFolder,
  innermostBase,
  listFeatureLayers,
  loadTfjsFolderModel,
  recogniseArchitecture,
  type FeatureLayerCandidate,
  type FeatureLayerList,
  type ImportFolderOptions,
  type ImportedFolder,
} from './import-folder';
