import type { BackboneSpec } from '../backbone-spec';
import { addBackboneToRegistry } from '../keras/add-backbone';
import type { BackboneJson } from '../keras/save-backbone';
import type { DownloadProgress } from './download';
import { downloadKerasWeights, officialWeights, type DownloadWeightsOptions } from './keras-weights';

export interface InstallOfficialOptions extends DownloadWeightsOptions {
  /** Where the .h5 is kept (so a later run can resume or re-import it). */
  downloadsDir: string;
  /** The workspace backbone registry folder. */
  registryDir: string;
  onProgress?: (progress: DownloadProgress) => void;
}

/**
 * One click: fetch an official Keras Applications weights file (resumable, checksummed), rebuild
 * the architecture around it and store it in the registry. Offline, this throws OfflineError whose
 * message names the file, its URL and `lds backbones add <file.h5>`.
 */
export async function installOfficialBackbone(
  id: string,
  options: InstallOfficialOptions,
): Promise<{ spec: BackboneSpec; backbone: BackboneJson; file: string; fileSha256: string }> {
  const weights = officialWeights(id);
  const downloaded = await downloadKerasWeights(id, options.downloadsDir, options);
  options.signal?.throwIfAborted();
  const { spec, backbone } = await addBackboneToRegistry(downloaded.path, options.registryDir, {
    // The official id names it in the registry too: `lds backbones download vgg16` → backbone vgg16.
    id: weights.id,
    arch: weights.arch,
    inputSize: weights.inputSize,
    name: `${weights.label.split(' (')[0]} (Keras Applications, ImageNet)`,
  });
  return { spec, backbone, file: downloaded.path, fileSha256: downloaded.sha256 };
}
