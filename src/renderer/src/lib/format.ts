/** 3000 → "3 000"-style grouping via the user's locale. */
export function formatCount(n: number): string {
  return n.toLocaleString();
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
