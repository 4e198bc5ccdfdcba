/*
 * Reads one Python literal (dict, list, tuple, str, int, float, True, False, None) from Python
 * source, as `ast.literal_eval` would accept it, without running anything: enough for a
 * declaration such as a macro's `PARAMS` (macro-params.ts). Comments and line breaks inside
 * brackets are skipped; adjacent strings are joined, as Python joins them.
 */

export type PythonScalar = string | number | boolean | null;

export type PythonLiteral =
  | { readonly kind: 'scalar'; readonly value: PythonScalar; readonly offset: number }
  | { readonly kind: 'list'; readonly items: readonly PythonLiteral[]; readonly offset: number }
  | {
      readonly kind: 'dict';
      readonly entries: readonly (readonly [
        key: { value: PythonScalar; offset: number },
        value: PythonLiteral,
      ])[];
      readonly offset: number;
    };

export type LiteralRead =
  | { readonly ok: true; readonly value: PythonLiteral; readonly end: number }
  | { readonly ok: false; readonly message: string; readonly offset: number };

const closers: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
const simpleEscapes: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
  '\n': '',
};

class LiteralError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** The literal that starts at `offset` (after optional spaces). */
export function readPythonLiteral(source: string, offset: number): LiteralRead {
  const reader = new LiteralReader(source, offset);
  try {
    const value = reader.value(0);
    return { ok: true, value, end: reader.position };
  } catch (error) {
    if (error instanceof LiteralError) return { ok: false, message: error.message, offset: error.offset };
    throw error;
  }
}

class LiteralReader {
  constructor(
    private readonly source: string,
    public position: number,
  ) {}

  value(depth: number): PythonLiteral {
    this.skip(depth > 0);
    const at = this.position;
    const character = this.source[at];
    if (character === undefined) throw new LiteralError('the value ends too early', at);
    if (character in closers) return this.container(character, depth);
    if (/[rRbBuUfF]?["']/.test(this.source.slice(at, at + 2))) return this.strings(depth);
    const word = /^(?:-?(?:\d[\d_]*)(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?|True|False|None)(?![\w.])/.exec(
      this.source.slice(at),
    )?.[0];
    if (word === undefined) {
      throw new LiteralError(
        'only plain values can be read here: strings, numbers, True, False, None, dicts and lists',
        at,
      );
    }
    this.position += word.length;
    const scalar =
      word === 'True'
        ? true
        : word === 'False'
          ? false
          : word === 'None'
            ? null
            : Number(word.replaceAll('_', ''));
    return { kind: 'scalar', value: scalar, offset: at };
  }

  private container(opener: string, depth: number): PythonLiteral {
    const at = this.position++;
    const closer = closers[opener]!;
    const items: PythonLiteral[] = [];
    const entries: [{ value: PythonScalar; offset: number }, PythonLiteral][] = [];
    for (;;) {
      this.skip(true);
      if (this.source[this.position] === closer) break;
      const item = this.value(depth + 1);
      if (opener === '{') {
        if (item.kind !== 'scalar')
          throw new LiteralError('a dict key must be a string or a number', item.offset);
        this.skip(true);
        if (this.source[this.position] !== ':')
          throw new LiteralError('expected ":" after a dict key', this.position);
        this.position++;
        entries.push([{ value: item.value, offset: item.offset }, this.value(depth + 1)]);
      } else {
        items.push(item);
      }
      this.skip(true);
      if (this.source[this.position] === ',') this.position++;
      else if (this.source[this.position] !== closer)
        throw new LiteralError(`expected "," or "${closer}"`, this.position);
    }
    this.position++;
    return opener === '{' ? { kind: 'dict', entries, offset: at } : { kind: 'list', items, offset: at };
  }

  /** One string, or several written side by side, which Python joins. */
  private strings(depth: number): PythonLiteral {
    const at = this.position;
    let value = '';
    do {
      value += this.string();
      const before = this.position;
      this.skip(depth > 0);
      if (!/[rRuU]?["']/.test(this.source.slice(this.position, this.position + 2))) {
        this.position = before;
        break;
      }
    } while (this.position < this.source.length);
    return { kind: 'scalar', value, offset: at };
  }

  private string(): string {
    const start = this.position;
    let raw = false;
    if (/[rRbBuUfF]/.test(this.source[this.position]!)) {
      const prefix = this.source[this.position]!.toLowerCase();
      if (prefix === 'b' || prefix === 'f')
        throw new LiteralError('only plain strings can be read here', start);
      raw = prefix === 'r';
      this.position++;
    }
    const quote = this.source.startsWith(this.source[this.position]!.repeat(3), this.position)
      ? this.source[this.position]!.repeat(3)
      : this.source[this.position]!;
    this.position += quote.length;
    let value = '';
    while (this.position < this.source.length) {
      if (this.source.startsWith(quote, this.position)) {
        this.position += quote.length;
        return value;
      }
      const character = this.source[this.position]!;
      if (character === '\n' && quote.length === 1) break;
      if (character === '\\' && !raw) {
        const next = this.source[this.position + 1] ?? '';
        value += simpleEscapes[next] ?? `\\${next}`;
        this.position += 2;
        continue;
      }
      value += character;
      this.position++;
    }
    throw new LiteralError('a string is never closed', start);
  }

  /** Spaces; inside brackets also line breaks and comments. */
  private skip(multiline: boolean): void {
    for (;;) {
      const character = this.source[this.position];
      if (
        character === ' ' ||
        character === '\t' ||
        (multiline && (character === '\n' || character === '\r'))
      ) {
        this.position++;
      } else if (multiline && character === '#') {
        while (this.position < this.source.length && this.source[this.position] !== '\n') this.position++;
      } else if (character === '\\' && this.source[this.position + 1] === '\n') {
        this.position += 2;
      } else {
        return;
      }
    }
  }
}
