import { resolve } from 'node:path';
import { BACKBONE_ARCHS, PREPROCESSING_PRESET_NAMES, type BackboneInfo } from '@shared/contract/training';
import { defineCommand, numberOption, UsageError } from '../command';

function oneOf<T extends string>(value: unknown, choices: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) throw new UsageError(`--${flag} must be one of ${choices.join(', ')} (got "${String(value)}")`);
  return value as T;
}

export default defineCommand({
  forms: ['', 'add <file.h5 | tfjs-folder | teachable-machine-export>', 'layers <tfjs-folder>', 'download <id>'],
  allowPositionals: true,
  options: {
    id: { type: 'string', value: 'ID', description: 'add: the id the backbone is known by', default: 'from the file or folder name' },
    arch: {
      type: 'string',
      value: 'A',
      description: 'add: the architecture, which decides the fine-tune block',
      choices: BACKBONE_ARCHS,
      default: 'recognised from the layers',
    },
    'input-size': {
      type: 'string',
      value: 'N',
      description: 'add: image side the model takes',
      default: "the model's input shape",
      allowed: 'a whole number from 32 to 1024',
    },
    'feature-layer': {
      type: 'string',
      value: 'L',
      description: 'add: the layer whose output are the features (lds backbones layers lists them)',
      default: 'by architecture',
    },
    preprocessing: {
      type: 'string',
      value: 'P',
      description: 'add: pixel scaling (mobilenet: [-1,1] RGB; caffe: BGR minus the ImageNet mean; unit: [0,1] RGB)',
      choices: PREPROCESSING_PRESET_NAMES,
      default: 'by architecture',
    },
    'top-block': {
      type: 'string',
      value: 'LAYER',
      description: 'add: first layer fine-tuning trains',
      default: 'by architecture; none: no fine-tuning',
    },
  },
  notes: ['Without a sub-command: the backbones of this project, and those that can be downloaded.'],
  async run(ctx) {
    const [sub, arg, ...rest] = ctx.positionals;
    // Listing a model's layers looks at files only and a download needs no project; the rest is about this project's registry.
    if (sub === 'download') await ctx.openProjectIfAny();
    else if (sub !== 'layers') await ctx.openProject();
    if (sub === undefined) {
      const list = await ctx.engine.call('backbones.list', {});
      if (ctx.json) {
        ctx.printJson({ backbones: list });
        return;
      }
      for (const b of list) {
        ctx.out(
          `${b.id}  ${b.name}  ${b.arch ?? '?'}  input ${b.inputSize}  features ${b.featureLayer}  fine-tune ${b.topBlockStart ?? 'no'}  sha256 ${b.weightsSha256.slice(0, 12)}  (${b.source})`,
        );
      }
      const downloadable = (await ctx.engine.call('backbones.downloadable', {})).filter((d) => !d.installed);
      if (downloadable.length) ctx.out(`downloadable: ${downloadable.map((d) => d.id).join(', ')} (lds backbones download <id>)`);
      return;
    }
    if (sub === 'layers') {
      if (!arg || rest.length) throw new UsageError('expected `backbones layers <tfjs-folder>`');
      const choice = await ctx.engine.call('backbones.layers', { path: resolve(ctx.cwd, arg) });
      if (ctx.json) {
        ctx.printJson(choice);
        return;
      }
      for (const l of choice.layers) ctx.out(`${l.name === choice.defaultLayer ? '*' : ' '} ${l.name}  [${l.shape.join(', ')}]`);
      ctx.out(`default feature layer: ${choice.defaultLayer} (pick another with --feature-layer)`);
      return;
    }
    if (sub === 'download') {
      if (!arg || rest.length) throw new UsageError('expected `backbones download <id>`');
      const job = await ctx.runJob(() => ctx.engine.call('backbones.download', { id: arg }));
      if (job.status === 'cancelled') return 130;
      if (job.status === 'failed') throw new Error(job.error ?? 'download failed');
      if (!(await ctx.engine.call('project.state', {})).project) {
        // No project here: the weights are fetched and kept; adding them is for a project.
        const file = job.result as { id: string; file: string; sha256: string; bytes: number };
        if (ctx.json) ctx.printJson({ downloaded: file });
        else
          ctx.out(
            `downloaded ${file.id} to ${file.file} (sha256 ${file.sha256.slice(0, 12)}); add it to a project with: lds --workspace DIR backbones add ${file.file}`,
          );
        return;
      }
      const added = job.result as BackboneInfo;
      if (ctx.json) ctx.printJson(added);
      else ctx.out(`added backbone ${added.id} (sha256 ${added.weightsSha256.slice(0, 12)})`);
      return;
    }
    if (sub !== 'add' || !arg || rest.length)
      throw new UsageError('expected `backbones`, `backbones add <path>`, `backbones layers <folder>` or `backbones download <id>`');
    const added = await ctx.engine.call('backbones.add', {
      dir: resolve(ctx.cwd, arg),
      id: ctx.values.id as string | undefined,
      featureLayer: ctx.values['feature-layer'] as string | undefined,
      topBlockStart: ctx.values['top-block'] as string | undefined,
      arch: oneOf(ctx.values.arch, BACKBONE_ARCHS, 'arch'),
      inputSize: numberOption(
        ctx.values,
        'input-size',
        (n) => Number.isInteger(n) && n >= 32 && n <= 1024,
        'a whole number from 32 to 1024',
      ),
      preprocessing: oneOf(ctx.values.preprocessing, PREPROCESSING_PRESET_NAMES, 'preprocessing'),
    });
    if (ctx.json) {
      ctx.printJson(added);
      return;
    }
    ctx.out(
      `added backbone ${added.id}: ${added.arch ?? 'model'}, features at ${added.featureLayer}, input ${added.inputSize}, ` +
        `fine-tune from ${added.topBlockStart ?? '(none)'}, sha256 ${added.weightsSha256.slice(0, 12)}`,
    );
  },
});
