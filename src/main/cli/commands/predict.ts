import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isImageFileName } from '../../images/formats';
import { runInTrainingProcess } from '../../training/host/compute-client';
import { readModelInfo } from '../../training/protocol/model-info';
import { defineCommand, DEVICE_OPTION, useDeviceOption, UsageError } from '../command';

/** Image files named on the command line: files as given, folders searched recursively, sorted. */
export function collectImages(args: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && isImageFileName(entry.name)) out.push(path);
    }
  };
  for (const arg of args) {
    const path = resolve(cwd, arg);
    if (!existsSync(path)) throw new Error(`${path}: no such file or folder`);
    if (statSync(path).isDirectory()) walk(path);
    else out.push(path);
  }
  return out;
}

export default defineCommand({
  usage: 'predict <run|model-dir> <image|folder>... [--device NAME] [--json]  |  predict <run> --prelabel',
  allowPositionals: true,
  options: { prelabel: { type: 'boolean' }, batch: { type: 'string' }, ...DEVICE_OPTION },
  async run(ctx) {
    useDeviceOption(ctx);
    const [model, ...inputs] = ctx.positionals;
    if (!model) throw new UsageError('name a run (see `lds runs`) or a model folder');
    if (ctx.values.prelabel === true) {
      if (inputs.length) throw new UsageError('--prelabel predicts the project’s unlabelled images: give no image paths');
      await ctx.openProject();
      const finished = await ctx.runJob(() => ctx.engine.call('predict.prelabel', { runId: model }));
      if (finished.status !== 'succeeded') throw new Error(finished.error ?? `pre-labelling ${finished.status}`);
      const result = finished.result as { labelled: number; skipped: number };
      if (ctx.json) {
      ctx.printJson(result);
      return;
    }
      ctx.out(`pre-labelled ${result.labelled} images as "predicted" (review them in the app: least confident first)`);
      return;
    }
    if (!inputs.length) throw new UsageError('name at least one image or folder');
    const asDir = resolve(ctx.cwd, model);
    let modelDir: string;
    if (existsSync(join(asDir, 'model.json'))) modelDir = asDir;
    else {
      await ctx.openProject();
      modelDir = ctx.engine.training().evaluation.modelDir(model);
    }
    const paths = collectImages(inputs, ctx.cwd);
    if (!paths.length) throw new Error(`no images in ${inputs.join(', ')}`);
    readModelInfo(modelDir);
    // The model runs in a training process, as in the app: this process never loads TensorFlow.js for it.
    const answer = await runInTrainingProcess(
      ctx.engine.launcher,
      { type: 'predict', modelDir, items: paths.map((path) => ({ path, sha256: '' })), backbone: null, featuresDir: null, label: 'predicted', backend: process.env.LDS_BACKEND ?? null, device: ctx.engine.device.resolve() },
      { progress: (done, total) => ctx.err(`predicted ${done}/${total}`) },
    );
    const labels = answer.labels;
    const predictions = paths.map((path, i) => {
      const p = answer.probabilities[i] as number[];
      let best = 0;
      p.forEach((v, j) => {
        if (v > (p[best] as number)) best = j;
      });
      return { path, class: labels[best] as string, confidence: p[best] as number, probabilities: Object.fromEntries(labels.map((l, j) => [l, p[j] as number])) };
    });
    if (ctx.json) {
      ctx.printJson({ predictions });
      return;
    }
    for (const p of predictions) ctx.out(`${p.path}\t${p.class}\t${(p.confidence * 100).toFixed(1)}%`);
  },
});
