import { describe, expect, it } from 'vitest';
import { type PlacedMacroCall, parseMacroDocument } from '../../src/core/markdown-macros';

/** Stand-in macro output that shows which call went where. */
const box = (call: PlacedMacroCall, index: number) => `<div class="${call.name}">${index}</div>`;

function render(markdown: string): string {
  return parseMacroDocument(markdown).render(box);
}

function names(markdown: string): string[] {
  return parseMacroDocument(markdown).calls.map((call) => call.name);
}

describe('placement', () => {
  it('replaces a paragraph holding only a macro with the macro’s HTML, no <p> around it', () => {
    expect(render('Intro.\n\n[[youtube id="dQw4w9WgXcQ"]]\n\nOutro.')).toBe(
      '<p>Intro.</p>\n<div class="youtube">0</div>\n<p>Outro.</p>\n',
    );
  });

  it('keeps a macro inside a sentence inline, in its paragraph', () => {
    expect(render('Watch [[YouTube id=x]] now.')).toBe('<p>Watch <div class="youtube">0</div> now.</p>\n');
  });

  it('places a lone macro that spans several lines as a block', () => {
    const doc = parseMacroDocument('[[figure\n  src="a.png"\n  caption="A cat"\n]]\n');
    expect(doc.calls).toMatchObject([{ placement: 'block', params: { caption: { value: 'A cat' } } }]);
    expect(doc.render(box)).toBe('<div class="figure">0</div>\n');
  });

  it('keeps a multi-line macro inside a sentence inline', () => {
    expect(render('Before [[note\ntext="two\nlines"]] after.')).toBe(
      '<p>Before <div class="note">0</div> after.</p>\n',
    );
  });

  it('renders two macros on consecutive lines inline, as they share a paragraph', () => {
    const doc = parseMacroDocument('[[a]]\n[[b]]');
    expect(doc.calls.map((call) => call.placement)).toEqual(['inline', 'inline']);
    expect(doc.render(box)).toBe('<p><div class="a">0</div>\n<div class="b">1</div></p>\n');
  });

  it('places a lone macro in a list item or block quote as a block', () => {
    expect(render('- one\n- [[x]]\n\n> [[y]]')).toBe(
      '<ul>\n<li>one</li>\n<li>\n<div class="x">0</div>\n</li>\n</ul>\n' +
        '<blockquote>\n<div class="y">1</div>\n</blockquote>\n',
    );
  });

  it('keeps macros in headings, table cells and link text inline', () => {
    const doc = parseMacroDocument('# [[h]]\n\n| [[c]] |\n| --- |\n| [[d]] |\n\n[see [[l]]](https://x.org)');
    expect(doc.calls.map((call) => [call.name, call.placement])).toEqual([
      ['h', 'inline'],
      ['c', 'inline'],
      ['d', 'inline'],
      ['l', 'inline'],
    ]);
    expect(doc.render(box)).toBe(
      '<h1><div class="h">0</div></h1>\n' +
        '<table>\n<thead>\n<tr>\n<th><div class="c">1</div></th>\n</tr>\n</thead>\n' +
        '<tbody>\n<tr>\n<td><div class="d">2</div></td>\n</tr>\n</tbody>\n</table>\n' +
        '<p><a href="https://x.org">see <div class="l">3</div></a></p>\n',
    );
  });

  it('does not expand a macro that would close after the link text it starts in ends', () => {
    // The quoted `]` balances the link text, which so ends before the macro's `]]`.
    const doc = parseMacroDocument('[a [[x t="]"]](u)');
    expect(doc.calls).toEqual([]);
    expect(doc.render(box)).toBe('<p><a href="u">a [[x t=&quot;]&quot;]</a></p>\n');
  });

  it('treats emphasis and other Markdown around a macro as usual', () => {
    expect(render('*[[x a="*"]]* and **bold**')).toBe(
      '<p><em><div class="x">0</div></em> and <strong>bold</strong></p>\n',
    );
  });
});

