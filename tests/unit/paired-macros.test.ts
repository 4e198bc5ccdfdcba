import { describe, expect, it } from 'vitest';
import { type PlacedMacroCall, parseMacroDocument } from '../../src/core/markdown-macros';

/** Stand-in output that shows which call went where, with its body's HTML inside. */
function renderNested(markdown: string, takesBody: readonly string[] = []): string {
  const doc = parseMacroDocument(markdown, { takesBody: (name) => takesBody.includes(name) });
  const htmlFor = (call: PlacedMacroCall, index: number): string =>
    call.body === undefined
      ? `<i>${call.name}</i>`
      : `<${call.name}>${doc.renderBody(index, htmlFor)}</${call.name}>`;
  return doc.render(htmlFor);
}

function shape(markdown: string) {
  return parseMacroDocument(markdown).calls.map(({ name, placement, depth, parent, body }) => ({
    name,
    placement,
    depth,
    parent,
    body: body?.source,
  }));
}

describe('paired calls on lines of their own', () => {
  it('encloses a Markdown body, parsed as blocks, and stands as a block', () => {
    const markdown = 'Intro.\n\n[[note kind=tip]]\nSome *text*.\n\n- a list\n[[/note]]\n\nOutro.';
    expect(shape(markdown)).toEqual([
      { name: 'note', placement: 'block', depth: 0, parent: undefined, body: 'Some *text*.\n\n- a list' },
    ]);
    expect(renderNested(markdown)).toBe(
      '<p>Intro.</p>\n<note><p>Some <em>text</em>.</p>\n<ul>\n<li>a list</li>\n</ul>\n</note>\n<p>Outro.</p>\n',
    );
  });

  it('needs no blank lines around it, and interrupts a paragraph', () => {
    expect(renderNested('Before\n[[note]]\nInside\n[[/note]]\nAfter')).toBe(
      '<p>Before</p>\n<note><p>Inside</p>\n</note>\n<p>After</p>\n',
    );
  });

  it('nests paired and single calls, inner calls pointing at the call whose body holds them', () => {
    const markdown = [
      '[[note]]',
      'Watch:',
      '',
      '[[details summary="More"]]',
      '[[youtube id=x]]',
      '[[/details]]',
      '[[/note]]',
    ].join('\n');
    expect(shape(markdown)).toEqual([
      { name: 'note', placement: 'block', depth: 0, parent: undefined, body: expect.any(String) },
      { name: 'details', placement: 'block', depth: 1, parent: 0, body: '[[youtube id=x]]' },
      { name: 'youtube', placement: 'block', depth: 2, parent: 1, body: undefined },
    ]);
    expect(renderNested(markdown)).toBe(
      '<note><p>Watch:</p>\n<details><i>youtube</i>\n</details>\n</note>\n',
    );
  });

  it('matches calls of the same name by nesting', () => {
    const markdown = '[[box]]\n[[box]]\ninner\n[[/box]]\nouter\n[[/box]]';
    expect(shape(markdown).map((call) => [call.depth, call.body])).toEqual([
      [0, '[[box]]\ninner\n[[/box]]\nouter'],
      [1, 'inner'],
    ]);
    expect(renderNested(markdown)).toBe('<box><box><p>inner</p>\n</box>\n<p>outer</p>\n</box>\n');
  });

  it('works inside a block quote and a list item', () => {
    expect(renderNested('> [[note]]\n> quoted\n> [[/note]]')).toBe(
      '<blockquote>\n<note><p>quoted</p>\n</note>\n</blockquote>\n',
    );
    expect(renderNested('- [[note]]\n  item\n  [[/note]]')).toBe(
      '<ul>\n<li>\n<note><p>item</p>\n</note>\n</li>\n</ul>\n',
    );
  });

  it('leaves calls inside a fenced code block alone, even a closing call', () => {
    const markdown = '[[note]]\n```\n[[/note]]\n```\n[[/note]]';
    expect(shape(markdown).map((call) => call.body)).toEqual(['```\n[[/note]]\n```']);
    expect(renderNested(markdown)).toBe('<note><pre><code>[[/note]]\n</code></pre>\n</note>\n');
  });

  it('locates the opening call and its closing line', () => {
    const [call] = parseMacroDocument('text\n\n  [[note a=1]]\nbody\n  [[/note]]\n').calls;
    expect(call).toMatchObject({ line: 3, column: 3, source: '[[note a=1]]', body: { closingLine: 5 } });
  });
});

