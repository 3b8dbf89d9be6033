import { existsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { fsPath } from './file-path';

/**
 * sharp opens files by UTF-8 string only. Where a catalogue path holds bytes that are not UTF-8 the
 * file is opened here and sharp reads it through /proc/self/fd (Linux: libvips still streams from
 * the file, so memory stays small); elsewhere the file is read into memory.
 */
const procFd = process.platform === 'linux' && existsSync('/proc/self/fd');

/** What to hand sharp for a file already open: its own path when it has one, else the open descriptor. */
export async function sharpInputOf(path: string, handle: FileHandle): Promise<string | Buffer> {
  const target = fsPath(path);
  if (typeof target === 'string') return target;
  return procFd ? `/proc/self/fd/${handle.fd}` : handle.readFile();
}

/** Runs `use` with an input sharp can open for the catalogue path; the file stays open until it settles. */
export async function withSharpInput<T>(path: string, use: (input: string | Buffer) => Promise<T>): Promise<T> {
  const target = fsPath(path);
  if (typeof target === 'string') return use(target);
  const handle = await open(target, 'r');
  try {
    return await use(await sharpInputOf(path, handle));
  } finally {
    await handle.close();
  }
}
