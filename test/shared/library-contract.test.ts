import { describe, expect, it } from 'vitest';
import { importOptionsSchema, isCommandName, parseInput } from '@shared/contract';

describe('library and project contract', () => {
  it('fills defaults for import options and rejects impossible fractions', () => {
    expect(importOptionsSchema.parse({ paths: ['/a'] })).toEqual({ paths: ['/a'], valFraction: 0.2, testFraction: 0, seed: 42 });
    expect(importOptionsSchema.safeParse({ paths: [] }).success).toBe(false);
    expect(importOptionsSchema.safeParse({ paths: ['/a'], valFraction: 0.5, testFraction: 0.5 }).success).toBe(false);
    expect(importOptionsSchema.safeParse({ paths: ['/a'], seed: 1.5 }).success).toBe(false);
  });

  it('names the bad field in the message', () => {
    const r = parseInput('classes.add', { name: '   ', colour: 'red' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_input');
      expect(r.error.message).toMatch(/^classes\.add: name: .*; colour: colour must look like #rrggbb/);
    }
  });

  it('rejects unknown fields and wrong types, accepts the minimal forms', () => {
    expect(parseInput('library.list', { classId: 'cats' }).ok).toBe(false);
    expect(parseInput('library.list', { sneaky: 1 }).ok).toBe(false);
    expect(parseInput('library.list', undefined)).toEqual({ ok: true, value: { classId: null, split: null, filter: 'all' } });
    expect(parseInput('library.list', { classId: 'unlabelled', split: 'validation' }).ok).toBe(true);
    expect(parseInput('library.applyLabels', { entries: [] }).ok).toBe(false);
    expect(parseInput('library.applyLabels', { entries: [{ imageId: 3, classId: null }] })).toEqual({
      ok: true,
      value: { entries: [{ imageId: 3, classId: null, source: 'manual', confidence: null }] },
    });
    expect(parseInput('classes.delete', { id: 2 })).toEqual({ ok: true, value: { id: 2, moveLabelsTo: null } });
    expect(parseInput('project.open', { dir: '' }).ok).toBe(false);
    expect(isCommandName('__proto__')).toBe(false);
    expect(isCommandName('library.import')).toBe(true);
  });
});
