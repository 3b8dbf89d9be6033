#!/usr/bin/env node
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher, so it runs without a build step */
// The `lds` command: a thin launcher for the CLI that electron-vite builds into out/main/cli.js.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const json = process.argv.slice(2).includes('--json');

/** The last resort: one line on stderr and, with --json, the error object as the last stdout line. */
function die(message, detail) {
  process.stderr.write(`lds: ${detail || message}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'failed', message } })}\n`);
  process.exit(1);
}

const built = join(__dirname, '..', 'out', 'main', 'cli.js');
if (!existsSync(built)) die(`the command line is not built yet (no ${built}); run \`npm run build\` first`);

const crash = (error) => die(error && error.message ? error.message : String(error), error && error.stack);
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const cli = require(built);
cli
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
    // A stray handle must not keep a finished command alive; unref'd, so a clean exit is not delayed.
    setTimeout(() => {
      // A filesystem call still blocked on a hung drive would make even process.exit wait for ever.
      if (typeof cli.abandonedFsCalls === 'function' && cli.abandonedFsCalls() > 0) process.kill(process.pid, 'SIGKILL');
      process.exit(code);
    }, 2000).unref();
  })
  .catch(crash);
