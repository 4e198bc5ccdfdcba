/** A place in a text: a UTF-16 offset and the 1-based line and column it falls on. */
export interface SourcePoint {
  readonly offset: number;
  readonly line: number;
  /** 1-based, in UTF-16 code units: a tab or an emoji half counts as one, as in CodeMirror. */
  readonly column: number;
}

/** `\r\n`, a lone `\r` and `\n` each end a line, the way markdown-it and CodeMirror split lines. */
const lineBreak = /\r\n|\r|\n/g;

/** The lines of a text, for turning offsets into line and column and back. */
export class TextLines {
  private readonly starts: number[] = [0];
  private readonly ends: number[] = [];

  constructor(private readonly text: string) {
    for (const match of text.matchAll(lineBreak)) {
      this.ends.push(match.index);
      this.starts.push(match.index + match[0].length);
    }
    this.ends.push(text.length);
  }

  /** Where `offset` falls; an offset just past a line's last character is still on that line. */
  pointAt(offset: number): SourcePoint {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { offset, line: low + 1, column: offset - this.starts[low]! + 1 };
  }

  /** The point `column` code units into 0-based line `lineIndex`. */
  pointOnLine(lineIndex: number, column: number): SourcePoint {
    return { offset: this.starts[lineIndex]! + column, line: lineIndex + 1, column: column + 1 };
  }

  /** The text of 0-based line `lineIndex`, without its line break; empty past the last line. */
  lineText(lineIndex: number): string {
    return this.text.slice(this.starts[lineIndex] ?? this.text.length, this.ends[lineIndex]);
  }
}
