/**
 * A fresh `npm install` must leave `git status` clean (.ci/run checks that for real). This is the
 * cheap half that runs everywhere: the lock's root entry says what package.json says, and every
 * declared package has its entry, so npm has nothing to rewrite.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
type Deps = Record<string, string>;
interface PackageJson {
  name: string;
  version: string;
  workspaces?: string[];
  dependencies?: Deps;
  devDependencies?: Deps;
  optionalDependencies?: Deps;
  peerDependencies?: Deps;
}
interface LockRoot extends PackageJson {
  packages: Record<string, PackageJson & { optional?: boolean; dev?: boolean; resolved?: string; link?: boolean }>;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
/** Workspaces (test/e2e/tm-harness: Teachable Machine's library and the TF.js it pins, for one e2e test). */
const workspaces = (pkg.workspaces ?? []).map((dir) => ({
  dir,
  pkg: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as PackageJson,
}));
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as LockRoot;
const KINDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

describe('package-lock.json is what a fresh npm install writes', () => {
  it('its root entry declares exactly the dependencies of package.json, kind by kind', () => {
    const root = lock.packages[''];
    expect(root).toBeDefined();
    expect({ name: lock.name, version: lock.version }).toEqual({ name: pkg.name, version: pkg.version });
    // The old lock listed the optional tfjs-node packages as plain dependencies; npm install rewrote it.
    for (const kind of KINDS) expect(root?.[kind] ?? {}, kind).toEqual(pkg[kind] ?? {});
    expect(root?.workspaces ?? [], 'workspaces').toEqual(pkg.workspaces ?? []);
  });

  it("each workspace's entry declares what its package.json declares, and is linked under its name", () => {
    expect(workspaces.map((w) => w.dir)).toContain('test/e2e/tm-harness');
    for (const { dir, pkg: ws } of workspaces) {
      for (const kind of KINDS) expect(lock.packages[dir]?.[kind] ?? {}, `${dir} ${kind}`).toEqual(ws[kind] ?? {});
      expect(lock.packages[`node_modules/${ws.name}`], ws.name).toMatchObject({ resolved: dir, link: true });
    }
  });

  it('workspace packages are pinned to exact versions, and the lock installs those versions beside the app’s own', () => {
    for (const { dir, pkg: ws } of workspaces) {
      for (const [name, version] of Object.entries({ ...ws.dependencies, ...ws.devDependencies })) {
        expect(version, `${dir}: ${name}`).toMatch(/^\d+\.\d+\.\d+$/);
        // npm resolves from the workspace's own node_modules first, then the root's.
        const entry = lock.packages[`${dir}/node_modules/${name}`] ?? lock.packages[`node_modules/${name}`];
        expect(entry?.version, `${dir}: ${name}`).toBe(version);
      }
    }
  });

  it('every declared package is locked', () => {
    const declared = KINDS.filter((k) => k !== 'peerDependencies').flatMap((kind) => Object.keys(pkg[kind] ?? {}));
    const missing = declared.filter((name) => !lock.packages[`node_modules/${name}`]);
    expect(missing).toEqual([]);
  });
});
