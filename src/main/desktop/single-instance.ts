import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/**
 * A folder named on the command line of a second launch (`little-data-studio ~/photos/project`):
 * the first existing directory among the arguments that are not switches. Electron's own arguments
 * (the executable, the app path in development) are skipped by `skip`.
 */
export function folderFromArgv(argv: readonly string[], cwd: string, skip = 1): string | null {
  for (const arg of argv.slice(skip)) {
    if (!arg || arg.startsWith('-')) continue;
    const candidate = isAbsolute(arg) ? arg : resolve(cwd, arg);
    try {
      if (statSync(candidate).isDirectory()) return candidate;
    } catch {
      // not a path we can open; keep looking
    }
  }
  return null;
}
