import { describe, expect, it } from 'vitest';
import { abiSchemaFile, generateAbiSchema } from '../../scripts/generate-abi-schema.ts';
import { type MacroContext, parseMacroContext, parseMacroResult } from '../../src/core/abi.ts';

const validContext: MacroContext = {
  macro: 'youtube',
  params: {
    id: { type: 'str', value: 'dQw4w9WgXcQ' },
    start: { type: 'int', value: 43 },
    ratio: { type: 'float', value: 2 },
    autoplay: { type: 'bool', value: false },
  },
  args: [{ type: 'str', value: 'first' }],
  env: { preview: true, language: 'en', base_url: 'https://blog.example/' },
  post: {
    id: 'a1',
    title: 'Hello',
    slug: 'hello',
    status: 'published',
    tags: ['python'],
    categories: [],
    published_at: null,
    front_matter: { cover: { src: 'a.png', width: 640 }, draft_note: null },
    reading_minutes: 3,
  },
};

/** The context with one part replaced, as a caller with a bug might build it. */
function contextWith(change: Record<string, unknown>): unknown {
  return { ...validContext, ...change };
}

function contextError(input: unknown): string {
  const parsed = parseMacroContext(input);
  if (parsed.ok) throw new Error('expected the context to be rejected');
  return parsed.error;
}

function resultError(input: unknown): string {
  const parsed = parseMacroResult(input, 'youtube.py');
  if (parsed.ok) throw new Error('expected the result to be rejected');
  return parsed.error;
}

describe('macro context', () => {
  it('accepts a well-formed context unchanged', () => {
    expect(parseMacroContext(validContext)).toEqual({ ok: true, value: validContext });
  });

  it('rejects a value whose JSON type does not fit its tag, naming where', () => {
    const error = contextError(contextWith({ params: { start: { type: 'int', value: 1.5 } } }));
    expect(error).toBe(
      'Invalid macro context: params.start.value: Invalid input: expected int, received number',
    );
  });

  it('rejects an unknown type tag and an untagged value', () => {
    const error = contextError(contextWith({ args: [{ type: 'list', value: [] }, 'bare'] }));
    const expected = 'expected a typed value {type: "str" | "int" | "float" | "bool", value}';
    expect(error).toBe(`Invalid macro context: args[0].type: ${expected}; args[1]: ${expected}`);
  });

  it('quotes a parameter name that is not an identifier', () => {
    const error = contextError(contextWith({ params: { 'data-x': { type: 'float', value: Number.NaN } } }));
    expect(error).toBe(
      'Invalid macro context: params["data-x"].value: Invalid input: expected number, received NaN',
    );
  });

  it('rejects a missing env field and an unknown top-level key', () => {
    const error = contextError(contextWith({ env: { preview: false, language: 'en' }, extra: 1 }));
    expect(error).toBe(
      'Invalid macro context: env.base_url: Invalid input: expected string, received undefined; ' +
        'Unrecognized key: "extra"',
    );
  });

  it('requires the core of the post and plain JSON in the rest', () => {
    const { tags: _tags, ...postWithoutTags } = validContext.post;
    expect(contextError(contextWith({ post: postWithoutTags }))).toBe(
      'Invalid macro context: post.tags: Invalid input: expected array, received undefined',
    );
    const postWithDate = { ...validContext.post, front_matter: { when: new Date(0) } };
    expect(contextError(contextWith({ post: postWithDate }))).toBe(
      'Invalid macro context: post.front_matter.when: ' +
        'expected a JSON value (string, number, boolean, null, array or object)',
    );
  });
});

describe('macro result', () => {
  it('expands a bare string to html without warnings', () => {
    expect(parseMacroResult('<p>hi</p>', 'youtube.py')).toEqual({
      ok: true,
      value: { html: '<p>hi</p>', warnings: [] },
    });
  });

  it('accepts html with or without warnings', () => {
    expect(parseMacroResult({ html: '', warnings: ['youtube: id is required'] }, 'youtube.py')).toEqual({
      ok: true,
      value: { html: '', warnings: ['youtube: id is required'] },
    });
    expect(parseMacroResult({ html: '<b>x</b>' }, 'youtube.py')).toEqual({
      ok: true,
      value: { html: '<b>x</b>', warnings: [] },
    });
  });

  it('names the script and the path of each problem', () => {
    expect(resultError({ html: 5, warnings: ['ok', 7] })).toBe(
      'youtube.py: invalid result from render(): html: must be a str; warnings[1]: must be a str',
    );
    expect(resultError({ html: '', warnings: 'one' })).toBe(
      'youtube.py: invalid result from render(): warnings: must be a list of str',
    );
  });

  it('rejects what is neither a str nor a dict, and keys the ABI does not know', () => {
    // Pyodide converts a Python None to undefined.
    expect(resultError(undefined)).toBe(
      'youtube.py: invalid result from render(): render() must return a str or a dict with "html"',
    );
    expect(resultError(['<p>'])).toBe(
      'youtube.py: invalid result from render(): render() must return a str or a dict with "html"',
    );
    expect(resultError({ html: '', warning: ['typo'] })).toBe(
      'youtube.py: invalid result from render(): Unrecognized key: "warning"',
    );
  });
});

describe('JSON Schema', () => {
  it(`is committed up to date in ${abiSchemaFile}`, async () => {
    await expect(
      generateAbiSchema(),
      `${abiSchemaFile} is stale: regenerate it with \`npm run abi:schema\``,
    ).toMatchFileSnapshot(`../../${abiSchemaFile}`);
  });

  it('names every shape of the ABI', () => {
    const schema: unknown = JSON.parse(generateAbiSchema());
    expect(Object.keys((schema as { $defs: object }).$defs).sort()).toEqual([
      'JsonValue',
      'MacroContext',
      'MacroEnv',
      'MacroResult',
      'MacroValue',
      'Media',
      'Post',
      'SiteSnapshot',
    ]);
  });
});
