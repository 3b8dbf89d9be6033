/**
 * The dataset as `<out>/<split>/<class>/<file>` plus labels.csv: the layout Keras'
 * flow_from_directory / image_dataset_from_directory and PyTorch's ImageFolder read, for users who
 * outgrow the app. Files are copied (images stay where the user keeps them).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

export interface DatasetExportRow {
  imageId: number;
  sha256: string;
  path: string;
  className: string;
  split: string;
}

export interface DatasetExportResult {
  dir: string;
  images: number;
  labelsCsv: string;
}

/** Class and file names as folder names: path separators and control characters replaced. */
export function safeName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const cleaned = name.replace(/[/\\:*?"<>|\x00-\x1f]/g, '_').trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? '_' : cleaned;
}

const csvField = (v: string | number): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function exportDatasetFolders(
  rows: readonly DatasetExportRow[],
  outDir: string,
  onProgress?: (done: number, total: number) => void,
): DatasetExportResult {
  if (existsSync(outDir) && readdirSync(outDir).length)
    throw new Error(`${outDir} is not empty: choose an empty or new folder for the dataset export`);
  mkdirSync(outDir, { recursive: true });
  const used = new Set<string>();
  const lines = ['file,split,class,sha256,source_path'];
  rows.forEach((row, i) => {
    const dir = join(safeName(row.split), safeName(row.className));
    let name = safeName(basename(row.path));
    // Two images can share a file name in one class (from different folders): keep both.
    if (used.has(join(dir, name).toLowerCase())) name = `${basename(name, extname(name))}-${row.imageId}${extname(name)}`;
    const rel = join(dir, name);
    used.add(rel.toLowerCase());
    mkdirSync(join(outDir, dir), { recursive: true });
    copyFileSync(row.path, join(outDir, rel));
    lines.push([rel.split('\\').join('/'), row.split, row.className, row.sha256, row.path].map(csvField).join(','));
    onProgress?.(i + 1, rows.length);
  });
  const labelsCsv = join(outDir, 'labels.csv');
  writeFileSync(labelsCsv, `${lines.join('\n')}\n`);
  return { dir: outDir, images: rows.length, labelsCsv };
}
