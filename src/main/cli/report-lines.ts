import type { EditedFile, LabelConflict } from '@shared/contract';

/** The lines an import or rescan report prints about edited files and label conflicts. */
export function reportLines(edited: EditedFile[], conflicts: LabelConflict[]): string[] {
  return [
    ...edited.map((e) => `edited in place: ${e.path} (${e.className === null ? 'still unlabelled' : `keeps its label ${e.className}`})`),
    ...conflicts.map(
      (c) =>
        `label conflict: image ${c.imageId} is under ${c.classes.join(' and ')} (${c.paths.join(', ')}); ` +
        `it stays unlabelled until you label it (lds label ${c.imageId} --class NAME)`,
    ),
  ];
}
