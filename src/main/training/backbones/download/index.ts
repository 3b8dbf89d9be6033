export {
  ChecksumError,
  DownloadError,
  DownloadInterruptedError,
  OfflineError,
  downloadFile,
  hashFile,
  type DownloadOptions,
  type DownloadProgress,
  type DownloadResult,
} from './download';
export {
  OFFICIAL_KERAS_WEIGHTS,
  downloadKerasWeights,
  manualAddHint,
  officialWeights,
  type DownloadWeightsOptions,
  type OfficialWeights,
} from './keras-weights';
export { installOfficialBackbone, type InstallOfficialOptions } from './install-official';
