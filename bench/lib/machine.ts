import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release } from 'node:os';
import { join } from 'node:path';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  /** The SIMD and related flags that matter to the backends, from /proc/cpuinfo. */
  flags: string[];
  memoryGiB: number;
  kernel: string;
  loadBefore: number[];
  loadAfter?: number[];
}

const INTERESTING_FLAGS = [
  'sse4_1',
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'f16c',
  'avx512f',
  'avx512bw',
  'avx512vl',
  'avx512_vnni',
  'avx512_bf16',
  'amx_tile',
];

export function readMachine(): MachineInfo {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: fall back to os.cpus()
  }
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const flags = new Set((/^flags\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? '').split(/\s+/));
  return {
    cpuModel: model,
    cores: cpus().length,
    flags: INTERESTING_FLAGS.filter((f) => flags.has(f)),
    memoryGiB: totalmem() / 1024 ** 3,
    kernel: release(),
    loadBefore: loadavg(),
  };
}

/** Read from node_modules directly: some packages (sharp) do not export their package.json. */
export function packageVersion(root: string, name: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? null;
  } catch {
    return null;
  }
}