describe('where macros are not expanded', () => {
  it('leaves inline code alone', () => {
    expect(names('Use `[[youtube id=x]]` to embed.')).toEqual([]);
    expect(render('Use `[[youtube id=x]]` to embed.')).toBe(
      '<p>Use <code>[[youtube id=x]]</code> to embed.</p>\n',
    );
  });

  it('leaves fenced code alone, multi-line macros included', () => {
    const markdown = '```markdown\n[[youtube id=x]]\n[[note\ntext=y]]\n```';
    expect(names(markdown)).toEqual([]);
    expect(render(markdown)).toBe(
      '<pre><code class="language-markdown">[[youtube id=x]]\n[[note\ntext=y]]\n</code></pre>\n',
    );
  });

  it('leaves indented code alone', () => {
    expect(names('Text.\n\n    [[youtube id=x]]\n')).toEqual([]);
    expect(render('Text.\n\n    [[youtube id=x]]\n')).toBe(
      '<p>Text.</p>\n<pre><code>[[youtube id=x]]\n</code></pre>\n',
    );
  });

  it('leaves an image description alone, without warnings', () => {
    const doc = parseMacroDocument('![a [[x]] and [[y t="b]]](p.png)');
    expect(doc.calls).toEqual([]);
    expect(doc.warnings).toEqual([]);
    expect(doc.render(box)).toBe('<p><img src="p.png" alt="a [[x]] and [[y t=&quot;b]]"></p>\n');
  });

  it('writes \\[[ as a literal [[', () => {
    expect(names('\\[[youtube id=x]]')).toEqual([]);
    expect(render('\\[[youtube id=x]]')).toBe('<p>[[youtube id=x]]</p>\n');
  });

  it('does not let \\[[ turn the rest into a reference link', () => {
    expect(render('\\[[x]]\n\n[x]: https://x.org')).toBe('<p>[[x]]</p>\n');
  });

  it('reads \\\\[[ as an escaped backslash before a macro', () => {
    expect(render('\\\\[[x]]')).toBe('<p>\\<div class="x">0</div></p>\n');
  });

  it('shows \\[[ in code as written', () => {
    expect(render('`\\[[x]]`')).toBe('<p><code>\\[[x]]</code></p>\n');
  });

  it('leaves [[ not followed by a name as text without a warning', () => {
    const doc = parseMacroDocument('Matrix [[1, 2], [3, 4]] and [[ spaced ]].');
    expect(doc.calls).toEqual([]);
    expect(doc.warnings).toEqual([]);
  });

  it('escapes raw HTML written in the Markdown', () => {
    expect(render('<script>x()</script> [[a]]')).toBe(
      '<p>&lt;script&gt;x()&lt;/script&gt; <div class="a">0</div></p>\n',
    );
  });
});

