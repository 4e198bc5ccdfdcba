import { describe, expect, it } from 'vitest';
import type { MacroValue } from '../../src/core/abi';
import {
  isMacroName,
  type MacroScan,
  type ParsedMacro,
  scanMacroAt,
  scanMacros,
} from '../../src/core/macro-syntax';

/** The macro at the start of `text`, which must be well-formed. */
function macro(text: string): ParsedMacro {
  const scan = scanMacroAt(text, 0);
  if (!scan?.ok) throw new Error(`not a well-formed macro: ${text} → ${JSON.stringify(scan)}`);
  return scan.macro;
}

/** The problem that makes the macro at the start of `text` malformed. */
function malformation(text: string): Extract<MacroScan, { ok: false }>['problem'] {
  const scan = scanMacroAt(text, 0);
  if (scan?.ok !== false) throw new Error(`expected a malformed macro: ${text} → ${JSON.stringify(scan)}`);
  return scan.problem;
}

const str = (value: string): MacroValue => ({ type: 'str', value });
const int = (value: number): MacroValue => ({ type: 'int', value });
const float = (value: number): MacroValue => ({ type: 'float', value });
const bool = (value: boolean): MacroValue => ({ type: 'bool', value });

describe('names', () => {
  it('reads a bare call with its offsets and source', () => {
    expect(macro('[[youtube]] after')).toEqual({
      name: 'youtube',
      source: '[[youtube]]',
      params: {},
      args: [],
      start: 0,
      end: 11,
    });
  });

  it('lower-cases the name for resolution and keeps the source as written', () => {
    const call = macro('[[YouTube_Embed2 ID=x]]');
    expect(call.name).toBe('youtube_embed2');
    expect(call.source).toBe('[[YouTube_Embed2 ID=x]]');
    expect(call.params).toEqual({ ID: str('x') });
  });

  it('accepts a name starting with an underscore', () => {
    expect(macro('[[_private]]').name).toBe('_private');
  });

  it.each([
    ['youtube', true],
    ['2col', true],
    ['_x', true],
    ['2024', false],
    ['', false],
    ['a-b', false],
  ])('isMacroName(%j) is %j', (slug, callable) => {
    expect(isMacroName(slug)).toBe(callable);
  });

  it('accepts a name starting with a digit, as a script slug may', () => {
    expect(macro('[[2col left="a" right="b"]]')).toMatchObject({ name: '2col', params: { left: str('a') } });
    expect(macro('[[404_page]]').name).toBe('404_page');
  });

  it('scans from the given offset', () => {
    const scan = scanMacroAt('see [[x a=1]]', 4);
    expect(scan).toEqual({
      ok: true,
      macro: { name: 'x', source: '[[x a=1]]', params: { a: int(1) }, args: [], start: 4, end: 13 },
      problems: [],
    });
  });

  it.each([
    '[[ x]]',
    '[[1, 2]]',
    '[[2024]]',
    '[[12 x]]',
    '[[-x]]',
    '[[]]',
    '[x]]',
    'x[[y]]',
    '[[',
    '[[[x]]',
    '[[é]]',
  ])('%j opens no macro at offset 0, so it is text and not a problem', (text) => {
    expect(scanMacroAt(text, 0)).toBeNull();
  });
});

describe('layout', () => {
  it('lets parameters span lines, separated by any mix of spaces, tabs and line breaks', () => {
    const call = macro('[[figure\n  src="a.png"\r\n\talt=Cat\n  width=300\n]]');
    expect(call.params).toEqual({ src: str('a.png'), alt: str('Cat'), width: int(300) });
    expect(call.end).toBe(call.source.length);
  });

  it('keeps line breaks inside a quoted value', () => {
    expect(macro('[[quote text="line one\nline two"]]').params).toEqual({ text: str('line one\nline two') });
  });

  it('allows whitespace before the closing brackets', () => {
    expect(macro('[[x a=1   ]]').params).toEqual({ a: int(1) });
  });

  it.each(['[[x a=b]]', '[[x a =b]]', '[[x a= b]]', '[[x a = b]]', '[[x a\n=\nb]]'])(
    'allows whitespace around = in %j',
    (text) => {
      expect(macro(text).params).toEqual({ a: str('b') });
    },
  );

  it('takes the next thing after = as the value, even if it has an = itself', () => {
    expect(macro('[[x a= b=c]]').params).toEqual({ a: str('b=c') });
  });

  it('closes at the first ]] outside quotes', () => {
    const call = macro('[[x a=b]]] tail');
    expect(call.params).toEqual({ a: str('b') });
    expect(call.source).toBe('[[x a=b]]');
  });
});

