import { defineCommand, UsageError } from '../command';

export default defineCommand({
  usage: 'backbones [add <model-dir> [--id ID] [--feature-layer NAME] [--top-block LAYER]] [--json]',
  allowPositionals: true,
  options: { id: { type: 'string' }, 'feature-layer': { type: 'string' }, 'top-block': { type: 'string' } },
  async run(ctx) {
    await ctx.openProject();
    const [sub, dir, ...rest] = ctx.positionals;
    if (sub === undefined) {
      const list = await ctx.engine.call('backbones.list', {});
      if (ctx.json) {
      ctx.printJson({ backbones: list });
      return;
    }
      for (const b of list) ctx.out(`${b.id}  ${b.name}  input ${b.inputSize}  features ${b.featureLayer}  fine-tune ${b.topBlockStart ?? 'no'}  (${b.source})`);
      return;
    }
    if (sub !== 'add' || !dir || rest.length) throw new UsageError('expected `backbones` or `backbones add <model-dir>`');
    const added = await ctx.engine.call('backbones.add', {
      dir,
      id: ctx.values.id as string | undefined,
      featureLayer: ctx.values['feature-layer'] as string | undefined,
      topBlockStart: ctx.values['top-block'] as string | undefined,
    });
    if (ctx.json) {
      ctx.printJson(added);
      return;
    }
    ctx.out(`added backbone ${added.id}: features at ${added.featureLayer}, input ${added.inputSize}, fine-tune from ${added.topBlockStart ?? '(none)'}`);
  },
});