describe('malformed macros', () => {
  it('leaves an unterminated macro as text, read as ordinary Markdown, with a located warning', () => {
    const doc = parseMacroDocument('# Title\n\nSome text\nthen [[youtube id=x *and* more\n\nNext [[ok]].');
    expect(doc.render(box)).toBe(
      '<h1>Title</h1>\n<p>Some text\nthen [[youtube id=x <em>and</em> more</p>\n' +
        '<p>Next <div class="ok">0</div>.</p>\n',
    );
    expect(doc.calls.map((call) => call.name)).toEqual(['ok']);
    expect(doc.warnings).toEqual([
      {
        message: 'Macro "youtube" is never closed: add "]]" after its last parameter',
        offset: 24,
        line: 4,
        column: 6,
      },
    ]);
  });

  it('locates a bad quote on a later line of a multi-line macro', () => {
    const markdown = 'Intro\n\n[[card\n  title="A"\n  body="unclosed\n  size=2]]\n\nEnd';
    const doc = parseMacroDocument(markdown);
    expect(doc.calls).toEqual([]);
    expect(doc.warnings).toEqual([
      {
        message: 'Quoted value in macro "card" is never closed: add the closing "',
        offset: 33,
        line: 5,
        column: 8,
      },
    ]);
    expect(markdown[33]).toBe('"');
    expect(doc.render(box)).toBe(
      '<p>Intro</p>\n<p>[[card\ntitle=&quot;A&quot;\nbody=&quot;unclosed\nsize=2]]</p>\n<p>End</p>\n',
    );
  });

  it('flags text glued to a quoted value', () => {
    const doc = parseMacroDocument('See [[x a="b"c]].');
    expect(doc.render(box)).toBe('<p>See [[x a=&quot;b&quot;c]].</p>\n');
    expect(doc.warnings).toMatchObject([{ line: 1, column: 14 }]);
  });

  it('finds a well-formed macro after a malformed one in the same paragraph', () => {
    const doc = parseMacroDocument('[[a x=1 [[b]]');
    expect(doc.calls).toMatchObject([{ name: 'b', start: 8, column: 9, placement: 'inline' }]);
    expect(doc.warnings).toMatchObject([
      { message: 'Macro "a" is not closed with "]]" before the next "[["' },
    ]);
    expect(doc.render(box)).toBe('<p>[[a x=1 <div class="b">0</div></p>\n');
  });

  it('reports a macro cut by a blank line as never closed', () => {
    const doc = parseMacroDocument('[[x a=1\n\nb=2]]');
    expect(doc.calls).toEqual([]);
    expect(doc.warnings).toMatchObject([
      { line: 1, column: 1, message: expect.stringContaining('never closed') },
    ]);
  });

  it('reports problems that do not stop a macro, located in the document', () => {
    const doc = parseMacroDocument('Para.\n\n> [[x id=1\n> id=2 n=99999999999999999]]');
    expect(doc.calls).toMatchObject([{ params: { id: { type: 'int', value: 2 } } }]);
    expect(doc.warnings).toMatchObject([
      { line: 4, column: 3, offset: 20, message: expect.stringContaining('"id" is given more than once') },
      { line: 4, column: 10, offset: 27, message: expect.stringContaining('too large') },
    ]);
  });
});

describe('positions', () => {
  it('gives each call its offsets, line and column in the document', () => {
    const markdown = 'Title\n=====\n\nA [[a]] b\nc [[b x=1]]\n\n1. item [[c]]\n   more [[d]]\n';
    const calls = parseMacroDocument(markdown).calls;
    expect(calls.map(({ name, line, column }) => [name, line, column])).toEqual([
      ['a', 4, 3],
      ['b', 5, 3],
      ['c', 7, 9],
      ['d', 8, 9],
    ]);
    for (const call of calls) expect(markdown.slice(call.start, call.end)).toBe(call.source);
  });

  it('finds calls in headings with a closing sequence and in repeated table cells', () => {
    const markdown = '## [[h]] ##\n\n| [[x]] | [[x]] |\n|---|---|\n| `[[x]]` | [[x]] |';
    expect(parseMacroDocument(markdown).calls.map(({ line, column }) => [line, column])).toEqual([
      [1, 4],
      [3, 3],
      [3, 11],
      [5, 13],
    ]);
  });

  it('counts offsets in the text as given when lines end with \\r\\n', () => {
    const markdown = 'One\r\n\r\nTwo [[x a=1\r\nb=2]] three\r\n\r\n[[y]]\r\n';
    const calls = parseMacroDocument(markdown).calls;
    expect(calls.map(({ name, start, end, line, column }) => ({ name, start, end, line, column }))).toEqual([
      { name: 'x', start: 11, end: 25, line: 3, column: 5 },
      { name: 'y', start: 35, end: 40, line: 6, column: 1 },
    ]);
    expect(calls[0]!.source).toBe('[[x a=1\nb=2]]');
    expect(markdown.slice(calls[1]!.start, calls[1]!.end)).toBe('[[y]]');
  });

  it('spans container markers of later lines in start…end but not in source', () => {
    const markdown = '> [[x a=1\n> b=2]]';
    const [call] = parseMacroDocument(markdown).calls;
    expect(call).toMatchObject({ source: '[[x a=1\nb=2]]', start: 2, end: 17, line: 1, column: 3 });
  });
});

