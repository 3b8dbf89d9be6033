import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import {
  CSV_PROBLEM_KINDS,
  type CsvColumns,
  type CsvLabelsOptions,
  type CsvLabelsReport,
  type CsvProblemKind,
  type Split,
} from '@shared/contract';
import { describeFsError, displayPath, fsPath, isImageFileName, pathFromString } from '../images';
import { decodeCsvBytes, parseCsv, type CsvRow, type CsvTable } from './csv';
import { splitFromFolderName } from './layout';

/** Larger than any labels file seen in the wild (ImageNet's is 40 MB); a bigger one is surely not one. */
const MAX_CSV_BYTES = 200 * 1024 * 1024;
/** Problems kept with their message; all are counted. */
const MAX_PROBLEMS = 200;

/** A labels file that cannot be used at all (unreadable, or no label column): nothing is imported. */
export class CsvLabelsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvLabelsError';
  }
}

/** A labels CSV read and its columns chosen, ready to match against the scanned files. */
export interface CsvLabels {
  file: string;
  encoding: string;
  table: CsvTable;
  path: number;
  label: number;
  split: number | null;
  /** Column problems found while choosing (a named column that is not there), reported with the rows'. */
  notes: string[];
}

// Header names compared without case, spaces or punctuation ("File Name" = "file_name" = "filename").
const PATH_NAMES = [
  'filename',
  'file',
  'filepath',
  'path',
  'relativepath',
  'image',
  'imagename',
  'imagepath',
  'imagefile',
  'img',
  'imageid',
  'id',
  'name',
  'fname',
];
const LABEL_NAMES = ['label', 'labels', 'class', 'classname', 'category', 'breed', 'species', 'target', 'labelname', 'tag'];
const SPLIT_NAMES = ['split', 'subset', 'set', 'partition', 'fold'];

const normalise = (name: string): string => name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

function findByName(header: string[], names: string[], taken: Set<number>): number | null {
  const normalised = header.map(normalise);
  for (const name of names) {
    const i = normalised.findIndex((h, j) => h === name && !taken.has(j));
    if (i >= 0) return i;
  }
  return null;
}

/** A column the user named: exactly, else ignoring case and punctuation, else by its number (1 = the first). */
function findGiven(header: string[], given: string): number | null {
  const exact = header.indexOf(given);
  if (exact >= 0) return exact;
  const i = header.map(normalise).indexOf(normalise(given));
  if (i >= 0) return i;
  const numbered = /^\s*(?:column\s*)?(\d+)\s*$/i.exec(given);
  const n = numbered ? Number(numbered[1]) : 0;
  return n >= 1 && n <= header.length ? n - 1 : null;
}

/** Names of the columns of a file without a header row: "column 1", "column 2", … (what the pickers show). */
const numberedColumns = (count: number): string[] => Array.from({ length: count }, (_, i) => `column ${i + 1}`);

/**
 * A file whose first row already names an image ("cat.1.jpg,cat") has no header row: that row is
 * data, and the columns are numbered. A header cell is a column name, never a picture's file name.
 */
function withoutHeader(table: CsvTable): CsvTable | null {
  if (!table.header.some((cell) => isImageFileName(cell.slice(cell.replace(/\\/g, '/').lastIndexOf('/') + 1)))) return null;
  return { ...table, header: numberedColumns(table.header.length), rows: [{ line: table.headerLine, cells: table.header }, ...table.rows] };
}

/**
 * In a file without a header: the column of image names holds the paths, a column whose every value
 * is a split name holds the splits, and the first column left holds the labels.
 */
function chooseByContent(table: CsvTable, taken: Set<number>): { path: number | null; label: number | null; split: number | null } {
  const values = (i: number): string[] => table.rows.map((r) => (r.cells[i] ?? '').trim()).filter(Boolean);
  const columns = table.header.map((_, i) => i).filter((i) => !taken.has(i));
  const path = columns.find((i) => values(i).some((v) => isImageFileName(v.slice(v.replace(/\\/g, '/').lastIndexOf('/') + 1)))) ?? null;
  const split = columns.find((i) => i !== path && values(i).length > 0 && values(i).every((v) => splitFromFolderName(v) !== null)) ?? null;
  const label = columns.find((i) => i !== path && i !== split) ?? null;
  return { path, label, split };
}

