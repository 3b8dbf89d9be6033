import { defineCommand } from '../command';
import { parsePort, serveUntilSignal } from './serve';

/** `lds serve`: the CLI face of ./serve.ts. Opens the workspace first when there is one. */
export default defineCommand({
  usage: 'serve [--port N] [--open]',
  options: { port: { type: 'string' }, open: { type: 'boolean' } },
  async run(ctx) {
    if (ctx.workspaceGiven) await ctx.openProject();
    else await ctx.openProjectIfAny();
    await serveUntilSignal(ctx.engine, { port: parsePort(ctx.values.port as string | undefined), open: ctx.values.open === true }, (line) => ctx.out(line));
  },
});
