import { defineCommand } from '../command';
import { parsePort, serveUntilSignal } from './serve';

/** `lds serve`: the CLI face of ./serve.ts. Opens the workspace first when there is one. */
export default defineCommand({
  options: {
    port: {
      type: 'string',
      value: 'N',
      description: 'the port on 127.0.0.1 (0: any free one)',
      default: '0',
      allowed: 'a whole number from 0 to 65535',
    },
    open: { type: 'boolean', description: 'open the studio in the default browser' },
  },
  async run(ctx) {
    if (ctx.workspaceGiven) await ctx.openProject();
    else await ctx.openProjectIfAny();
    await serveUntilSignal(ctx.engine, { port: parsePort(ctx.values.port as string | undefined), open: ctx.values.open === true }, (line) =>
      ctx.out(line),
    );
  },
});