interface Chosen {
  path: number | null;
  label: number | null;
  split: number | null;
  notes: string[];
}

/**
 * The path, label and split columns: the ones named, else found by their header. With two columns
 * and only one recognised, the other is the one missing (Kaggle's "id,has_cactus"); a path column
 * still missing is the first column left.
 */
function chooseColumns(table: CsvTable, options: Omit<CsvLabelsOptions, 'file'>, headerless: boolean): Chosen {
  const { header } = table;
  const notes: string[] = [];
  const list = header.map((h) => `"${h}"`).join(', ');
  const given = (name: string | undefined, role: string): number | null => {
    if (name === undefined) return null;
    const i = findGiven(header, name);
    if (i === null) notes.push(`there is no column "${name}" for the ${role} (the columns are ${list})`);
    return i;
  };
  const taken = new Set<number>();
  const take = (i: number | null): number | null => (i === null ? null : (taken.add(i), i));
  let label = take(given(options.labelColumn, 'labels'));
  let path = take(given(options.pathColumn, 'file names'));
  const splitGiven = options.splitColumn !== undefined;
  let split = take(given(options.splitColumn ?? undefined, 'splits'));
  if (headerless) {
    const byContent = chooseByContent(table, taken);
    path ??= take(byContent.path);
    if (!splitGiven) split ??= take(byContent.split);
    label ??= take(byContent.label === path || byContent.label === split ? null : byContent.label);
  }
  label ??= take(findByName(header, LABEL_NAMES, taken));
  path ??= take(findByName(header, PATH_NAMES, taken));
  if (!splitGiven) split ??= take(findByName(header, SPLIT_NAMES, taken));
  if (header.length === 2) {
    if (label === null && path !== null) label = take(1 - path);
    if (path === null && label !== null) path = take(1 - label);
  }
  if (path === null && label !== null) path = take(header.findIndex((_, i) => !taken.has(i)));
  if (path === -1) path = null;
  return { path, label, split, notes };
}

async function readTable(file: string): Promise<{ table: CsvTable; encoding: string; headerless: boolean }> {
  const shown = displayPath(file);
  let bytes: Buffer;
  try {
    const info = await stat(fsPath(file));
    if (!info.isFile()) throw new CsvLabelsError(`cannot read labels from ${shown}: not a file`);
    if (info.size > MAX_CSV_BYTES)
      throw new CsvLabelsError(`cannot read labels from ${shown}: ${Math.round(info.size / 2 ** 20)} MB is too large for a labels file`);
    bytes = await readFile(fsPath(file));
  } catch (error) {
    if (error instanceof CsvLabelsError) throw error;
    throw new CsvLabelsError(`cannot read labels from ${shown}: ${describeFsError(error)}`);
  }
  const { text, encoding } = decodeCsvBytes(bytes);
  if (bytes.includes(0) && !encoding.startsWith('utf-16'))
    throw new CsvLabelsError(`cannot read labels from ${shown}: it is not a text file`);
  const parsed = parseCsv(text);
  if (parsed.header.length === 0) throw new CsvLabelsError(`cannot read labels from ${shown}: the file is empty`);
  const headerless = withoutHeader(parsed);
  return { table: headerless ?? parsed, encoding, headerless: headerless !== null };
}

/** Why these columns cannot be used (no label column, or no file column), naming the file and its columns; else null. */
function fatalOf(file: string, header: string[], chosen: Chosen, options: Omit<CsvLabelsOptions, 'file'>): string | null {
  if (chosen.label !== null && chosen.path !== null) return null;
  const list = header.map((h) => `"${h}"`).join(', ');
  const what = chosen.label === null ? 'the labels' : 'the file names';
  const namedWrong = options.labelColumn !== undefined && chosen.label === null ? ` there is no column "${options.labelColumn}";` : '';
  return `cannot read labels from ${displayPath(file)}:${namedWrong} no column holds ${what} (its columns are ${list}); name the label column`;
}

/**
 * The header of a labels file and the columns an import would use (with the ones named), for the
 * import dialog's pickers and for lds import to stop before it creates anything.
 */
