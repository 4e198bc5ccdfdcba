import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Script } from '../../src/core/script';
import { parseScriptFile, serializeScriptFile } from '../../src/core/script-file';

const fallbackTime = '2026-03-01T00:00:00.000Z';

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/reference-app/scripts/${name}`, import.meta.url), 'utf8');
}

const script: Script = {
  id: '0b8e5a52-5b1c-4a8e-9a3e-6f1d2c3b4a59',
  title: 'Word count',
  slug: 'word_count',
  kind: 'utility',
  entrypoint: 'main',
  enabled: true,
  body: 'def main():\r\n\tprint("héllo wörld 🐍")   \r\n\n',
  version: 4,
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-01-03T03:04:05.000Z',
};

function parse(text: string, slug = 'word_count') {
  return parseScriptFile(text, { slug, fallbackTime });
}

describe('script files', () => {
  it('round-trip a script, body byte for byte', () => {
    const text = serializeScriptFile(script);
    expect(text.startsWith('"""\n---\nid: "0b8e5a52')).toBe(true);
    expect(text.endsWith(`---\n"""\n${script.body}`)).toBe(true);
    const parsed = parse(text);
    expect(parsed).toMatchObject({ ok: true, value: { script } });
  });

  it('keep a header that did not change byte for byte, and only touch the fields that did', () => {
    const original = fixture('render_hero.py');
    const parsed = parse(original, 'render_hero');
    if (!parsed.ok) throw new Error(parsed.problem.reason);
    expect(serializeScriptFile(parsed.value.script, parsed.value.header)).toBe(original);

    const edited = { ...parsed.value.script, title: 'Hero """banner"""', body: 'x = 1\n', slug: 'hero' };
    const rewritten = serializeScriptFile(edited, parsed.value.header);
    expect(rewritten).toContain(
      'projectId: "default"\nslug: "hero"\ntitle: "Hero \\"\\"\\"banner\\"\\"\\""\n',
    );
    expect(parse(rewritten, 'hero')).toMatchObject({ ok: true, value: { script: edited } });
  });

  it('import the reference app files, filling in what they leave out', () => {
    const crlf = fixture('crlf_tool.py');
    const parsed = parse(crlf, 'crlf_tool');
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        script: {
          id: '7c1d2e3f-0000-4000-8000-000000000002',
          enabled: false,
          createdAt: fallbackTime,
          updatedAt: fallbackTime,
          body: 'def main():\r\n    print("tabs\\tand  trailing  ")  \r\n',
        },
      },
    });
    if (!parsed.ok) return;
    const rewritten = serializeScriptFile({ ...parsed.value.script, version: 2 }, parsed.value.header);
    // CRLF header kept, extra key kept, the body untouched.
    expect(rewritten).toMatch(/^"""\r\n---\r\nid: "7c1d2e3f[^\n]*\r\nslug: "crlf_tool"\r\n/);
    expect(rewritten).toContain('version: 2\r\n');
    expect(rewritten.endsWith(`---\r\n"""\r\n${parsed.value.script.body}`)).toBe(true);
  });

  it.each([
    ['an unclosed block', '"""\n---\nid: x\n', /never closed/, 1],
    ['broken YAML', '"""\n---\nid: [unclosed\n---\n"""\n', /not valid YAML/, 3],
    ['a bad kind', `"""\n---\nid: "${script.id}"\ntitle: T\nkind: plugin\n---\n"""\n`, /kind/, 5],
    ['a missing title', `"""\n---\nid: "${script.id}"\nkind: macro\n---\n"""\n`, /title/, 3],
    ['a list for front matter', '"""\n---\n- a\n---\n"""\n', /mapping/, 3],
  ])('report %s with a line', (_, text, reason, line) => {
    const parsed = parse(text);
    expect(parsed).toMatchObject({ ok: false, problem: { reason: expect.stringMatching(reason), line } });
  });

  it.each([
    ['with a metadata block', serializeScriptFile(script)],
    ['without one', 'print(1)\n'],
  ])('report a file name that is not a slug, %s, as such', (_, text) => {
    expect(parse(text, 'Word Count')).toEqual({
      ok: false,
      problem: {
        reason:
          'the file name “Word Count” is not a slug (lower-case a-z, 0-9 and _ only); rename it, e.g. to “word_count”',
      },
    });
  });
});

describe('plain script files (no metadata block)', () => {
  it.each([
    ['a utility', 'import sys\nprint(sys.version)\n', 'utility', 'main'],
    ['a macro by its render()', 'def render(context):\n    return "<b>hi</b>"\n', 'macro', 'render'],
    [
      'a transform by its transform()',
      'async def transform(post):\n    return post\n',
      'transform',
      'transform',
    ],
    ['a module docstring first', '"""Counts words."""\ndef main():\n    pass\n', 'utility', 'main'],
    ['a docstring block that is no metadata', '"""\nCounts words.\n"""\n', 'utility', 'main'],
  ])('are adopted: %s', (_, text, kind, entrypoint) => {
    const parsed = parse(text, 'tag_cloud_2');
    expect(parsed).toEqual({
      ok: true,
      value: {
        header: '',
        script: {
          id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
          title: 'Tag cloud 2',
          slug: 'tag_cloud_2',
          kind,
          entrypoint,
          enabled: true,
          body: text,
          version: 1,
          createdAt: fallbackTime,
          updatedAt: fallbackTime,
        },
      },
    });
  });

  it('get the same id from the same file name on every read, and another from another name', () => {
    const id = (slug: string) => {
      const parsed = parse('print(1)\n', slug);
      return parsed.ok ? parsed.value.script.id : undefined;
    };
    expect(id('tool')).toBe(id('tool'));
    expect(id('tool')).not.toBe(id('tool_2'));
  });

  it('get a whole metadata block, above the untouched code, when written back', () => {
    const text = 'def main():\r\n    print("plain")\r\n';
    const parsed = parse(text);
    if (!parsed.ok) throw new Error(parsed.problem.reason);
    const written = serializeScriptFile({ ...parsed.value.script, version: 2 }, parsed.value.header);
    expect(written.endsWith(`---\n"""\n${text}`)).toBe(true);
    expect(parse(written)).toEqual({
      ok: true,
      value: { script: { ...parsed.value.script, version: 2 }, header: expect.any(String) },
    });
  });
});
