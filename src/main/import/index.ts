export { importFolders, type ImportProgress } from './import-folders';
export { rescanCatalogue, type RescanResult } from './rescan';
export { layoutOf, seededSplit, splitFromFolderName, type FolderLayout } from './layout';
export { scanFolders, type ScanResult, type ScannedFile, type SkippedFile } from './scan';
export { CsvLabelsError, matchCsvLabels, readCsvColumns, readCsvLabels, type CsvLabels, type CsvPlacement } from './csv-labels';
export { decodeCsvBytes, parseCsv, sniffDelimiter, type CsvTable } from './csv';