export async function readCsvColumns(options: CsvLabelsOptions): Promise<CsvColumns> {
  const path = pathFromString(resolve(options.file));
  const { table, encoding, headerless } = await readTable(path);
  const chosen = chooseColumns(table, options, headerless);
  const name = (i: number | null): string | null => (i === null ? null : (table.header[i] ?? null));
  return {
    file: displayPath(path),
    encoding,
    delimiter: table.delimiter,
    columns: table.header,
    rows: table.rows.length,
    detected: { path: name(chosen.path), label: name(chosen.label), split: name(chosen.split) },
    error: fatalOf(path, table.header, chosen, options),
    notes: chosen.notes,
  };
}

/**
 * Reads a labels CSV and picks its columns. Fatal (CsvLabelsError) only when the file cannot be read
 * or no column holds the labels: then the message names the file and the columns it has.
 */
export async function readCsvLabels(options: CsvLabelsOptions): Promise<CsvLabels> {
  const file = pathFromString(resolve(options.file));
  const { table, encoding, headerless } = await readTable(file);
  const chosen = chooseColumns(table, options, headerless);
  const fatal = fatalOf(file, table.header, chosen, options);
  if (fatal !== null || chosen.label === null || chosen.path === null) throw new CsvLabelsError(fatal ?? 'no label column');
  return { file, encoding, table, path: chosen.path, label: chosen.label, split: chosen.split, notes: chosen.notes };
}

/** What the CSV says about one imported file. */
export interface CsvPlacement {
  /** The class name; null when rows disagree (a conflict: the file stays unlabelled). */
  className: string | null;
  split: Split | null;
  /** Every label the rows gave, in order of first appearance (two or more: a conflict). */
  labels: string[];
  line: number;
}

export interface CsvMatch {
  /** By catalogue path of the scanned file. */
  placements: Map<string, CsvPlacement>;
  report: CsvLabelsReport;
}

interface FileRef {
  path: string;
}

/** Slash-separated, without "./", extension lower-cased when it is an image's. */
function keyOf(path: string): string {
  const p = path
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/{2,}/g, '/');
  const dot = p.lastIndexOf('.');
  return isImageFileName(p.slice(p.lastIndexOf('/') + 1)) ? p.slice(0, dot) + p.slice(dot).toLowerCase() : p;
}

const stemOf = (key: string): string => (isImageFileName(key.slice(key.lastIndexOf('/') + 1)) ? key.slice(0, key.lastIndexOf('.')) : key);

