/**
 * Which ONNX Runtime execution provider runs the forward passes. Pure: the probe of what is present
 * (ort-probe.ts) and the user's forced choice come in, a provider and the reason go out, so every
 * platform's rule is unit-tested on any machine. Types only: safe to import from main.
 */

export const EXECUTION_PROVIDERS = ['cpu', 'dml', 'coreml', 'cuda'] as const;
export type ExecutionProviderName = (typeof EXECUTION_PROVIDERS)[number];

/** What `--device` and the Settings view accept: a provider, or auto (the best one present). */
export const DEVICE_CHOICES = ['auto', ...EXECUTION_PROVIDERS] as const;
export type DeviceChoice = (typeof DEVICE_CHOICES)[number];

const DEVICE_ALIASES: Record<string, DeviceChoice> = {
  auto: 'auto',
  cpu: 'cpu',
  dml: 'dml',
  directml: 'dml',
  coreml: 'coreml',
  cuda: 'cuda',
  cuda12: 'cuda',
};

export class UnknownDeviceError extends Error {}

/** Maps what a user types (--device, LDS_DEVICE, the setting) to a choice, or fails naming the choices. */
export function parseDevice(name: string | null | undefined): DeviceChoice {
  if (name === null || name === undefined || name.trim() === '') return 'auto';
  const found = DEVICE_ALIASES[name.trim().toLowerCase()];
  if (!found) throw new UnknownDeviceError(`unknown device "${name}": choose one of ${DEVICE_CHOICES.join(', ')}`);
  return found;
}

/** The GPU provider each platform's ONNX Runtime build can carry. */
export const PLATFORM_GPU_PROVIDER: Partial<Record<NodeJS.Platform, ExecutionProviderName>> = {
  win32: 'dml',
  darwin: 'coreml',
  linux: 'cuda',
};

export interface ProviderProbe {
  name: ExecutionProviderName;
  /** Present and loadable as far as a file check can tell (the session may still refuse it). */
  present: boolean;
  /** Why it is present or not, in words a user can act on. */
  detail: string;
}

export interface ProviderState {
  name: ExecutionProviderName;
  state: 'active' | 'available' | 'unavailable';
  detail: string;
}

export interface ProviderChoice {
  provider: ExecutionProviderName;
  forced: ExecutionProviderName | null;
  reason: string;
  providers: ProviderState[];
}

/**
 * auto: the platform's GPU provider where present, CPU otherwise. A forced provider runs where
 * present; where not, CPU runs and the reason says what was asked for and why it could not be.
 */
export function selectExecutionProvider(input: {
  platform: NodeJS.Platform;
  probes: readonly ProviderProbe[];
  device: DeviceChoice;
}): ProviderChoice {
  const { platform, probes, device } = input;
  const probe = (name: ExecutionProviderName): ProviderProbe | undefined => probes.find((p) => p.name === name);
  const present = (name: ExecutionProviderName): boolean => name === 'cpu' || probe(name)?.present === true;
  const why = (name: ExecutionProviderName): string => probe(name)?.detail ?? `not part of ONNX Runtime on ${platform}`;
  const gpu = PLATFORM_GPU_PROVIDER[platform] ?? null;
  let provider: ExecutionProviderName = 'cpu';
  let reason: string;
  if (device === 'cpu') {
    reason = 'forced to cpu';
  } else if (device !== 'auto') {
    if (PLATFORM_GPU_PROVIDER[platform] !== device) {
      reason = `${device} was asked for but ONNX Runtime has no ${device} provider on ${platform}${gpu ? ` (here: ${gpu})` : ''}; running on cpu`;
    } else if (present(device)) {
      provider = device;
      reason = `forced to ${device}`;
    } else {
      reason = `${device} was asked for but is unavailable (${why(device)}); running on cpu`;
    }
  } else if (!gpu) {
    reason = `no GPU provider for ${platform}: cpu`;
  } else if (present(gpu)) {
    provider = gpu;
    reason = `${gpu} is present (${why(gpu)})`;
  } else {
    reason = `cpu: ${gpu} is unavailable (${why(gpu)})`;
  }
  const names: ExecutionProviderName[] = ['cpu', ...(gpu ? [gpu] : [])];
  return {
    provider,
    forced: device === 'auto' ? null : device,
    reason,
    providers: names.map((name) => ({
      name,
      state: name === provider ? 'active' : present(name) ? 'available' : 'unavailable',
      detail: name === 'cpu' ? 'always (bundled with onnxruntime-node)' : why(name),
    })),
  };
}

/** Where a session that refused its provider lands: CPU, with the refusal in the reason. */
export function fallBackToCpu(choice: ProviderChoice, error: string): ProviderChoice {
  const failed = choice.provider;
  return {
    ...choice,
    provider: 'cpu',
    reason: `${failed} failed to start (${error}); running on cpu`,
    providers: choice.providers.map((p) =>
      p.name === 'cpu'
        ? { ...p, state: 'active' }
        : p.name === failed
          ? { ...p, state: 'unavailable', detail: `failed to start: ${error}` }
          : p,
    ),
  };
}
