import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ArchName } from '../keras/architectures';
import { downloadFile, hashFile, type DownloadOptions, type DownloadResult } from './download';

export interface OfficialWeights {
  id: string;
  label: string;
  arch: ArchName;
  alpha: number | null;
  inputSize: number;
  file: string;
  url: string;
  /**
   * The md5 Keras itself checks (keras.applications file_hash). Keras publishes none for
   * MobileNet v2, so that file is only checked for being a readable HDF5 of the right shapes on
   * import; its sha256 is recorded when downloaded.
   */
  md5: string | null;
}

const BASE = 'https://storage.googleapis.com/tensorflow/keras-applications';

export const OFFICIAL_KERAS_WEIGHTS: readonly OfficialWeights[] = [
  {
    id: 'vgg16',
    label: 'VGG16 (ImageNet, no top) — 58.9 MB',
    arch: 'vgg16',
    alpha: null,
    inputSize: 224,
    file: 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: `${BASE}/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    md5: '6d6bbae143d832006294945121d1f1fc',
  },
  {
    id: 'mobilenet_v2_1.0_224',
    label: 'MobileNet v2 1.0 224 (ImageNet, no top)',
    arch: 'mobilenet_v2',
    alpha: 1,
    inputSize: 224,
    file: 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5',
    url: `${BASE}/mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5`,
    md5: null,
  },
  {
    id: 'resnet50',
    label: 'ResNet50 (ImageNet, no top)',
    arch: 'resnet50',
    alpha: null,
    inputSize: 224,
    file: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
    url: `${BASE}/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5`,
    md5: '4d473c1dd8becc155b73f8504c6f6626',
  },
];

export function officialWeights(id: string): OfficialWeights {
  const found = OFFICIAL_KERAS_WEIGHTS.find((w) => w.id === id);
  if (!found) throw new Error(`unknown Keras weights ${id}: one of ${OFFICIAL_KERAS_WEIGHTS.map((w) => w.id).join(', ')}`);
  return found;
}

/** What to tell a user who has no network: the file, where it lives, and how to add it by hand. */
export function manualAddHint(weights: OfficialWeights): string {
  return `Download ${weights.file} from ${weights.url} on a connected machine, copy it here, then add it with: lds backbones add ${weights.file} (or Settings → Backbones → Add file)`;
}

export interface DownloadWeightsOptions extends Pick<DownloadOptions, 'onProgress' | 'signal'> {
  /** Overrides the official URL (tests, mirrors). */
  url?: string;
  /** A sha256 recorded earlier for this file; checked in addition to Keras' md5. */
  sha256?: string;
}

/**
 * Fetches one official Keras Applications weights file into dir (resuming a partial download),
 * verified against Keras' published md5. An already complete, verified file is not fetched again.
 */
export async function downloadKerasWeights(id: string, dir: string, options: DownloadWeightsOptions = {}): Promise<DownloadResult> {
  const weights = officialWeights(id);
  const dest = join(dir, weights.file);
  const url = options.url ?? weights.url;
  if (existsSync(dest)) {
    const hashes = await hashFile(dest);
    const okMd5 = !weights.md5 || hashes.md5 === weights.md5;
    const okSha = !options.sha256 || hashes.sha256 === options.sha256;
    if (okMd5 && okSha) return { path: dest, bytes: statSync(dest).size, ...hashes, resumedFrom: 0 };
  }
  return downloadFile({
    url,
    dest,
    md5: weights.md5 ?? undefined,
    sha256: options.sha256,
    onProgress: options.onProgress,
    signal: options.signal,
    offlineHint: manualAddHint(weights),
  });
}
