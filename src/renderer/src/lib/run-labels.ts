/** A run id's random tail: ids of one day share their date and time prefix, so the tail tells two apart. */
export function shortRunId(id: string): string {
  const tail = id.split('-').at(-1);
  return tail && tail.length >= 4 ? tail : id;
}
