import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';

export class DownloadError extends Error {}
/** No network, or the host cannot be reached: the message says how to get the file by hand. */
export class OfflineError extends DownloadError {}
/** The connection dropped part-way; the .part file is kept and the next attempt resumes. */
export class DownloadInterruptedError extends DownloadError {}
export class ChecksumError extends DownloadError {}

export interface DownloadProgress {
  received: number;
  /** Null when the server does not say. */
  total: number | null;
  /** Bytes already on disk from an earlier, interrupted attempt. */
  resumedFrom: number;
}

export interface DownloadOptions {
  url: string;
  dest: string;
  sha256?: string;
  md5?: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Extra advice appended to the offline message (e.g. how to add the file by hand). */
  offlineHint?: string;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  md5: string;
  resumedFrom: number;
}

const OFFLINE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNRESET',
]);

function errorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

export function hashFile(file: string): Promise<{ sha256: string; md5: string }> {
  return new Promise((resolve, reject) => {
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    createReadStream(file)
      .on('data', (chunk) => {
        sha.update(chunk);
        md5.update(chunk);
      })
      .on('error', reject)
      .on('end', () => resolve({ sha256: sha.digest('hex'), md5: md5.digest('hex') }));
  });
}

async function verify(file: string, options: DownloadOptions): Promise<{ sha256: string; md5: string }> {
  const hashes = await hashFile(file);
  const name = basename(options.dest);
  if (options.sha256 && hashes.sha256 !== options.sha256.toLowerCase()) {
    throw new ChecksumError(
      `${name}: sha256 is ${hashes.sha256}, expected ${options.sha256} (from ${options.url}); the download was discarded`,
    );
  }
  if (options.md5 && hashes.md5 !== options.md5.toLowerCase()) {
    throw new ChecksumError(`${name}: md5 is ${hashes.md5}, expected ${options.md5} (from ${options.url}); the download was discarded`);
  }
  return hashes;
}

function parseContentRange(header: string | null): { start: number; total: number | null } | null {
  const match = header ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim()) : null;
  if (!match) return null;
  return { start: Number(match[1]), total: match[2] === '*' ? null : Number(match[2]) };
}

/**
 * Downloads url to dest through dest + '.part', resuming an earlier partial download with an HTTP
 * Range request. The finished file is checked (sha256 and/or md5) before it is renamed into place;
 * a mismatch deletes it, so a bad file is never left where the app would pick it up.
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const { url, dest, onProgress, signal } = options;
  const part = `${dest}.part`;
  mkdirSync(dirname(dest), { recursive: true });
  let resumedFrom = existsSync(part) ? statSync(part).size : 0;

  let response: Response;
  try {
    response = await fetch(url, { headers: resumedFrom > 0 ? { Range: `bytes=${resumedFrom}-` } : {}, signal, redirect: 'follow' });
  } catch (error) {
    if (signal?.aborted) throw error;
    const code = errorCode(error);
    const hint = options.offlineHint ? `. ${options.offlineHint}` : '';
    if (code && OFFLINE_CODES.has(code))
      throw new OfflineError(`cannot download ${basename(dest)} from ${url} (${code}: no network connection?)${hint}`);
    throw new DownloadError(`cannot download ${basename(dest)} from ${url} (${code ?? (error as Error).message})${hint}`);
  }

  if (response.status === 416 && resumedFrom > 0) {
    // The .part already holds the whole file (the last attempt died before renaming it).
    await response.body?.cancel();
    return finish(part, options, resumedFrom, resumedFrom);
  }
  let append = false;
  let total: number | null;
  if (response.status === 206) {
    const range = parseContentRange(response.headers.get('content-range'));
    if (!range || range.start !== resumedFrom) {
      await response.body?.cancel();
      rmSync(part, { force: true });
      throw new DownloadError(
        `${basename(dest)}: ${url} answered a resume with an unexpected range (${response.headers.get('content-range')}); run the download again`,
      );
    }
    append = true;
    total = range.total;
  } else if (response.ok) {
    resumedFrom = 0;
    const length = response.headers.get('content-length');
    total = length ? Number(length) : null;
  } else {
    await response.body?.cancel();
    throw new DownloadError(`cannot download ${basename(dest)}: ${url} answered HTTP ${response.status} ${response.statusText}`);
  }
  if (!response.body) throw new DownloadError(`cannot download ${basename(dest)}: ${url} sent no body`);

  let received = resumedFrom;
  const out = createWriteStream(part, { flags: append ? 'a' : 'w' });
  const closed = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
  });
  try {
    onProgress?.({ received, total, resumedFrom });
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      received += chunk.byteLength;
      onProgress?.({ received, total, resumedFrom });
    }
  } catch (error) {
    out.end();
    await closed.catch(() => undefined);
    if (signal?.aborted) throw error;
    throw new DownloadInterruptedError(
      `download of ${basename(dest)} was interrupted after ${received} bytes (${errorCode(error) ?? (error as Error).message}); run it again to resume`,
    );
  }
  out.end();
  await closed;
  if (total !== null && received !== total) {
    throw new DownloadInterruptedError(`download of ${basename(dest)} stopped at ${received} of ${total} bytes; run it again to resume`);
  }
  return finish(part, options, received, resumedFrom);
}

async function finish(part: string, options: DownloadOptions, bytes: number, resumedFrom: number): Promise<DownloadResult> {
  let hashes: { sha256: string; md5: string };
  try {
    hashes = await verify(part, options);
  } catch (error) {
    rmSync(part, { force: true });
    throw error;
  }
  renameSync(part, options.dest);
  return { path: options.dest, bytes, ...hashes, resumedFrom };
}
