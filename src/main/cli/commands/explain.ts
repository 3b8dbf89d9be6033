import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Explanation } from '@shared/contract';
import { defineCommand, UsageError } from '../command';

export default defineCommand({
  forms: ['<run> <image-id|path>'],
  allowPositionals: true,
  options: {
    out: { type: 'string', value: 'FILE', description: 'write the picture with the heatmap over it here (PNG, the picture’s size)' },
    class: {
      type: 'string',
      value: 'NAME',
      description: 'the class whose evidence is shown',
      default: 'the class the run predicts for the picture',
    },
  },
  notes: [
    'Grad-CAM: the class score’s gradient over the last convolutional feature map, averaged per',
    'channel, weighs that map. Red = strong evidence for the class, blue = little. --json has the grid.',
    'example: lds explain 20261207-101500-a1b2c3 photos/cat.jpg --out heat.png --class cats',
  ],
  async run(ctx) {
    const [run, image, ...rest] = ctx.positionals;
    if (!run || !image) throw new UsageError('name a run (see `lds runs`) and an image (a catalogue id or a file)');
    if (rest.length) throw new UsageError(`one image at a time; unexpected ${rest.join(' ')}`);
    const outArg = ctx.values.out;
    if (outArg !== undefined && (typeof outArg !== 'string' || !outArg)) throw new UsageError('--out needs a file name');
    const className = typeof ctx.values.class === 'string' ? ctx.values.class : undefined;
    const out = typeof outArg === 'string' ? resolve(ctx.cwd, outArg) : null;
    if (out && existsSync(out) && statSync(out).isDirectory())
      throw new UsageError(`--out ${out} is a folder: give a file name such as heat.png`);
    await ctx.openProject();
    // A file of that name wins over a catalogue id: `lds explain r1 12` reads ./12 if there is one.
    const asPath = resolve(ctx.cwd, image);
    const which = existsSync(asPath) ? { path: asPath } : /^\d+$/.test(image) ? { imageId: Number(image) } : null;
    if (!which) throw new Error(`no such file: ${asPath}`);
    // The model runs in a training process, as in the app; the picture is drawn by the engine.
    const finished = await ctx.runJob(() => ctx.engine.call('explain.image', { runId: run, ...which, className, overlay: out !== null }));
    if (finished.status !== 'succeeded') throw new Error(finished.error ?? `explaining ${finished.status}`);
    const { overlay, ...e } = finished.result as Explanation;
    if (out && overlay) {
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, Buffer.from(overlay.slice(overlay.indexOf(',') + 1), 'base64'));
    }
    const probabilities = Object.fromEntries(e.classes.map((c, i) => [c, e.probabilities[i] as number]));
    if (ctx.json) {
      const { classes: _classes, probabilities: _p, ...rest } = e;
      ctx.printJson({ ...rest, probabilities, out });
      return;
    }
    const percent = (c: string): string => `${((probabilities[c] ?? 0) * 100).toFixed(1)}%`;
    ctx.out(`${e.image}: predicted ${e.predicted} (${percent(e.predicted)})`);
    ctx.out(
      `explained ${e.explained}${e.explained === e.predicted ? '' : ` (${percent(e.explained)})`} from layer ${e.layer}, a ${e.gridWidth}x${e.gridHeight} map`,
    );
    if (e.peak === 0) ctx.out(`nothing in the picture speaks for ${e.explained}: the map is empty`);
    if (out) ctx.out(`wrote ${out} (${e.width}x${e.height})`);
  },
});