describe('unquoted values', () => {
  it('end at whitespace or ]] and may hold =, a single ] and inner quotes', () => {
    expect(macro('[[x url=https://x.org/?a=1&b=2 t=a]b title=Don\'t say=a"b"]]').params).toEqual({
      url: str('https://x.org/?a=1&b=2'),
      t: str('a]b'),
      title: str("Don't"),
      say: str('a"b"'),
    });
  });

  it.each<[string, MacroValue]>([
    ['true', bool(true)],
    ['false', bool(false)],
    ['0', int(0)],
    ['123', int(123)],
    ['-3', int(-3)],
    ['9007199254740991', int(9007199254740991)],
    ['-9007199254740991', int(-9007199254740991)],
    ['1.5', float(1.5)],
    ['2.0', float(2)],
    ['-0.25', float(-0.25)],
    ['0.5', float(0.5)],
    ['1.50', float(1.5)],
    ['+3', str('+3')],
    ['007', str('007')],
    ['-0', str('-0')],
    ['.5', str('.5')],
    ['5.', str('5.')],
    ['1e5', str('1e5')],
    ['1.5e3', str('1.5e3')],
    ['0x10', str('0x10')],
    ['1_000', str('1_000')],
    ['NaN', str('NaN')],
    ['Infinity', str('Infinity')],
    ['True', str('True')],
    ['FALSE', str('FALSE')],
    ['yes', str('yes')],
    ['hello', str('hello')],
  ])('%s is typed as %j', (written, expected) => {
    expect(macro(`[[x v=${written}]]`).params.v).toEqual(expected);
    expect(macro(`[[x ${written}]]`).args).toEqual([expected]);
  });

  it('keeps an integer beyond the safe range as a string, with a warning at the value', () => {
    const scan = scanMacroAt('[[x n=9007199254740992]]', 0);
    expect(scan).toMatchObject({
      ok: true,
      macro: { params: { n: str('9007199254740992') } },
      problems: [
        {
          offset: 6,
          message:
            '9007199254740992 in macro "x" is too large to pass as a number exactly, so it is passed as a string',
        },
      ],
    });
  });

  it('keeps a float too large for a double as a string, with a warning', () => {
    const huge = `${'9'.repeat(400)}.5`;
    const scan = scanMacroAt(`[[x ${huge}]]`, 0);
    expect(scan).toMatchObject({ ok: true, macro: { args: [str(huge)] }, problems: [{ offset: 4 }] });
  });
});

describe('quoted values', () => {
  it.each(['"123"', "'123'"])('%s is always a string', (written) => {
    expect(macro(`[[x v=${written}]]`).params.v).toEqual(str('123'));
  });

  it.each(['"true"', '"1.5"', '""', "''"])('%s stays a string', (written) => {
    expect(macro(`[[x v=${written}]]`).params.v).toEqual(str(written.slice(1, -1)));
  });

  it.each<[string, string]>([
    [String.raw`"say \"hi\""`, 'say "hi"'],
    [String.raw`'it\'s'`, "it's"],
    [String.raw`"back\\slash"`, 'back\\slash'],
    [String.raw`"a\]b"`, 'a]b'],
    [String.raw`"C:\Users\new"`, String.raw`C:\Users\new`],
    [String.raw`"ends with \\"`, 'ends with \\'],
    [`"it's"`, "it's"],
    [`'say "hi"'`, 'say "hi"'],
    [`"a]]b [[c"`, 'a]]b [[c'],
    [`"spaces  and\ttabs"`, 'spaces  and\ttabs'],
  ])('%s reads as %j', (written, value) => {
    expect(macro(`[[x v=${written}]]`).params.v).toEqual(str(value));
  });
});

