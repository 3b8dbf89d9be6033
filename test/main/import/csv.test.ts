import { describe, expect, it } from 'vitest';
import { decodeCsvBytes, parseCsv, sniffDelimiter } from '../../../src/main/import';

const cells = (text: string): string[][] => parseCsv(text).rows.map((r) => r.cells);

describe('the CSV reader', () => {
  it('reads quoted commas, doubled quotes, line ends inside quotes and CRLF, with the line each row starts on', () => {
    const table = parseCsv('file,label\r\n"a, b.jpg","say ""cat"""\r\n"multi\r\nline.jpg",dog\r\nplain.jpg,\r\n');
    expect(table.delimiter).toBe(',');
    expect(table.header).toEqual(['file', 'label']);
    expect(table.rows).toEqual([
      { line: 2, cells: ['a, b.jpg', 'say "cat"'] },
      { line: 3, cells: ['multi\r\nline.jpg', 'dog'] },
      { line: 5, cells: ['plain.jpg', ''] },
    ]);
    expect(table.problems).toEqual([]);
  });

  it('drops a BOM, skips blank lines, reads LF, lone CR and a last line without an end', () => {
    expect(parseCsv('\uFEFFid,breed\n\n1,pug\r2,corgi').header).toEqual(['id', 'breed']);
    expect(cells('\uFEFFid,breed\n\n1,pug\r2,corgi')).toEqual([
      ['1', 'pug'],
      ['2', 'corgi'],
    ]);
  });

  it('sniffs semicolons, tabs and bars from the header, ignoring ones inside quotes', () => {
    expect(sniffDelimiter('file;label\na.jpg;cat')).toBe(';');
    expect(sniffDelimiter('file\tlabel\n')).toBe('\t');
    expect(sniffDelimiter('"a,b,c";label;x\n')).toBe(';');
    expect(sniffDelimiter('only\n')).toBe(',');
    expect(cells('file;label\n"x;y.jpg";cat\n')).toEqual([['x;y.jpg', 'cat']]);
    expect(cells('file|label\nx.jpg|cat\n')).toEqual([['x.jpg', 'cat']]);
  });

  it('keeps empty fields and reports a quote that never closes', () => {
    expect(cells('a,b,c\n,,\n')).toEqual([['', '', '']]);
    const table = parseCsv('a,b\nx.jpg,"open\nnever closed\n');
    expect(table.rows).toEqual([{ line: 2, cells: ['x.jpg', 'open\nnever closed\n'] }]);
    expect(table.problems).toEqual([{ line: 2, message: 'a quoted field is never closed (it runs to the end of the file)' }]);
  });

  it('is lenient with a quote inside an unquoted field and text after a closing quote', () => {
    expect(cells('a,b\nit"s.jpg,"x"y\n')).toEqual([['it"s.jpg', 'xy']]);
  });

  it('decodes UTF-8 with and without BOM, UTF-16 with BOM, and falls back to Windows-1252', () => {
    expect(decodeCsvBytes(Buffer.from('\uFEFFcafé', 'utf8'))).toEqual({ text: 'café', encoding: 'utf-8' });
    expect(decodeCsvBytes(Buffer.from('café', 'utf8'))).toEqual({ text: 'café', encoding: 'utf-8' });
    expect(decodeCsvBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\tb', 'utf16le')]))).toEqual({
      text: 'a\tb',
      encoding: 'utf-16le',
    });
    expect(decodeCsvBytes(Buffer.from([0x63, 0x61, 0x66, 0xe9]))).toEqual({ text: 'café', encoding: 'windows-1252' });
  });
});
