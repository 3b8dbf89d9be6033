import type { MapLayout } from '@shared/contract';
import { defineCommand, DEVICE_OPTION, useDeviceOption, numberOption } from '../command';

export default defineCommand({
  options: {
    seed: {
      type: 'string',
      value: 'N',
      description: 'seed of the layout (the same seed draws the same map)',
      default: '42',
      allowed: 'a whole number from 0 to 2147483647',
    },
    backbone: {
      type: 'string',
      value: 'ID',
      description: 'pretrained backbone whose features are laid out (lds backbones lists them)',
      default: 'the first installed',
    },
    ...DEVICE_OPTION,
  },
  async run(ctx) {
    useDeviceOption(ctx);
    const v = ctx.values;
    const seed = numberOption(v, 'seed', (n) => Number.isInteger(n) && n >= 0 && n <= 2 ** 31 - 1, 'a whole number from 0 to 2147483647');
    await ctx.openProject();
    const finished = await ctx.runJob(() => ctx.engine.call('map.layout', { seed, backbone: v.backbone as string | undefined }));
    if (finished.status !== 'succeeded') throw new Error(finished.error ?? `the map layout ${finished.status}`);
    const layout = finished.result as MapLayout;
    if (ctx.json) {
      ctx.printJson({ images: layout.points.length, ...layout });
      return;
    }
    ctx.out(
      `laid out ${layout.points.length} images (${layout.backbone}, seed ${layout.seed}): features ${layout.featuresFromCache} from the cache, ${layout.featuresComputed} computed; ` +
        `layout ${layout.layoutSeconds.toFixed(1)} s, all ${layout.seconds.toFixed(1)} s. The Map place shows it; --json prints the points.`,
    );
  },
});
