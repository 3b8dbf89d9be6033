import { resolve } from 'node:path';
import { defineCommand, UsageError } from '../command';

export default defineCommand({
  forms: ['<image-id|path>... --class NAME', '<image-id|path>... --clear'],
  allowPositionals: true,
  options: {
    class: { type: 'string', short: 'c', value: 'NAME', description: 'the class to give (made when it does not exist)' },
    clear: { type: 'boolean', description: 'remove the label instead' },
  },
  async run(ctx) {
    const className = ctx.values.class as string | undefined;
    const clear = ctx.values.clear === true;
    if (ctx.positionals.length === 0) throw new UsageError('name at least one image id or path');
    if ((className === undefined) === !clear) throw new UsageError('give exactly one of --class NAME or --clear');
    await ctx.openProject();
    const paths = ctx.positionals.map((arg) => resolve(ctx.cwd, arg));
    const known = await ctx.engine.call('library.imageIdsByPath', { paths });
    const imageIds = ctx.positionals.map((arg, i) => {
      if (/^\d+$/.test(arg)) return Number(arg);
      const id = known[i];
      if (id == null) throw new Error(`${paths[i]} is not in this project's catalogue (import it first)`);
      return id;
    });
    let classId: number | null = null;
    if (className !== undefined) {
      const existing = (await ctx.engine.call('library.classes', {})).find((c) => c.name === className.trim());
      classId = existing?.id ?? (await ctx.engine.call('classes.add', { name: className })).id;
      if (!existing) ctx.err(`created class "${className.trim()}"`);
    }
    const { previous } = await ctx.engine.call('library.applyLabels', {
      entries: imageIds.map((imageId) => ({ imageId, classId, source: 'manual' as const })),
    });
    const changed = previous.filter((p) => p.classId !== classId || p.source !== 'manual').length;
    ctx.out(`${clear ? 'cleared' : `labelled ${className?.trim()}:`} ${imageIds.length} images (${changed} changed)`);
    if (ctx.json) ctx.printJson({ imageIds, classId, changed, previous });
  },
});