describe('parameters and arguments', () => {
  it('collects positional values in order, typed, between named ones', () => {
    const call = macro('[[gallery cats 3 a=1 "two words" 2.5 b=x true]]');
    expect(call.args).toEqual([str('cats'), int(3), str('two words'), float(2.5), bool(true)]);
    expect(call.params).toEqual({ a: int(1), b: str('x') });
  });

  it('keeps keys case-sensitive and allows - and _ in them', () => {
    expect(macro('[[x projectId=a projectid=b data-id=7 _k=1]]').params).toEqual({
      projectId: str('a'),
      projectid: str('b'),
      'data-id': int(7),
      _k: int(1),
    });
  });

  it('lets the last of a duplicate key win, with a warning at the later key', () => {
    expect(scanMacroAt('[[x id=1 other=2 id="3"]]', 0)).toEqual({
      ok: true,
      macro: expect.objectContaining({ params: { id: str('3'), other: int(2) } }),
      problems: [
        { offset: 17, message: 'Parameter "id" is given more than once in macro "x"; the last value wins' },
      ],
    });
  });

  it('stores a key named like an Object.prototype member as an ordinary key', () => {
    const params = macro('[[x __proto__=1 constructor=2]]').params;
    expect(Object.keys(params)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(JSON.stringify(params)).toBe(
      '{"__proto__":{"type":"int","value":1},"constructor":{"type":"int","value":2}}',
    );
  });
});

describe('malformed macros', () => {
  it.each<[string, number, string]>([
    ['[[x a=1', 0, 'Macro "x" is never closed: add "]]" after its last parameter'],
    ['[[x', 0, 'Macro "x" is never closed: add "]]" after its last parameter'],
    ['[[x a=1 ] ]', 0, 'Macro "x" is never closed: add "]]" after its last parameter'],
    ['[[x a=1 [[y]]', 0, 'Macro "x" is not closed with "]]" before the next "[["'],
    ['[[x a=b[[y]]', 0, 'Macro "x" is not closed with "]]" before the next "[["'],
    ['[[x a="oops]]', 6, 'Quoted value in macro "x" is never closed: add the closing "'],
    ["[[x 'oops]]", 4, 'Quoted value in macro "x" is never closed: add the closing \''],
    ['[[x a="b\\"]]', 6, 'Quoted value in macro "x" is never closed: add the closing "'],
    ['[[x a="b"c]]', 9, 'Expected a space or "]]" after a quoted value in macro "x", found "c"'],
    ['[[x "a"=b]]', 7, 'Expected a space or "]]" after a quoted value in macro "x", found "="'],
    ['[[x=1]]', 3, 'Expected a space or "]]" after the macro name in macro "x", found "="'],
    ['[[a.b]]', 3, 'Expected a space or "]]" after the macro name in macro "a", found "."'],
    ['[[foo-bar]]', 5, 'Expected a space or "]]" after the macro name in macro "foo", found "-"'],
    ['[[x =1]]', 4, 'Missing parameter name before "=" in macro "x"'],
    ['[[x 1=2]]', 4, '"1" is not a valid parameter name in macro "x": use letters, digits, _ and -'],
    ['[[x a=]]', 5, 'Missing value after "a=" in macro "x"'],
    ['[[x a= ]]', 5, 'Missing value after "a=" in macro "x"'],
  ])('%j is malformed at offset %i', (text, offset, message) => {
    expect(malformation(text)).toEqual({ offset, message });
  });

  it('names the macro in its original spelling lower-cased', () => {
    expect(malformation('[[YouTube id="x]]').message).toContain('macro "youtube"');
  });
});

describe('scanMacros on plain text', () => {
  it('finds every macro with its offset, line and column', () => {
    const text = 'intro [[a]]\nsecond [[B x=1\n  y=2]] and [[c "q"]]';
    const { calls, warnings } = scanMacros(text);
    expect(warnings).toEqual([]);
    expect(calls.map(({ name, start, end, line, column }) => ({ name, start, end, line, column }))).toEqual([
      { name: 'a', start: 6, end: 11, line: 1, column: 7 },
      { name: 'b', start: 19, end: 34, line: 2, column: 8 },
      { name: 'c', start: 39, end: 48, line: 3, column: 13 },
    ]);
    for (const call of calls) expect(text.slice(call.start, call.end)).toBe(call.source);
  });

  it('counts \\r\\n and a lone \\r as one line break each', () => {
    const { calls } = scanMacros('a\r\nb\rc [[x]]');
    expect(calls[0]).toMatchObject({ start: 7, line: 3, column: 3 });
  });

  it('locates warnings on later lines', () => {
    const { calls, warnings } = scanMacros('ok [[a]]\n\n  [[b t="x]]\nmore [[c]]');
    expect(calls.map((call) => call.name)).toEqual(['a', 'c']);
    expect(warnings).toEqual([
      {
        message: 'Quoted value in macro "b" is never closed: add the closing "',
        offset: 18,
        line: 3,
        column: 9,
      },
    ]);
  });

  it('takes \\[[ as a literal, and \\\\[[ as a backslash before a macro', () => {
    expect(scanMacros('\\[[x]] and \\[[y a="1"]]').calls).toEqual([]);
    expect(scanMacros('\\\\[[x]]').calls.map((call) => call.start)).toEqual([2]);
  });

  it('resumes after a malformed macro’s [[ and finds the next one', () => {
    const { calls, warnings } = scanMacros('[[a x=1 [[b y=2]]');
    expect(calls.map((call) => call.source)).toEqual(['[[b y=2]]']);
    expect(warnings).toMatchObject([{ line: 1, column: 1 }]);
  });

  it('reports problems of well-formed macros too', () => {
    expect(scanMacros('\n[[x a=1 a=2]]').warnings).toMatchObject([{ line: 2, column: 9 }]);
  });
});

describe('reference desktop app content', () => {
  // Calls as the reference app writes them, with the string values it hands its macros.
  it.each<[string, string, Record<string, string>]>([
    ['[[render_hero title=Welcome]]', 'render_hero', { title: 'Welcome' }],
    ['[[render_hero title="Hello, world"]]', 'render_hero', { title: 'Hello, world' }],
    ["[[render_hero title='Single quoted']]", 'render_hero', { title: 'Single quoted' }],
    ['[[Render_Hero title=Welcome]]', 'render_hero', { title: 'Welcome' }],
    ['[[youtube id=dQw4w9WgXcQ start=43]]', 'youtube', { id: 'dQw4w9WgXcQ', start: '43' }],
    ['[[youtube id="dQw4w9WgXcQ" start="43"]]', 'youtube', { id: 'dQw4w9WgXcQ', start: '43' }],
    ['[[vimeo id=76979871 autoplay=true]]', 'vimeo', { id: '76979871', autoplay: 'true' }],
    ['[[chart ratio=0.75 label=Q1-2024]]', 'chart', { ratio: '0.75', label: 'Q1-2024' }],
    ['[[link href=https://example.org/a?b=c#d]]', 'link', { href: 'https://example.org/a?b=c#d' }],
    ['[[note text="Multi\nline"]]', 'note', { text: 'Multi\nline' }],
    ['[[tag_cloud]]', 'tag_cloud', {}],
    ['[[box projectId=default slug=render_hero]]', 'box', { projectId: 'default', slug: 'render_hero' }],
    ['[[quote by="O\'Brien" text="Don\'t panic"]]', 'quote', { by: "O'Brien", text: "Don't panic" }],
    ['[[zip code=02134]]', 'zip', { code: '02134' }],
  ])('%j keeps its name and string values', (text, name, values) => {
    const call = macro(text);
    expect(call.name).toBe(name);
    expect(call.args).toEqual([]);
    expect(Object.keys(call.params)).toEqual(Object.keys(values));
    for (const [key, written] of Object.entries(values)) {
      const param = call.params[key]!;
      // Typing changes only the type of unquoted numbers and booleans, never what they say.
      if (param.type === 'str') expect(param.value).toBe(written);
      else if (param.type === 'bool') expect(String(param.value)).toBe(written);
      else expect(param.value).toBe(Number(written));
    }
  });
});
