import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.mjs';

// Layout belongs to Prettier (.prettierrc): the configs below carry no stylistic rules, so the two never disagree.
export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**', 'test-results/**', 'bench/.work/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: tseslint.parser, svelteConfig } },
  },
  ...ownershipRules(),
);

/**
 * The single-owner rule for native libraries (design.md), enforced rather than just written down:
 * only catalogue/ imports better-sqlite3, only images/ imports sharp, only training/ and augment/ import tfjs,
 * and training/host/ (main process) imports neither tfjs nor training/worker/.
 */
function ownershipRules() {
  const owners = [
    { dirs: ['src/main/catalogue'], lib: { paths: ['better-sqlite3'] }, message: 'Only src/main/catalogue imports better-sqlite3.' },
    { dirs: ['src/main/images'], lib: { paths: ['sharp'] }, message: 'Only src/main/images imports sharp.' },
    { dirs: ['src/main/training', 'src/main/augment'], lib: { patterns: ['@tensorflow/*'] }, message: 'Only src/main/training and src/main/augment import tfjs.' },
  ];
  const restrictionsOutside = (ownDirs) => {
    const foreign = owners.filter((o) => !o.dirs.some((d) => ownDirs.includes(d)));
    return {
      paths: foreign.flatMap((o) => (o.lib.paths ?? []).map((name) => ({ name, message: o.message }))),
      patterns: foreign.flatMap((o) => (o.lib.patterns ?? []).map((p) => ({ group: [p], message: o.message }))),
    };
  };
  const all = owners.flatMap((o) => o.dirs);
  const outside = restrictionsOutside([]);
  // training/host/ runs in the main process (the window's, under Electron): no tfjs, and the
  // training process's code only through protocol/ messages (docs/architecture.md).
  const worker = { group: ['**/worker', '**/worker/*'], message: 'training/host runs in the main process: it reaches worker/ through protocol/ messages, never by import.' };
  return [
    { files: ['src/**/*.ts', 'src/**/*.svelte'], ignores: all.map((d) => `${d}/**`), rules: { 'no-restricted-imports': ['error', outside] } },
    ...owners.map((o) => ({
      files: o.dirs.map((d) => `${d}/**/*.ts`),
      rules: { 'no-restricted-imports': ['error', restrictionsOutside(o.dirs)] },
    })),
    { files: ['src/main/training/host/**/*.ts'], rules: { 'no-restricted-imports': ['error', { ...outside, patterns: [...outside.patterns, worker] }] } },
  ];
}