class Index<T> {
  readonly #map = new Map<string, Set<T>>();
  add(key: string, value: T): void {
    let set = this.#map.get(key);
    if (!set) this.#map.set(key, (set = new Set()));
    set.add(value);
  }
  get(key: string): T[] {
    return [...(this.#map.get(key) ?? [])];
  }
}

/**
 * Finds the file each row names: by its path relative to an imported folder, the folder above it or
 * the CSV's own folder (or an absolute path); failing that by a file name unique among the imported
 * files; a name without an image extension (an id) matches the file's name without its extension.
 * Case is tried exactly first, then ignored.
 */
function fileFinder<T extends FileRef>(files: T[], bases: string[]): (value: string) => { found: T } | { ambiguous: T[] } | null {
  const byRel = new Index<T>();
  const byName = new Index<T>();
  for (const file of files) {
    const shown = displayPath(file.path);
    const rels = new Set([shown]);
    for (const base of bases) {
      const rel = relative(base, shown);
      if (rel && !rel.startsWith('..') && !isAbsolute(rel)) rels.add(rel.split(sep).join('/'));
    }
    for (const rel of rels) {
      const key = keyOf(rel);
      byRel.add(key, file);
      byRel.add(key.toLowerCase(), file);
      byRel.add(`\0${stemOf(key)}`, file);
      byRel.add(`\0${stemOf(key).toLowerCase()}`, file);
    }
    const name = keyOf(basename(shown));
    byName.add(name, file);
    byName.add(name.toLowerCase(), file);
    byName.add(`\0${stemOf(name)}`, file);
    byName.add(`\0${stemOf(name).toLowerCase()}`, file);
  }
  return (value) => {
    let key = keyOf(value);
    if (isAbsolute(value)) key = keyOf(displayPath(pathFromString(resolve(value))));
    const hasExtension = isImageFileName(key.slice(key.lastIndexOf('/') + 1));
    const name = key.slice(key.lastIndexOf('/') + 1);
    const tries: Array<[Index<T>, string]> = hasExtension
      ? [
          [byRel, key],
          [byRel, key.toLowerCase()],
          [byName, name],
          [byName, name.toLowerCase()],
        ]
      : [
          [byRel, `\0${key}`],
          [byRel, `\0${key.toLowerCase()}`],
          [byName, `\0${name}`],
          [byName, `\0${name.toLowerCase()}`],
        ];
    for (const [index, k] of tries) {
      const hits = index.get(k);
      if (hits.length === 1) return { found: hits[0] as T };
      if (hits.length > 1) return { ambiguous: hits };
    }
    return null;
  };
}

/**
 * Matches the rows of a labels CSV to the scanned files. Nothing here is fatal: a row naming no file,
 * naming one ambiguously, repeating one, disagreeing with another about a file's label, or giving an
 * empty label or an unknown split is counted and reported with its line, and the rest is used.
 */
export function matchCsvLabels<T extends FileRef>(csv: CsvLabels, files: T[], roots: string[]): CsvMatch {
  const { table } = csv;
  const bases = [...new Set([...roots.flatMap((r) => [resolve(r), dirname(resolve(r))]), dirname(csv.file)].map(displayPath))];
  const find = fileFinder(files, bases);
  const counts = Object.fromEntries(CSV_PROBLEM_KINDS.map((k) => [k, 0])) as Record<CsvProblemKind, number>;
  const problems: CsvLabelsReport['problems'] = [];
  const problem = (line: number, kind: CsvProblemKind, message: string): void => {
    counts[kind]++;
    if (problems.length < MAX_PROBLEMS) problems.push({ line, kind, message });
  };
  for (const note of csv.notes) problem(1, 'column', note);
  for (const p of table.problems) problem(p.line, 'syntax', p.message);

  const placements = new Map<string, CsvPlacement>();
  const cell = (row: CsvRow, i: number | null): string => (i === null ? '' : (row.cells[i] ?? '').trim());
  for (const row of table.rows) {
    const named = cell(row, csv.path);
    if (!named) {
      problem(row.line, 'empty_path', 'no file name');
      continue;
    }
    const hit = find(named);
    if (hit === null) {
      problem(row.line, 'missing_file', `${named}: no such file among the imported images`);
      continue;
    }
    if ('ambiguous' in hit) {
      const some = hit.ambiguous
        .slice(0, 3)
        .map((f) => displayPath(f.path))
        .join(', ');
      problem(
        row.line,
        'ambiguous',
        `${named} matches ${hit.ambiguous.length} files (${some}${hit.ambiguous.length > 3 ? ', …' : ''}); give its path relative to the imported folder`,
      );
      continue;
    }
    const raw = cell(row, csv.label);
    const label = raw.slice(0, 64).trim();
    if (!label) {
      problem(row.line, 'empty_label', `${named}: the label is empty; the file is left as it is`);
      continue;
    }
    const splitText = cell(row, csv.split);
    let split: Split | null = null;
    if (splitText) {
      split = splitFromFolderName(splitText);
      if (split === null)
        problem(row.line, 'unknown_split', `${named}: split "${splitText}" is not train, validation (val, valid) or test; ignored`);
    }
    const placement = placements.get(hit.found.path);
    if (!placement) {
      placements.set(hit.found.path, { className: label, split, labels: [label], line: row.line });
      continue;
    }
    if (placement.labels.includes(label)) {
      problem(row.line, 'duplicate', `${named} is listed again (first on line ${placement.line})`);
      continue;
    }
    placement.labels.push(label);
    placement.className = null;
    problem(
      row.line,
      'conflict',
      `${named} is labelled ${placement.labels.map((l) => `"${l}"`).join(' and ')} (first on line ${placement.line}); it stays unlabelled until you label it`,
    );
  }

  const used = new Set([csv.path, csv.label, csv.split]);
  const report: CsvLabelsReport = {
    file: displayPath(csv.file),
    encoding: csv.encoding,
    delimiter: table.delimiter,
    columns: {
      path: table.header[csv.path] ?? '',
      label: table.header[csv.label] ?? '',
      split: csv.split === null ? null : (table.header[csv.split] ?? null),
    },
    ignoredColumns: table.header.filter((_, i) => !used.has(i)),
    rows: table.rows.length,
    labelled: [...placements.values()].filter((p) => p.className !== null).length,
    split: 0,
    unlisted: files.filter((f) => !placements.has(f.path)).length,
    problemCounts: counts,
    problems,
  };
  return { placements, report };
}
