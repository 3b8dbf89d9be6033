#!/usr/bin/env node
// `npm test`: build, static checks, then every vitest suite (unit, integration, e2e in chromium).
// Prints one closing line `N passed, N failed, N skipped` (each static check counts as one test)
// and exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const results = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function step(name, command, args) {
  const started = Date.now();
  process.stdout.write(`\n▶ ${name}\n`);
  const run = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = run.status === 0;
  process.stdout.write(`${ok ? '✔' : '✘'} ${name} (${seconds} s)\n`);
  return ok;
}

function check(name, command, args) {
  if (step(name, command, args)) results.passed += 1;
  else {
    results.failed += 1;
    failures.push(name);
  }
}

check('build (electron-vite)', bin('electron-vite'), ['build']);
check('eslint (zero warnings)', bin('eslint'), ['--max-warnings', '0', '.']);
check('tsc --noEmit', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
check('svelte-check (zero warnings)', bin('svelte-check'), ['--tsconfig', './tsconfig.json', '--fail-on-warnings']);
check('prettier --check', bin('prettier'), ['--check', '--log-level', 'warn', '.']);

mkdirSync(join(root, 'test-results'), { recursive: true });
const report = join(root, 'test-results', 'vitest.json');
const vitestOk = step('vitest (unit, integration, e2e)', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
]);
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  results.passed += json.numPassedTests ?? 0;
  results.failed += json.numFailedTests ?? 0;
  results.skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  for (const file of json.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).every((a) => a.status !== 'failed')) {
      // A file that failed to load has no failed assertions of its own: count it, or it vanishes.
      results.failed += 1;
      failures.push(`${file.name}: ${String(file.message ?? 'failed to run').split('\n')[0]}`);
    }
    for (const a of file.assertionResults ?? []) if (a.status === 'failed') failures.push(a.fullName);
  }
  if (!vitestOk && json.numFailedTests === 0 && failures.length === 0) {
    results.failed += 1;
    failures.push('vitest exited non-zero');
  }
} else {
  results.failed += 1;
  failures.push('vitest wrote no report');
}

if (failures.length) {
  process.stdout.write('\nFailures:\n');
  for (const f of failures) process.stdout.write(`  - ${f}\n`);
}
process.stdout.write(`\n${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped\n`);
process.exit(results.failed > 0 ? 1 : 0);
