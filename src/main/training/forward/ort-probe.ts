import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { findSharedLibraries } from '../worker/backends';
import type * as Ort from 'onnxruntime-node';
import type { ProviderProbe } from './execution-provider';

const nodeRequire = createRequire(__filename);

/** Libraries ONNX Runtime 1.30's CUDA provider links against (CUDA 12.x, cuDNN 9) plus the driver. */
export const CUDA12_LIBRARIES = ['libcuda.so.1', 'libcudart.so.12', 'libcublasLt.so.12', 'libcudnn.so.9'] as const;

export const CUDA_INSTALL_HINT = 'npm install --onnxruntime-node-install=cuda12 (needs CUDA 12 and cuDNN 9)';

export interface OrtRuntime {
  version: string;
  /** The providers this build of the binding knows (bundled or installable). */
  supported: { name: string; bundled: boolean }[];
  /** The folder holding the binding and its libraries. */
  binDir: string;
}

/** Loads onnxruntime-node (training process only) and says what it ships; null with the load error when it cannot load. */
export function loadOrtRuntime(): { runtime: OrtRuntime; ort: typeof Ort } | { error: string } {
  try {
    // Required here, not imported: a binding that cannot load becomes a reason, not a crashed process.
    const ort = nodeRequire('onnxruntime-node') as typeof Ort;
    const pkgDir = dirname(nodeRequire.resolve('onnxruntime-node/package.json'));
    return {
      ort,
      runtime: {
        version: ort.env.versions.node ?? ort.env.versions.common,
        supported: ort.listSupportedBackends(),
        binDir: join(pkgDir, 'bin', 'napi-v6', process.platform, process.arch),
      },
    };
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] ?? String(error) };
  }
}

/** What the file system says about each GPU provider of this platform (the session is the final word). */
export function probeProviders(
  runtime: OrtRuntime,
  platform: NodeJS.Platform = process.platform,
  findLibraries = findSharedLibraries,
): ProviderProbe[] {
  const knows = (name: string): boolean => runtime.supported.some((s) => s.name === name);
  const probes: ProviderProbe[] = [{ name: 'cpu', present: true, detail: 'bundled' }];
  if (platform === 'win32') {
    const dll = existsSync(join(runtime.binDir, 'DirectML.dll'));
    probes.push({
      name: 'dml',
      present: knows('dml') && dll,
      detail: dll ? 'DirectML bundled (any DirectX 12 GPU)' : `DirectML.dll missing from ${runtime.binDir}`,
    });
  } else if (platform === 'darwin') {
    probes.push({
      name: 'coreml',
      present: knows('coreml'),
      detail: knows('coreml') ? 'CoreML bundled' : 'this onnxruntime-node build has no CoreML provider',
    });
  } else if (platform === 'linux') {
    const providerLib = join(runtime.binDir, 'libonnxruntime_providers_cuda.so');
    if (!knows('cuda')) probes.push({ name: 'cuda', present: false, detail: 'this onnxruntime-node build has no CUDA provider' });
    else if (!existsSync(providerLib))
      probes.push({ name: 'cuda', present: false, detail: `CUDA 12 provider not installed: ${CUDA_INSTALL_HINT}` });
    else {
      const found = findLibraries(CUDA12_LIBRARIES);
      const missing = CUDA12_LIBRARIES.filter((l) => !found[l]);
      probes.push({
        name: 'cuda',
        present: missing.length === 0,
        detail: missing.length
          ? `provider installed, but ${missing.join(', ')} not found (CUDA 12 runtime, cuDNN 9, NVIDIA driver)`
          : 'CUDA 12 provider and libraries found',
      });
    }
  }
  return probes;
}
