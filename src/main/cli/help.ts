import { usageLines, type CliCommand } from './command';
import { COMMANDS } from './commands';
import { GLOBAL_OPTIONS, HELP_WIDTH, optionLines, wrap } from './options';

/** `lds --help`: the commands, one line each. */
export function generalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    'Little Data Studio — small image datasets: import, label, augment, train.',
    '',
    'usage: lds [--workspace DIR] <command> [options] [--json]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, e]) => `  ${name.padEnd(width)}  ${e.summary}`),
    '',
    'global options (before or after the command):',
    ...optionLines({ ...GLOBAL_OPTIONS, version: { type: 'boolean', short: 'V', description: 'print the version' } }),
    '',
    'lds help <command> (or lds <command> --help) lists its options with their defaults and allowed values.',
    'environment: LDS_USER_DATA (recent projects, sample project), LDS_RESOURCES (bundled resources)',
  ].join('\n');
}

/** `lds <command> --help` and `lds help <command>`: its forms, every option with its meaning, default and allowed values. */
export function commandHelp(name: string, command: CliCommand): string {
  const summary = COMMANDS[name]?.summary ?? '';
  const [first, ...others] = usageLines(name, command);
  const lines = [`usage: ${first}`, ...others.map((u) => `   or: ${u}`), '', ...wrap(summary, HELP_WIDTH)];
  const table = command.options ?? {};
  if (Object.keys(table).length) lines.push('', 'options:', ...optionLines(table));
  lines.push('', 'global options:', ...optionLines(GLOBAL_OPTIONS));
  if (command.notes?.length) lines.push('', ...command.notes);
  return lines.join('\n');
}
