/*
 * A line diff for showing a user what an update would change in their script: the longest common
 * subsequence of lines, then unchanged runs folded down to a few lines of context.
 */

export type DiffLine =
  | { kind: 'same' | 'removed' | 'added'; text: string }
  /** Unchanged lines left out between two changes: how many. */
  | { kind: 'skipped'; count: number };

/** Beyond this many lines on a side the table would be too large; such texts are shown as replaced whole. */
const maxLines = 4000;

/** The changes from `before` to `after`, line by line, unchanged runs cut to `context` lines around each change. */
export function diffLines(before: string, after: string, context = 3): DiffLine[] {
  return foldUnchanged(compareLines(splitLines(before), splitLines(after)), context);
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\n|\r/);
  // A final line break ends the last line; it does not start an empty one.
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function compareLines(a: string[], b: string[]): DiffLine[] {
  if (a.length > maxLines || b.length > maxLines) {
    return [
      ...a.map((text) => ({ kind: 'removed' as const, text })),
      ...b.map((text) => ({ kind: 'added' as const, text })),
    ];
  }
  // common[i][j]: the longest common subsequence of a[i:] and b[j:], in one flat table.
  const width = b.length + 1;
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i * width + j] =
        a[i] === b[j]
          ? (common[(i + 1) * width + j + 1] as number) + 1
          : Math.max(common[(i + 1) * width + j] as number, common[i * width + j + 1] as number);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: 'same', text: a[i] as string });
      i++;
      j++;
    } else if ((common[(i + 1) * width + j] as number) >= (common[i * width + j + 1] as number)) {
      lines.push({ kind: 'removed', text: a[i++] as string });
    } else {
      lines.push({ kind: 'added', text: b[j++] as string });
    }
  }
  while (i < a.length) lines.push({ kind: 'removed', text: a[i++] as string });
  while (j < b.length) lines.push({ kind: 'added', text: b[j++] as string });
  return lines;
}

function foldUnchanged(lines: DiffLine[], context: number): DiffLine[] {
  const changed = lines.map((line) => line.kind !== 'same');
  const near = (index: number) =>
    changed.slice(Math.max(0, index - context), index + context + 1).some(Boolean);
  const folded: DiffLine[] = [];
  let skipped = 0;
  lines.forEach((line, index) => {
    if (line.kind !== 'same' || near(index)) {
      if (skipped > 0) folded.push({ kind: 'skipped', count: skipped });
      skipped = 0;
      folded.push(line);
    } else skipped++;
  });
  if (skipped > 0) folded.push({ kind: 'skipped', count: skipped });
  return folded;
}
