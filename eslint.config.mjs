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
 * only training/ imports onnxruntime-node,
 * and training/host/ (main process) imports neither tfjs nor training/worker/; CLI commands import no engine service.
 */
function ownershipRules() {
  const owners = [
    { dirs: ['src/main/catalogue'], lib: { paths: ['better-sqlite3'] }, message: 'Only src/main/catalogue imports better-sqlite3.' },
    { dirs: ['src/main/images'], lib: { paths: ['sharp'] }, message: 'Only src/main/images imports sharp.' },
    {
      dirs: ['src/main/training', 'src/main/augment'],
      lib: { patterns: ['@tensorflow/*'] },
      message: 'Only src/main/training and src/main/augment import tfjs.',
    },
    { dirs: ['src/main/training'], lib: { paths: ['onnxruntime-node'] }, message: 'Only src/main/training imports onnxruntime-node.' },
  ];
  /** The libraries of these owners, as no-restricted-imports options. */
  const restrictions = (foreign) => ({
    paths: foreign.flatMap((o) => (o.lib.paths ?? []).map((name) => ({ name, message: o.message }))),
    patterns: foreign.flatMap((o) => (o.lib.patterns ?? []).map((p) => ({ group: [p], message: o.message }))),
  });
  const dirs = [...new Set(owners.flatMap((o) => o.dirs))];
  const all = restrictions(owners);
  // training/host/ runs in the main process (the window's, under Electron): no native training
  // library, and the training process's code only through protocol/ messages (docs/architecture.md).
  const worker = {
    group: ['**/worker', '**/worker/*'],
    message: 'training/host runs in the main process: it reaches worker/ through protocol/ messages, never by import.',
  };
  // CLI commands are doors: they use the engine through contract commands, never its services.
  const door = {
    group: [
      '**/catalogue',
      '**/catalogue/*',
      '**/training/*',
      '**/evaluation',
      '**/evaluation/*',
      '**/images',
      '**/images/*',
      '**/import',
      '**/import/*',
    ],
    allowTypeImports: true,
    message: 'CLI commands reach the engine through contract commands (ctx.engine.call), not its services.',
  };
  return [
    { files: ['src/**/*.ts', 'src/**/*.svelte'], ignores: dirs.map((d) => `${d}/**`), rules: { 'no-restricted-imports': ['error', all] } },
    {
      files: ['src/main/cli/commands/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { ...all, patterns: [...all.patterns, door] }] },
    },
    ...dirs.map((dir) => ({
      files: [`${dir}/**/*.ts`],
      rules: { 'no-restricted-imports': ['error', restrictions(owners.filter((o) => !o.dirs.includes(dir)))] },
    })),
    {
      files: ['src/main/training/host/**/*.ts'],
      rules: { 'no-restricted-imports': ['error', { ...all, patterns: [...all.patterns, worker] }] },
    },
  ];
}
