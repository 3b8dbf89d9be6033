import { describe, expect, it } from 'vitest';
import {
  fallBackToCpu,
  parseDevice,
  selectExecutionProvider,
  UnknownDeviceError,
  type ProviderProbe,
} from '../../../../src/main/training/forward/execution-provider';
import { probeProviders, type OrtRuntime } from '../../../../src/main/training/forward/ort-probe';

const cpu: ProviderProbe = { name: 'cpu', present: true, detail: 'bundled' };
const dml = (present: boolean): ProviderProbe => ({ name: 'dml', present, detail: present ? 'DirectML bundled' : 'DirectML.dll missing' });
const coreml = (present: boolean): ProviderProbe => ({
  name: 'coreml',
  present,
  detail: present ? 'CoreML bundled' : 'no CoreML provider',
});
const cuda = (present: boolean): ProviderProbe => ({
  name: 'cuda',
  present,
  detail: present ? 'CUDA 12 provider and libraries found' : 'CUDA 12 provider not installed',
});

describe('selectExecutionProvider', () => {
  it.each([
    ['win32', [cpu, dml(true)], 'dml'],
    ['darwin', [cpu, coreml(true)], 'coreml'],
    ['linux', [cpu, cuda(true)], 'cuda'],
    ['linux', [cpu, cuda(false)], 'cpu'],
    ['win32', [cpu, dml(false)], 'cpu'],
    ['freebsd', [cpu], 'cpu'],
  ] as const)('auto on %s with %j → %s', (platform, probes, provider) => {
    const choice = selectExecutionProvider({ platform, probes, device: 'auto' });
    expect(choice.provider).toBe(provider);
    expect(choice.forced).toBeNull();
    expect(choice.providers.find((p) => p.name === provider)?.state).toBe('active');
  });

  it('says why the GPU provider is not used', () => {
    const choice = selectExecutionProvider({ platform: 'linux', probes: [cpu, cuda(false)], device: 'auto' });
    expect(choice.reason).toBe('cpu: cuda is unavailable (CUDA 12 provider not installed)');
    expect(choice.providers).toEqual([
      { name: 'cpu', state: 'active', detail: 'always (bundled with onnxruntime-node)' },
      { name: 'cuda', state: 'unavailable', detail: 'CUDA 12 provider not installed' },
    ]);
    expect(selectExecutionProvider({ platform: 'win32', probes: [cpu, dml(true)], device: 'auto' }).reason).toBe(
      'dml is present (DirectML bundled)',
    );
  });

  it('a forced cpu wins over a present GPU', () => {
    const choice = selectExecutionProvider({ platform: 'win32', probes: [cpu, dml(true)], device: 'cpu' });
    expect(choice).toMatchObject({ provider: 'cpu', forced: 'cpu', reason: 'forced to cpu' });
    expect(choice.providers.map((p) => p.state)).toEqual(['active', 'available']);
  });

  it('a forced GPU provider runs where present, else CPU says what was asked and why not', () => {
    expect(selectExecutionProvider({ platform: 'linux', probes: [cpu, cuda(true)], device: 'cuda' })).toMatchObject({
      provider: 'cuda',
      forced: 'cuda',
      reason: 'forced to cuda',
    });
    expect(selectExecutionProvider({ platform: 'linux', probes: [cpu, cuda(false)], device: 'cuda' })).toMatchObject({
      provider: 'cpu',
      forced: 'cuda',
      reason: 'cuda was asked for but is unavailable (CUDA 12 provider not installed); running on cpu',
    });
    // A provider of another platform: never tried.
    expect(selectExecutionProvider({ platform: 'linux', probes: [cpu, cuda(true)], device: 'dml' })).toMatchObject({
      provider: 'cpu',
      reason: 'dml was asked for but ONNX Runtime has no dml provider on linux (here: cuda); running on cpu',
    });
    expect(selectExecutionProvider({ platform: 'darwin', probes: [cpu, coreml(true)], device: 'cuda' }).provider).toBe('cpu');
  });

  it('a provider that fails to start lands on CPU with the error', () => {
    const choice = fallBackToCpu(
      selectExecutionProvider({ platform: 'win32', probes: [cpu, dml(true)], device: 'auto' }),
      'no DirectX 12 device',
    );
    expect(choice.provider).toBe('cpu');
    expect(choice.reason).toBe('dml failed to start (no DirectX 12 device); running on cpu');
    expect(choice.providers).toEqual([
      { name: 'cpu', state: 'active', detail: 'always (bundled with onnxruntime-node)' },
      { name: 'dml', state: 'unavailable', detail: 'failed to start: no DirectX 12 device' },
    ]);
  });
});

describe('parseDevice', () => {
  it('reads what users type, and names the choices for a typo', () => {
    expect(parseDevice(undefined)).toBe('auto');
    expect(parseDevice(' ')).toBe('auto');
    expect(parseDevice('DirectML')).toBe('dml');
    expect(parseDevice('cuda12')).toBe('cuda');
    expect(parseDevice('CPU')).toBe('cpu');
    expect(() => parseDevice('tpu')).toThrow(UnknownDeviceError);
    expect(() => parseDevice('tpu')).toThrow('unknown device "tpu": choose one of auto, cpu, dml, coreml, cuda');
  });
});

describe('probeProviders', () => {
  const runtime = (supported: string[]): OrtRuntime => ({
    version: '1.30.0',
    supported: supported.map((name) => ({ name, bundled: name !== 'cuda' })),
    binDir: '/nonexistent/bin',
  });

  it('Linux: CUDA needs the opt-in provider library, then the CUDA 12 libraries', () => {
    const probes = probeProviders(runtime(['cpu', 'cuda']), 'linux', () => ({}));
    expect(probes).toEqual([
      { name: 'cpu', present: true, detail: 'bundled' },
      {
        name: 'cuda',
        present: false,
        detail: 'CUDA 12 provider not installed: npm install --onnxruntime-node-install=cuda12 (needs CUDA 12 and cuDNN 9)',
      },
    ]);
    expect(probeProviders(runtime(['cpu']), 'linux', () => ({}))[1]).toMatchObject({
      present: false,
      detail: 'this onnxruntime-node build has no CUDA provider',
    });
  });

  it('macOS: CoreML when the build has it; Windows: DirectML needs its DLL', () => {
    expect(probeProviders(runtime(['cpu', 'coreml']), 'darwin')[1]).toEqual({ name: 'coreml', present: true, detail: 'CoreML bundled' });
    expect(probeProviders(runtime(['cpu', 'dml']), 'win32')[1]).toMatchObject({
      name: 'dml',
      present: false,
      detail: 'DirectML.dll missing from /nonexistent/bin',
    });
  });

  it('this machine: the real binding lists its providers and cpu is always there', async () => {
    const { loadOrtRuntime } = await import('../../../../src/main/training/forward/ort-probe');
    const loaded = loadOrtRuntime();
    if ('error' in loaded) throw new Error(loaded.error);
    expect(loaded.runtime.version).toMatch(/^1\.\d+\.\d+$/);
    expect(loaded.runtime.supported.map((s) => s.name)).toContain('cpu');
    const choice = selectExecutionProvider({ platform: process.platform, probes: probeProviders(loaded.runtime), device: 'auto' });
    expect(choice.providers[0]).toMatchObject({ name: 'cpu' });
  });
});
