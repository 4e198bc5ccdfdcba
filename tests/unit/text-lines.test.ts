import { describe, expect, it } from 'vitest';
import { TextLines } from '../../src/core/text-lines';

describe('TextLines', () => {
  const lines = new TextLines('ab\r\ncd\ref\n\ngh');

  it('turns offsets into 1-based lines and columns, each kind of line break counting once', () => {
    expect([0, 2, 4, 7, 10, 11, 13].map((offset) => lines.pointAt(offset))).toEqual([
      { offset: 0, line: 1, column: 1 },
      { offset: 2, line: 1, column: 3 },
      { offset: 4, line: 2, column: 1 },
      { offset: 7, line: 3, column: 1 },
      { offset: 10, line: 4, column: 1 },
      { offset: 11, line: 5, column: 1 },
      { offset: 13, line: 5, column: 3 },
    ]);
  });

  it('turns a line and column back into an offset in the text as given', () => {
    expect(lines.pointOnLine(2, 1)).toEqual({ offset: 8, line: 3, column: 2 });
  });

  it('gives each line without its break, and nothing past the last', () => {
    expect([0, 1, 2, 3, 4, 5].map((index) => lines.lineText(index))).toEqual([
      'ab',
      'cd',
      'ef',
      '',
      'gh',
      '',
    ]);
  });

  it('counts UTF-16 code units, so an emoji takes two columns', () => {
    expect(new TextLines('🐍x').pointAt(2)).toEqual({ offset: 2, line: 1, column: 3 });
  });
});
