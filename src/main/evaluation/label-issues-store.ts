/**
 * The last label-issues report and the labels the user chose to keep, as one JSON file in the
 * project folder. Keeping is remembered per (image, label): relabelling the image and labelling it
 * back to the kept class keeps it kept; a different label is judged afresh.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { labelIssuesReportSchema, type LabelIssuesReport } from '@shared/contract/curation';

const fileSchema = z.object({
  report: labelIssuesReportSchema.nullable(),
  kept: z.array(z.object({ imageId: z.number().int(), label: z.string() })),
});
type StoreFile = z.infer<typeof fileSchema>;

export class LabelIssuesStore {
  constructor(readonly file: string) {}

  #read(): StoreFile {
    if (!existsSync(this.file)) return { report: null, kept: [] };
    try {
      const parsed = fileSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      // A damaged file loses only the last report and keep decisions, never the catalogue.
      return parsed.success ? parsed.data : { report: null, kept: [] };
    } catch {
      return { report: null, kept: [] };
    }
  }

  #write(data: StoreFile): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, this.file);
  }

  saveReport(report: LabelIssuesReport): void {
    this.#write({ ...this.#read(), report });
  }

  report(): LabelIssuesReport | null {
    return this.#read().report;
  }

  isKept(imageId: number, label: string): boolean {
    return this.#read().kept.some((k) => k.imageId === imageId && k.label === label);
  }

  keptSet(): Set<string> {
    return new Set(this.#read().kept.map((k) => `${k.imageId}:${k.label}`));
  }

  /** Records (keep) or forgets (undo) the decision to keep this label; answers how many are kept. */
  setKept(imageId: number, label: string, keep: boolean): number {
    const data = this.#read();
    const kept = data.kept.filter((k) => !(k.imageId === imageId && k.label === label));
    if (keep) kept.push({ imageId, label });
    this.#write({ ...data, kept });
    return kept.length;
  }
}