describe('paired calls inside a paragraph', () => {
  it('encloses inline Markdown and stays inline beside other text', () => {
    const markdown = 'A [[mark color=red]]*hot* [[b]]take[[/b]][[/mark]] here.';
    expect(shape(markdown)).toEqual([
      { name: 'mark', placement: 'inline', depth: 0, parent: undefined, body: '*hot* [[b]]take[[/b]]' },
      { name: 'b', placement: 'inline', depth: 1, parent: 0, body: 'take' },
    ]);
    expect(renderNested(markdown)).toBe('<p>A <mark><em>hot</em> <b>take</b></mark> here.</p>\n');
  });

  it('is a block when the pair is all its paragraph holds', () => {
    expect(shape('[[b]]bold[[/b]]')).toMatchObject([{ placement: 'block' }]);
    expect(renderNested('[[b]]bold[[/b]]')).toBe('<b>bold</b>\n');
  });

  it('locates a pair in a later line of a paragraph', () => {
    const [call] = parseMacroDocument('first line\nthen [[b]]x\ny[[/b]]').calls;
    expect(call).toMatchObject({ line: 2, column: 6, body: { source: 'x\ny', closingLine: 3 } });
  });
});

describe('errors in paired calls', () => {
  it('reports a stray closing call at its place and keeps it as text', () => {
    const doc = parseMacroDocument('Fine.\n\nSome [[/note]] text');
    expect(doc.warnings).toEqual([
      { message: expect.stringMatching(/^\[\[\/note\]\] closes nothing/), offset: 12, line: 3, column: 6 },
    ]);
    expect(doc.render(() => '')).toBe('<p>Fine.</p>\n<p>Some [[/note]] text</p>\n');
  });

  it('reports a closing call that crosses another pair as stray', () => {
    const doc = parseMacroDocument('[[a]] [[b]] x [[/a]] [[/b]]');
    expect(doc.calls.map((call) => [call.name, call.body?.source])).toEqual([
      ['a', ' [[b]] x '],
      ['b', undefined],
    ]);
    expect(doc.warnings).toMatchObject([
      { message: expect.stringContaining('[[/b]] closes nothing'), column: 22 },
    ]);
  });

  it('reports an unclosed call of a macro that takes a body, at its line, and leaves it as text', () => {
    const markdown = 'Intro.\n\n[[note]]\nnever closed\n\n[[youtube id=x]]';
    const doc = parseMacroDocument(markdown, { takesBody: (name) => name === 'note' });
    expect(doc.calls.map((call) => call.name)).toEqual(['youtube']);
    expect(doc.warnings).toEqual([
      { message: expect.stringMatching(/^\[\[note\]\] is never closed/), offset: 8, line: 3, column: 1 },
    ]);
    expect(renderNested(markdown, ['note'])).toBe(
      '<p>Intro.</p>\n<p>[[note]]\nnever closed</p>\n<i>youtube</i>\n',
    );
  });

  it('treats a call without a closing call as a single call when its macro takes no body', () => {
    expect(shape('[[note]]\ntext')).toMatchObject([{ name: 'note', body: undefined }]);
  });

  it('refuses parameters on a closing call', () => {
    const doc = parseMacroDocument('[[b]]x[[/b y=1]]');
    expect(doc.warnings).toMatchObject([
      { message: expect.stringContaining('takes no parameters'), column: 7 },
    ]);
  });
});

describe('escapes around paired calls', () => {
  it('writes a literal [[ and [[/ with a backslash, outside and inside a body', () => {
    const markdown = '\\[[note]]\n\n[[note]]\nwrite \\[[/note]] to close\n[[/note]]';
    const doc = parseMacroDocument(markdown);
    expect(doc.calls.map((call) => call.body?.source)).toEqual(['write \\[[/note]] to close']);
    expect(renderNested(markdown)).toBe('<p>[[note]]</p>\n<note><p>write [[/note]] to close</p>\n</note>\n');
  });

  it('leaves an escaped closing line as body text', () => {
    expect(renderNested('[[note]]\n\\[[/note]]\n[[/note]]')).toBe('<note><p>[[/note]]</p>\n</note>\n');
  });

  it('keeps calls in code spans as written, even inside a body', () => {
    expect(renderNested('[[note]]\n`[[/note]]`\n[[/note]]')).toBe(
      '<note><p><code>[[/note]]</code></p>\n</note>\n',
    );
  });
});
