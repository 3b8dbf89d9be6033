import { describe, expect, it } from 'vitest';
import type { ClassInfo, ImageItem } from '@shared/contract';
import { colourPoints } from '../../src/renderer/src/lib/map-colours';

const classes: ClassInfo[] = [
  { id: 7, name: 'dogs', colour: '#00aa00', hotkey: null, position: 1, count: 1 },
  { id: 3, name: 'cats', colour: '#aa0000', hotkey: null, position: 0, count: 1 },
];
const image = (id: number, classId: number | null, split: ImageItem['split']): ImageItem => ({
  id,
  name: `${id}.jpg`,
  width: 10,
  height: 10,
  split,
  status: 'ok',
  damaged: false,
  classId,
  labelSource: classId === null ? null : 'manual',
  confidence: null,
  duplicate: false,
  conflict: false,
});
const images = new Map([image(1, 3, 'train'), image(2, 7, 'validation'), image(3, null, 'unassigned')].map((i) => [i.id, i]));

describe('map colours', () => {
  it('colours by class in sidebar order, unlabelled grey last', () => {
    const c = colourPoints('class', [1, 2, 3], { images, classes, predictions: null, issues: null });
    expect(c.palette).toEqual(['#aa0000', '#00aa00', '#9aa0a8']);
    expect(c.categories).toEqual([0, 1, 2]);
    expect(c.legend.map((e) => `${e.label}:${e.count}`)).toEqual(['cats:1', 'dogs:1', 'unlabelled:1']);
  });

  it('colours by split, and an id the list does not know counts as no split', () => {
    const c = colourPoints('split', [1, 2, 3, 99], { images, classes, predictions: null, issues: null });
    expect(c.categories).toEqual([0, 1, 3, 3]);
    expect(c.legend.map((e) => e.label)).toEqual(['train', 'validation', 'no split']);
  });

  it('colours by the run’s prediction, images it did not score grey', () => {
    const c = colourPoints('prediction', [1, 2, 3], {
      images,
      classes,
      predictions: new Map([
        [1, 'dogs'],
        [2, 'dogs'],
      ]),
      issues: null,
    });
    expect(c.categories).toEqual([1, 1, 2]);
    expect(c.legend.map((e) => `${e.label}:${e.count}`)).toEqual(['predicted dogs:2', 'not scored:1']);
  });

  it('colours by the label-issues report: flagged, outlier, fine; unlabelled and no report grey', () => {
    const issues = { issues: new Map([[2, { suggested: 'cats', score: 0.9 }]]), outliers: new Set([4]) };
    const all = new Map([...images, [4, image(4, 3, 'train')], [5, image(5, 7, 'train')]]);
    const c = colourPoints('issues', [1, 2, 3, 4, 5], { images: all, classes, predictions: null, issues });
    expect(c.categories).toEqual([2, 0, 3, 1, 2]);
    expect(c.legend.map((e) => `${e.label}:${e.count}`)).toEqual([
      'likely mislabelled:1',
      'fits no class well:1',
      'label looks right:2',
      'not scored:1',
    ]);
    expect(colourPoints('issues', [1, 2], { images: all, classes, predictions: null, issues: null }).categories).toEqual([3, 3]);
  });
});
