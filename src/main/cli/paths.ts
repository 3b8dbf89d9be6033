import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Per-user state (recent projects, the sample workspace): LDS_USER_DATA, else the XDG config dir. */
export function defaultUserDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LDS_USER_DATA) return resolve(env.LDS_USER_DATA);
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'little-data-studio');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'little-data-studio');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'little-data-studio');
}

/**
 * The repository's resources/ folder: LDS_RESOURCES, else found from where this code runs —
 * out/main/cli.js when built, src/main/cli/ under tests.
 */
export function defaultResourcesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LDS_RESOURCES) return resolve(env.LDS_RESOURCES);
  const candidates = [resolve(__dirname, '../../resources'), resolve(__dirname, '../../../resources'), resolve(process.cwd(), 'resources')];
  return candidates.find((dir) => existsSync(dir)) ?? (candidates[0] as string);
}

export function appVersion(resourcesDir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(resourcesDir, '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
