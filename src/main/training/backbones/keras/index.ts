export { ARCH_NAMES, archPreprocessing, buildArchitecture, topBlockLayers, type ArchName } from './architectures';
export { KerasH5Error, checkHdf5Header, loadH5wasm, readKerasWeightsFile, type KerasWeightsFile } from './h5-file';
export {
  importKerasH5,
  inferArchitecture,
  sha256File,
  type BackboneInfo,
  type BackboneSource,
  type ImportKerasOptions,
  type ImportedBackbone,
} from './import-keras';
export { saveBackbone, type BackboneJson } from './save-backbone';
export {
  addBackboneToRegistry,
  defaultBackboneId,
  importBackboneSource,
  type BackboneSourceOptions,
  type LoadedSource,
} from './add-backbone';
