import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundledBackbone, bundledBackboneDir } from '../backbones/backbone-inspect';
import { selectBackend } from './backends';
import { runDoctorBench, type DoctorBench } from './doctor-bench';
import { installWasmGradients } from './wasm-gradients';

/**
 * `lds doctor --bench` in the calling process: activates the backend training would use (forced
 * one included), then times the bundled backbone's features and a scratch step and checks the
 * gradients. Without the bundled model, the feature figure is null.
 */
export async function benchInThisProcess(
  resourcesDir: string,
  options: { backend?: string | null; device?: string | null; onProgress?: (message: string) => void } = {},
): Promise<DoctorBench> {
  await selectBackend({ force: options.backend ?? null, onWasmReady: installWasmGradients });
  const backbone = existsSync(join(bundledBackboneDir(resourcesDir), 'model.json')) ? bundledBackbone(resourcesDir) : null;
  return runDoctorBench({ backbone, device: options.device ?? null, onProgress: options.onProgress });
}
