import { parseArgs } from 'node:util';

/**
 * One option of a command, as both the parser and `--help` read it: the table is the only place an
 * option is declared, so what is accepted and what is documented cannot drift apart.
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in help: N, F, DIR, NAME (string options; default VALUE). */
  value?: string;
  /** What it does, in a line. */
  description: string;
  /** The value used when the option is not given, as help shows it (the command applies it). */
  default?: string;
  /** The only values accepted: anything else is refused by the parser, with the nearest suggested. */
  choices?: readonly string[];
  /** The values accepted, in words, where they are not a list ("a whole number from 2 to 20"). */
  allowed?: string;
}

export type OptionTable = Record<string, OptionSpec>;
export type OptionValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** Options every command takes (placed before the command too, see index.ts). */
export const GLOBAL_OPTIONS: OptionTable = {
  workspace: { type: 'string', short: 'w', value: 'DIR', description: 'the project folder', default: 'the current directory' },
  json: { type: 'boolean', description: 'print one JSON object as the last line of stdout (on failure {"error":{"code","message"}})' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

/** Thrown for a mistake in how the command was typed: exit code 2 and the usage line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Edit distance with transpositions (Damerau–Levenshtein, optimal string alignment). */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between the first i characters of a and the first j of b.
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [];
    for (let j = 0; j <= b.length; j++) {
      if (i === 0 || j === 0) {
        row.push(i + j);
        continue;
      }
      const above = rows[i - 1] as number[];
      let d = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/**
 * The candidate a mistyped word most likely meant, as git and npm guess: the closest by edit distance
 * within about a third of its length, else the only candidate it is the start of; null when nothing
 * is close.
 */
export function nearest(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const distance = editDistance(w, c.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [c, distance];
  }
  if (best !== null && bestDistance <= Math.max(1, Math.floor(Math.max(w.length, 3) / 3))) return best;
  const starts = candidates.filter((c) => c.toLowerCase().startsWith(w) || w.startsWith(c.toLowerCase()));
  return starts.length === 1 ? (starts[0] as string) : null;
}

const didYouMean = (suggestion: string | null): string => (suggestion ? `; did you mean ${suggestion}?` : '');

export interface ParsedLine {
  values: OptionValues;
  positionals: string[];
}

/**
 * Parses a command's arguments against its table (and the global options). Unknown options are
 * refused with the nearest known one suggested; a value outside `choices` likewise.
 */
export function parseCommandLine(args: string[], table: OptionTable, allowPositionals: boolean): ParsedLine {
  const all: OptionTable = { ...table, ...GLOBAL_OPTIONS };
  const names = Object.keys(all);
  // First pass only finds the options typed, so an unknown one is named with a suggestion before anything else.
  const { tokens } = parseArgs({ args, options: {}, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const known = token.rawName.startsWith('--') ? Object.hasOwn(all, token.name) : Object.values(all).some((o) => o.short === token.name);
    if (known) continue;
    const suggestion = token.rawName.startsWith('--') ? nearest(token.name, names) : null;
    throw new UsageError(`unknown option ${token.rawName}${didYouMean(suggestion === null ? null : `--${suggestion}`)}`);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(Object.entries(all).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }])),
      allowPositionals,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(plainParseError(error as Error, allowPositionals));
  }
  const values = parsed.values as OptionValues;
  for (const [name, spec] of Object.entries(all)) {
    const value = values[name];
    if (spec.choices && typeof value === 'string' && !spec.choices.includes(value)) {
      throw new UsageError(
        `--${name} must be one of ${spec.choices.join(', ')}, got "${value}"${didYouMean(nearest(value, spec.choices))}`,
      );
    }
  }
  return { values, positionals: parsed.positionals };
}

/** node:util's messages, in the words of the rest of lds. */
function plainParseError(error: Error & { code?: string }, allowPositionals: boolean): string {
  const missing = /^Option '(-\w, )?(--[\w-]+)[^']*' argument missing/.exec(error.message);
  if (missing) return `${missing[2]} needs a value`;
  const positional = /^Unexpected argument '(.*)'/.exec(error.message);
  if (positional) return allowPositionals ? error.message : `unexpected argument "${positional[1]}" (this command takes options only)`;
  return error.message.split('\n')[0] as string;
}

const flagOf = (name: string, spec: OptionSpec): string => {
  const long = `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
  return spec.short ? `-${spec.short}, ${long}` : `    ${long}`;
};

/** What help prints after an option's description: its allowed values and its default. */
function detailsOf(spec: OptionSpec): string {
  const parts: string[] = [];
  if (spec.choices) parts.push(`one of ${spec.choices.join(', ')}`);
  else if (spec.allowed) parts.push(spec.allowed);
  if (spec.default !== undefined) parts.push(`default: ${spec.default}`);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

/** Help's width: long descriptions wrap under their own column, as git's and npm's do. */
export const HELP_WIDTH = 100;

export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** The lines of an options table in help: the flag, then its meaning, allowed values and default. */
export function optionLines(table: OptionTable): string[] {
  const entries = Object.entries(table);
  const width = Math.max(0, ...entries.map(([name, spec]) => flagOf(name, spec).length));
  const indent = ' '.repeat(width + 4);
  return entries.flatMap(([name, spec]) => {
    const [first, ...rest] = wrap(`${spec.description}${detailsOf(spec)}`, Math.max(40, HELP_WIDTH - indent.length));
    return [`  ${flagOf(name, spec).padEnd(width)}  ${first}`, ...rest.map((l) => indent + l)];
  });
}
