import type { JobInfo } from '@shared/contract';

/**
 * Job progress for a terminal: a redrawn bar on a TTY, otherwise a plain line every 10% so logs
 * stay short.
 */
export function createProgressPrinter(stream: NodeJS.WriteStream): { update(info: JobInfo): void; done(): void } {
  const tty = stream.isTTY === true;
  let lastDecile = -1;
  let drawn = false;
  return {
    update(info) {
      const fraction = info.total > 0 ? Math.min(1, info.done / info.total) : 0;
      const counts = info.total > 0 ? `${info.done}/${info.total}` : '';
      if (tty) {
        const width = 30;
        const filled = Math.round(fraction * width);
        const line = `${info.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${counts} ${info.message ?? ''}`;
        stream.write(`\r${line.slice(0, (stream.columns || 100) - 1).padEnd(Math.min(stream.columns || 100, 100) - 1)}`);
        drawn = true;
      } else {
        const decile = Math.floor(fraction * 10);
        if (decile > lastDecile && info.total > 0) {
          lastDecile = decile;
          stream.write(`${info.label}: ${Math.round(fraction * 100)}% (${counts})\n`);
        }
      }
    },
    done() {
      if (tty && drawn) stream.write('\n');
    },
  };
}
