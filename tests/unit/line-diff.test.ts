import { describe, expect, it } from 'vitest';
import { type DiffLine, diffLines } from '../../src/core/line-diff';

/** The diff as `-`, `+`, ` ` and `… n` lines, to read at a glance. */
function shown(lines: DiffLine[]): string[] {
  return lines.map((line) =>
    line.kind === 'skipped'
      ? `… ${line.count}`
      : `${{ same: ' ', removed: '-', added: '+' }[line.kind]}${line.text}`,
  );
}

const numbered = (count: number, from = 1) =>
  Array.from({ length: count }, (_, index) => `line ${from + index}`);

describe('diffLines', () => {
  it('shows a changed line as removed then added, inside its context', () => {
    const before = 'a\nb\nc\n';
    const after = 'a\nB\nc\n';
    expect(shown(diffLines(before, after))).toEqual([' a', '-b', '+B', ' c']);
  });

  it('finds inserted and deleted lines without disturbing the common ones', () => {
    expect(
      shown(
        diffLines('def render(c):\n    return 1\n', 'import html\ndef render(c):\n    x = 2\n    return 1\n'),
      ),
    ).toEqual(['+import html', ' def render(c):', '+    x = 2', '     return 1']);
    expect(shown(diffLines('a\nb\nc\n', 'a\nc\n'))).toEqual([' a', '-b', ' c']);
  });

  it('folds unchanged runs to three lines of context around each change', () => {
    const before = numbered(20).join('\n');
    const after = [...numbered(9), 'changed', ...numbered(10, 11)].join('\n');
    expect(shown(diffLines(before, after))).toEqual([
      '… 6',
      ' line 7',
      ' line 8',
      ' line 9',
      '-line 10',
      '+changed',
      ' line 11',
      ' line 12',
      ' line 13',
      '… 7',
    ]);
  });

  it('treats CRLF and LF line ends alike, and a final line break as ending the last line', () => {
    // Nothing changed: every line folds away.
    expect(diffLines('a\r\nb\r\n', 'a\nb')).toEqual([{ kind: 'skipped', count: 2 }]);
    expect(shown(diffLines('', 'new\n'))).toEqual(['+new']);
  });

  it('shows very long texts as replaced whole rather than building a huge table', () => {
    const before = numbered(4001).join('\n');
    const lines = diffLines(before, `${before}\nmore`, 0);
    expect(lines.filter((line) => line.kind === 'removed')).toHaveLength(4001);
    expect(lines.filter((line) => line.kind === 'added')).toHaveLength(4002);
  });
});
