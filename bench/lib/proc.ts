import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcessPeak {
  pid: number;
  command: string;
  /** VmHWM: the peak resident set size the kernel recorded for that process. */
  peakRssBytes: number;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
  timedOut: boolean;
  /** The spawned process itself. */
  root: ProcessPeak | null;
  /** Every descendant seen while it ran (the training process is one of these). */
  descendants: ProcessPeak[];
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  sampleMs?: number;
  /** Streams stderr lines as they come (progress) — e.g. to echo them in verbose mode. */
  onStderr?: (chunk: string) => void;
}

/** "VmHWM:    123456 kB" → bytes; null when the process is gone or the kernel lacks the field. */
export function parseVmHwm(status: string): number | null {
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

/** The parent pid from /proc/<pid>/stat; the command name may hold spaces and parentheses. */
export function parseStatPpid(stat: string): number | null {
  const end = stat.lastIndexOf(')');
  if (end < 0) return null;
  const fields = stat.slice(end + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProc(Number(name), 'stat');
    const ppid = stat ? parseStatPpid(stat) : null;
    if (ppid == null) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

function commandOf(pid: number): string {
  const raw = readProc(pid, 'cmdline');
  return raw ? raw.split('\0').filter(Boolean).join(' ') : `pid ${pid}`;
}

/**
 * Runs a command as a child process and watches its whole process tree, keeping each process's peak
 * RSS (VmHWM) — the CLI forks its training process, and that is the one whose memory matters.
 */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a timeout can end the whole tree
  });
  const peaks = new Map<number, ProcessPeak>();
  const sample = (): void => {
    if (child.pid == null) return;
    for (const pid of [child.pid, ...descendantsOf(child.pid)]) {
      const status = readProc(pid, 'status');
      const hwm = status ? parseVmHwm(status) : null;
      if (hwm == null) continue;
      const known = peaks.get(pid);
      if (known) known.peakRssBytes = Math.max(known.peakRssBytes, hwm);
      else peaks.set(pid, { pid, command: commandOf(pid), peakRssBytes: hwm });
    }
  };
  sample();
  const sampler = setInterval(sample, options.sampleMs ?? 150);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    options.onStderr?.(d);
  });
  let timedOut = false;
  const timer =
    options.timeoutMs != null
      ? setTimeout(() => {
          timedOut = true;
          try {
            if (child.pid != null) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }, options.timeoutMs)
      : null;
  return new Promise((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearInterval(sampler);
      if (timer) clearTimeout(timer);
      const root = child.pid != null ? (peaks.get(child.pid) ?? null) : null;
      resolve({
        code,
        signal,
        stdout,
        stderr,
        seconds: (performance.now() - started) / 1000,
        timedOut,
        root,
        descendants: [...peaks.values()].filter((p) => p.pid !== child.pid),
      });
    };
    child.on('error', (error) => {
      stderr += `\n${error.message}`;
      finish(null, null);
    });
    child.on('close', finish);
  });
}

/** The last stdout line that parses as a JSON object (design.md: --json prints one as the last line). */
export function parseLastJson(stdout: string): Record<string, unknown> | null {
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!line.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // a progress line that merely starts with a brace
    }
  }
  return null;
}

/** One line saying why a command produced no usable result. */
export function failureReason(result: RunResult, what: string): string | null {
  if (result.timedOut) return `${what} timed out after ${result.seconds.toFixed(0)} s`;
  if (result.code !== 0) {
    const last = meaningfulLine(result.stderr) ?? meaningfulLine(result.stdout) ?? `exit ${result.code ?? result.signal}`;
    return `${what} failed: ${truncate(last, 200)}`;
  }
  if (parseLastJson(result.stdout) == null) {
    const hint = lastLine(result.stderr);
    return `${what} printed no JSON result${hint ? ` (${truncate(hint, 160)})` : ' (command not implemented yet?)'}`;
  }
  return null;
}

/**
 * The line that says what went wrong: the last "SomethingError: ..." or "lds: ..." line, else the last
 * line that is not stack-trace noise (frames, "Node.js v20", braces, carets, "code: ...").
 */
export function meaningfulLine(text: string): string | null {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^(\w*Error\b|lds: |Error \[)/.test(lines[i]!)) return lines[i]!;
  }
  const noise = /^(at |Node\.js v|[{}()[\]^]+$|code: |errno: |syscall: |path: |requireStack)/;
  for (let i = lines.length - 1; i >= 0; i--) if (!noise.test(lines[i]!)) return lines[i]!;
  return null;
}

export function lastLine(text: string): string | null {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length ? lines[lines.length - 1]! : null;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The largest peak among a run's processes, with which process it was. */
export function largestPeak(result: RunResult): ProcessPeak | null {
  const all = [...(result.root ? [result.root] : []), ...result.descendants];
  return all.reduce<ProcessPeak | null>((best, p) => (best == null || p.peakRssBytes > best.peakRssBytes ? p : best), null);
}
