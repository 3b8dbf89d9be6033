import type { EditedFile, LabelConflict, Split } from '@shared/contract';
import type { Catalogue, ImageFileRow, SplitSource } from '../catalogue';
import { displayPath, type ProbedImage } from '../images';

/** The counters and lists of an import or rescan report that this module fills in. */
export interface UpdateReport {
  recovered: number;
  edited: EditedFile[];
}

export interface FileStat {
  size: number;
  mtimeMs: number;
}

/** Where a path sits: its class folder (undefined: keep what the catalogue has) and its split folder. */
export interface PathPlacement {
  folderClassId?: number | null;
  folderSplit?: Split | null;
  /** The split of content never seen before, when no split folder says. */
  seededSplit?: (sha256: string) => Split;
}

/** same: the path held this content already; edited: it held other content; new: a path not known before. */
export interface ContentOutcome {
  path: 'same' | 'edited' | 'new';
  /** The content was not in the catalogue before. */
  newImage: boolean;
}

/**
 * What the catalogue believes after import and rescan find out what is at each path. One instance per
 * transaction: record what each path holds now, then finish() settles the status and folder label of
 * every image touched, comparing the class folders that hold it before and after.
 *
 * - A path that stops decoding makes its image corrupt; once every present path decodes again it is ok.
 * - New content at a known path (a file edited in place) takes over the path's label and split; the
 *   old image, once no path holds it, is removed, so it counts nowhere.
 * - A picture under two or more class folders is a label conflict: its folder label is cleared and
 *   stays so until the user labels it. Labels the user gave (or a model predicted) are never touched.
 */
export class CatalogueUpdate {
  /** Class folders holding each touched image when it was first touched in this transaction. */
  readonly #before = new Map<number, number[]>();
  /** Reported once labels are settled (new content that is already under another folder may conflict). */
  readonly #edited: Array<{ path: string; imageId: number }> = [];

  constructor(
    private readonly catalogue: Catalogue,
    private readonly report: UpdateReport,
  ) {}

  /** A known path that is no longer there. */
  missing(file: ImageFileRow): void {
    this.#touch(file.imageId);
    this.catalogue.images.updateFile({ ...file, missing: true });
  }

  /** A known path that is back, unchanged. */
  present(file: ImageFileRow, stat: FileStat): void {
    this.#touch(file.imageId);
    this.catalogue.images.updateFile({ ...file, ...stat, missing: false });
  }

  /** A known path that is there but whose bytes no longer decode: kept, so that a restore brings it back. */
  unreadable(file: ImageFileRow, stat: FileStat, placement: PathPlacement = {}): void {
    this.#touch(file.imageId);
    const folderClassId = placement.folderClassId === undefined ? file.folderClassId : placement.folderClassId;
    this.catalogue.images.updateFile({ ...file, ...stat, missing: false, unreadable: true, folderClassId });
  }

  /** A known path whose class folder is now another one (an unchanged file seen by a re-import). */
  reclaim(file: ImageFileRow, folderClassId: number | null): void {
    this.#touch(file.imageId);
    this.catalogue.images.updateFile({ ...file, folderClassId });
  }

  /** A path (known or not) that holds this decodable content now. */
  content(
    path: string,
    stat: FileStat,
    image: ProbedImage,
    known: ImageFileRow | undefined,
    placement: PathPlacement = {},
  ): ContentOutcome {
    const { images, labels } = this.catalogue;
    const folderClassId = placement.folderClassId === undefined ? (known?.folderClassId ?? null) : placement.folderClassId;
    const existing = images.bySha(image.sha256)?.id;
    // Damage belongs to the bytes: the latest decode of this content says whether it is damaged.
    if (existing !== undefined) images.setDamage(existing, image.damage);
    if (known && existing === known.imageId) {
      this.#touch(known.imageId);
      if (known.unreadable) this.report.recovered++;
      images.updateFile({ ...known, ...stat, missing: false, unreadable: false, folderClassId });
      return { path: 'same', newImage: false };
    }
    if (known) this.#touch(known.imageId);
    const imageId = existing ?? images.insert({ ...image, ...this.#placementOf(image.sha256, known, placement) });
    this.#touch(imageId);
    if (!known) {
      images.addFile(imageId, path, stat.size, stat.mtimeMs, folderClassId);
      return { path: 'new', newImage: existing === undefined };
    }
    images.updateFile({ id: known.id, imageId, ...stat, missing: false, unreadable: false, folderClassId });
    // The path keeps its label: an edited photo is still the picture the user labelled.
    const previous = labels.get(known.imageId);
    if (previous.classId !== null && labels.get(imageId).classId === null) labels.set({ ...previous, imageId });
    this.#edited.push({ path, imageId });
    if (images.deleteIfOrphan(known.imageId)) this.#before.delete(known.imageId);
    return { path: 'edited', newImage: existing === undefined };
  }

  /** Settles the status and folder label of every image touched; call once, at the end of the transaction. */
  finish(): void {
    const { images, labels } = this.catalogue;
    for (const [imageId, before] of this.#before) {
      if (images.split(imageId) === undefined) continue;
      images.refreshStatus(imageId);
      const after = images.folderClaims(imageId);
      if (sameIds(before, after)) continue;
      const label = labels.get(imageId);
      if (label.classId !== null && label.source !== 'folder') continue;
      const [only] = after;
      if (after.length > 1) {
        if (label.classId !== null) labels.set({ imageId, classId: null, source: 'folder', confidence: null });
      } else if (only !== undefined) {
        // A folder label follows its folder when the picture was moved to another class folder.
        const moved = label.classId !== null && label.classId !== only && before.length === 1 && before[0] === label.classId;
        if (label.classId === null || moved) labels.set({ imageId, classId: only, source: 'folder', confidence: null });
      }
    }
    this.#before.clear();
    for (const { path, imageId } of this.#edited.splice(0)) {
      const { classId } = labels.get(imageId);
      this.report.edited.push({
        path: displayPath(path),
        className: classId === null ? null : (this.catalogue.classes.get(classId)?.name ?? null),
      });
    }
  }

  #touch(imageId: number): void {
    if (!this.#before.has(imageId)) this.#before.set(imageId, this.catalogue.images.folderClaims(imageId));
  }

  #placementOf(sha256: string, known: ImageFileRow | undefined, placement: PathPlacement): { split: Split; splitSource: SplitSource } {
    if (placement.folderSplit) return { split: placement.folderSplit, splitSource: 'folder' };
    // Edited content stays in the split of the picture it replaces (no leak from train into validation).
    const inherited = known ? this.catalogue.images.placement(known.imageId) : undefined;
    if (inherited) return inherited;
    return { split: placement.seededSplit?.(sha256) ?? 'unassigned', splitSource: 'seeded' };
  }
}

/** The label conflicts among these images (all of them when ids is omitted), described for a report. */
export function describeConflicts(catalogue: Catalogue, among?: (imageId: number) => boolean): LabelConflict[] {
  const names = new Map(catalogue.classes.list().map((c) => [c.id, c.name]));
  return catalogue.images
    .conflicted()
    .filter((id) => among?.(id) ?? true)
    .map((imageId) => {
      const files = catalogue.images.files(imageId).filter((f) => !f.missing && f.folderClassId !== null);
      return {
        imageId,
        classes: catalogue.images.folderClaims(imageId).map((id) => names.get(id) ?? `class ${id}`),
        paths: files.map((f) => displayPath(f.path)),
      };
    });
}

function sameIds(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
