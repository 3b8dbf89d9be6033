/**
 * A CSV reader for the label files datasets come with (RFC 4180 and what spreadsheets really write):
 * a byte-order mark, quoted fields holding delimiters, line ends and doubled quotes, CRLF, LF or CR
 * line ends, and a delimiter sniffed from the header (comma, semicolon, tab or bar).
 */

export type CsvDelimiter = ',' | ';' | '\t' | '|';

export interface CsvRow {
  /** 1-based line of the file on which the row starts (a quoted field may span lines). */
  line: number;
  cells: string[];
}

export interface CsvTable {
  delimiter: CsvDelimiter;
  header: string[];
  /** Line of the header row (1 unless blank lines come first). */
  headerLine: number;
  rows: CsvRow[];
  /** Problems the reader worked round (an unterminated quote), each with its line. */
  problems: Array<{ line: number; message: string }>;
}

export interface DecodedText {
  text: string;
  /** The encoding the bytes were read as: utf-8 (with or without BOM), utf-16le/be (BOM), windows-1252. */
  encoding: string;
}

/**
 * Text from the bytes of a CSV file: a UTF-8 or UTF-16 byte-order mark says the encoding; bytes that
 * are not UTF-8 are read as Windows-1252, which is what Excel writes on Windows.
 */
export function decodeCsvBytes(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(body), encoding: 'windows-1252' };
  }
}

const DELIMITERS: CsvDelimiter[] = [',', ';', '\t', '|'];

/**
 * The delimiter of the first line, counting only outside quotes: the candidate that occurs most
 * often (a comma when none does, so a one-column file still reads).
 */
export function sniffDelimiter(text: string): CsvDelimiter {
  const counts = new Map<CsvDelimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && counts.has(c as CsvDelimiter)) counts.set(c as CsvDelimiter, (counts.get(c as CsvDelimiter) ?? 0) + 1);
  }
  let best: CsvDelimiter = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/**
 * Parses CSV text into a header and rows. A leading BOM is dropped; blank lines are skipped; a quote
 * inside an unquoted field is kept as it is (lenient, as spreadsheets are); an unterminated quoted
 * field runs to the end of the file and is reported.
 */
export function parseCsv(input: string, delimiter: CsvDelimiter = sniffDelimiter(input.replace(/^\uFEFF/, ''))): CsvTable {
  const text = input.replace(/^\uFEFF/, '');
  const records: CsvRow[] = [];
  const problems: CsvTable['problems'] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    let blank = true;
    // One record: fields until an unquoted line end or the end of the text.
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        blank = false;
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i] as string;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
          field += c;
          i++;
        }
        if (!closed) problems.push({ line: start, message: 'a quoted field is never closed (it runs to the end of the file)' });
        // Text after the closing quote up to the delimiter belongs to the field (`"a"b` reads as `ab`).
        while (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      } else {
        while (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
        if (field !== '') blank = false;
      }
      cells.push(field);
      if (i < n && text[i] === delimiter) {
        blank = false;
        i++;
        continue;
      }
      break;
    }
    // The line end: CRLF, LF or a lone CR.
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (!blank) records.push({ line: start, cells });
  }
  const [head, ...rows] = records;
  return { delimiter, header: head ? head.cells.map((h) => h.trim()) : [], headerLine: head?.line ?? 1, rows, problems };
}