describe('rendering', () => {
  it('passes each call and its index in document order, and may render again', () => {
    const doc = parseMacroDocument('[[a]] [[b]]\n\n[[c]]');
    const seen: string[] = [];
    doc.render((call, index) => {
      seen.push(`${index}:${call.name}:${call.placement}`);
      return '';
    });
    expect(seen).toEqual(['0:a:inline', '1:b:inline', '2:c:block']);
    expect(doc.render(() => '<i>x</i>')).toBe('<p><i>x</i> <i>x</i></p>\n<i>x</i>\n');
    expect(doc.render(box)).toBe(
      '<p><div class="a">0</div> <div class="b">1</div></p>\n<div class="c">2</div>\n',
    );
  });

  it('renders a document without macros as plain Markdown', () => {
    const doc = parseMacroDocument('Just *text*.');
    expect(doc.calls).toEqual([]);
    expect(doc.render(box)).toBe('<p>Just <em>text</em>.</p>\n');
  });
});

describe('a mixed document', () => {
  const markdown = [
    '# Trip to [[Place name="Lisbon"]]',
    '',
    'We flew in on day 1. Here is the view:',
    '',
    '[[photo',
    '  src="view.jpg"',
    "  caption='From the castle \\'s walls'",
    '  width=800 ratio=1.5 rounded=true',
    ']]',
    '',
    'Write `[[photo src=x]]` to embed a photo, or \\[[photo]] in prose.',
    '',
    '```',
    '[[not_expanded]]',
    '```',
    '',
    '- [[map lat=38.71 lon=-9.14 zoom=12]]',
    '- Budget: [[money 120 EUR]] per day',
    '',
    'Broken: [[oops title="no end]]',
  ].join('\n');

  it('collects the calls with typed values', () => {
    const doc = parseMacroDocument(markdown);
    expect(
      doc.calls.map(({ name, params, args, line, column, placement }) => ({
        name,
        params,
        args,
        line,
        column,
        placement,
      })),
    ).toEqual([
      {
        name: 'place',
        params: { name: { type: 'str', value: 'Lisbon' } },
        args: [],
        line: 1,
        column: 11,
        placement: 'inline',
      },
      {
        name: 'photo',
        params: {
          src: { type: 'str', value: 'view.jpg' },
          caption: { type: 'str', value: "From the castle 's walls" },
          width: { type: 'int', value: 800 },
          ratio: { type: 'float', value: 1.5 },
          rounded: { type: 'bool', value: true },
        },
        args: [],
        line: 5,
        column: 1,
        placement: 'block',
      },
      {
        name: 'map',
        params: {
          lat: { type: 'float', value: 38.71 },
          lon: { type: 'float', value: -9.14 },
          zoom: { type: 'int', value: 12 },
        },
        args: [],
        line: 17,
        column: 3,
        placement: 'block',
      },
      {
        name: 'money',
        params: {},
        args: [
          { type: 'int', value: 120 },
          { type: 'str', value: 'EUR' },
        ],
        line: 18,
        column: 11,
        placement: 'inline',
      },
    ]);
    expect(doc.warnings).toEqual([
      {
        message: 'Quoted value in macro "oops" is never closed: add the closing "',
        offset: markdown.indexOf('"no end'),
        line: 20,
        column: 22,
      },
    ]);
  });

  it('renders the golden HTML', () => {
    expect(render(markdown)).toBe(
      [
        '<h1>Trip to <div class="place">0</div></h1>',
        '<p>We flew in on day 1. Here is the view:</p>',
        '<div class="photo">1</div>',
        '<p>Write <code>[[photo src=x]]</code> to embed a photo, or [[photo]] in prose.</p>',
        '<pre><code>[[not_expanded]]',
        '</code></pre>',
        '<ul>',
        '<li>',
        '<div class="map">2</div>',
        '</li>',
        '<li>Budget: <div class="money">3</div> per day</li>',
        '</ul>',
        '<p>Broken: [[oops title=&quot;no end]]</p>',
        '',
      ].join('\n'),
    );
  });
});
