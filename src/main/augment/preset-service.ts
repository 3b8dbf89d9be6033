import { augmentParamsSchema, type AugmentParams, type AugmentPreset } from '@shared/contract/augment';
import { describeIssues } from '@shared/contract';
import type { PresetsRepository } from '../catalogue/presets-repository';
import { BUILTIN_PRESETS, builtinPreset, isBuiltinPreset } from './presets';

/** Why a preset operation was refused; `kind` maps onto the contract's error codes. */
export class PresetError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'forbidden' | 'invalid_input',
    message: string,
  ) {
    super(message);
    this.name = 'PresetError';
  }
}

/** Built-in presets (read-only, from code) and the project's own (rows of augment_presets), as one list. */
export class PresetService {
  constructor(private readonly repo: PresetsRepository) {}

  list(): AugmentPreset[] {
    const user = this.repo.list().map((row) => ({ name: row.name, builtin: false, params: this.#parse(row.name, row.params) }));
    return [...BUILTIN_PRESETS, ...user];
  }

  get(name: string): AugmentPreset {
    const builtin = builtinPreset(name);
    if (builtin) return builtin;
    const row = this.repo.get(name);
    if (!row)
      throw new PresetError(
        'not_found',
        `no augmentation preset named "${name}" (have: ${this.list()
          .map((p) => p.name)
          .join(', ')})`,
      );
    return { name: row.name, builtin: false, params: this.#parse(row.name, row.params) };
  }

  save(name: string, params: AugmentParams): AugmentPreset {
    this.#refuseBuiltin(name, 'overwritten');
    const valid = augmentParamsSchema.parse(params);
    this.repo.save(name, JSON.stringify(valid));
    return { name, builtin: false, params: valid };
  }

  rename(from: string, to: string): AugmentPreset {
    this.#refuseBuiltin(from, 'renamed');
    this.#refuseBuiltin(to, 'replaced');
    if (from === to) return this.get(from);
    if (this.repo.get(to)) throw new PresetError('conflict', `a preset named "${to}" already exists`);
    if (!this.repo.rename(from, to)) throw new PresetError('not_found', `no user preset named "${from}"`);
    return this.get(to);
  }

  duplicate(from: string, to: string): AugmentPreset {
    const source = this.get(from);
    this.#refuseBuiltin(to, 'replaced');
    if (this.repo.get(to)) throw new PresetError('conflict', `a preset named "${to}" already exists`);
    return this.save(to, source.params);
  }

  delete(name: string): void {
    this.#refuseBuiltin(name, 'deleted');
    if (!this.repo.delete(name)) throw new PresetError('not_found', `no user preset named "${name}"`);
  }

  #refuseBuiltin(name: string, what: string): void {
    if (isBuiltinPreset(name))
      throw new PresetError('forbidden', `"${name}" is a built-in preset and cannot be ${what}; duplicate it to change it`);
  }

  #parse(name: string, json: string): AugmentParams {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      throw new PresetError('invalid_input', `preset "${name}" in the catalogue is not valid JSON`);
    }
    const parsed = augmentParamsSchema.safeParse(value);
    if (!parsed.success) throw new PresetError('invalid_input', `preset "${name}" in the catalogue: ${describeIssues(parsed.error)}`);
    return parsed.data;
  }
}
