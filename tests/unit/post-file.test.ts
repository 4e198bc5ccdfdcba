import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { readFrontMatter } from '../../src/core/front-matter';
import type { Post } from '../../src/core/post';
import { parsePostFile, serializePostFile } from '../../src/core/post-file';

const post: Post = {
  id: '5d1a0c7e-2f4b-4c6d-8e9f-0a1b2c3d4e5f',
  title: 'Ünïcode: a "post"',
  slug: 'unicode_a_post',
  status: 'published',
  tags: ['python', 'pyodide'],
  categories: [],
  body: '# Hi\r\n\n\tcode  \n日本語',
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-01-03T03:04:05.000Z',
  publishedAt: '2026-01-03T03:04:05.000Z',
};

const context = { slug: post.slug, fallbackTime: '2026-03-01T00:00:00.000Z' };

describe('post files', () => {
  it('round-trip a post in the documented layout', () => {
    const text = serializePostFile(post);
    expect(text).toBe(
      [
        '---',
        `id: "${post.id}"`,
        'title: "Ünïcode: a \\"post\\""',
        'slug: "unicode_a_post"',
        'status: "published"',
        'tags: [ "python", "pyodide" ]',
        'categories: []',
        `createdAt: "${post.createdAt}"`,
        `updatedAt: "${post.updatedAt}"`,
        `publishedAt: "${post.publishedAt}"`,
        '---',
        post.body,
      ].join('\n'),
    );
    expect(parsePostFile(text, context)).toEqual({ ok: true, value: { post, header: expect.any(String) } });
  });

  it('accept a hand-written post and keep its unknown keys on rewrite', () => {
    const text = `---\nid: ${post.id}\ntitle: Hand made\nlayout: wide # a comment\n---\nBody\n`;
    const parsed = parsePostFile(text, context);
    expect(parsed).toMatchObject({
      ok: true,
      value: { post: { status: 'draft', tags: [], publishedAt: null, createdAt: context.fallbackTime } },
    });
    if (!parsed.ok) return;
    const rewritten = serializePostFile({ ...parsed.value.post, title: 'Renamed' }, parsed.value.header);
    expect(rewritten).toContain('layout: wide # a comment\n');
    expect(rewritten).toContain('title: "Renamed"\n');
    expect(rewritten.endsWith('---\nBody\n')).toBe(true);
  });

  it('report a bad status with its line', () => {
    const text = `---\nid: ${post.id}\ntitle: T\nstatus: live\n---\n`;
    expect(parsePostFile(text, context)).toMatchObject({
      ok: false,
      problem: { reason: expect.stringMatching(/status/), line: 4 },
    });
  });
});

describe('plain post files (no front matter)', () => {
  const adopted = (text: string, slug = 'my_note') => {
    const parsed = parsePostFile(text, { slug, fallbackTime: context.fallbackTime });
    if (!parsed.ok) throw new Error(parsed.problem.reason);
    return parsed.value;
  };

  it('are adopted as drafts titled by their first # heading, with the file’s time', () => {
    const text = 'Some intro.\n\n```sh\n# not a heading\n```\n\n#   Notes on Pyodide  #\n\nText.\n';
    expect(adopted(text)).toEqual({
      header: '',
      post: {
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        title: 'Notes on Pyodide',
        slug: 'my_note',
        status: 'draft',
        tags: [],
        categories: [],
        body: text,
        createdAt: context.fallbackTime,
        updatedAt: context.fallbackTime,
        publishedAt: null,
      },
    });
  });

  it('are titled by their file name without a # heading', () => {
    expect(adopted('## Only a subheading\n', 'trip_to_rome').post.title).toBe('Trip to rome');
    expect(adopted('', 'empty').post).toMatchObject({ title: 'Empty', body: '' });
  });

  it('get their front matter above the untouched text when written back', () => {
    const { post: plain, header } = adopted('# Hello\r\n\r\nWorld\r\n');
    const written = serializePostFile({ ...plain, title: 'Renamed' }, header);
    expect(written).toMatch(new RegExp(`^---\\nid: "${plain.id}"\\ntitle: "Renamed"\\n`));
    expect(written.endsWith('---\n# Hello\r\n\r\nWorld\r\n')).toBe(true);
    expect(parsePostFile(written, context)).toMatchObject({
      ok: true,
      value: { post: { id: plain.id, title: 'Renamed' } },
    });
  });

  it('with a file name that is not a slug are reported for the name', () => {
    expect(parsePostFile('# Hi\n', { ...context, slug: 'Bad Name' })).toMatchObject({
      ok: false,
      problem: { reason: expect.stringMatching(/^the file name “Bad Name” is not a slug/) },
    });
  });
});

describe('front matter Pymark writes is read without the YAML parser, to the same data', () => {
  const fence = { open: ['---'], close: ['---'] };
  const anything = z.record(z.string(), z.unknown());
  const lines = [
    'id: "00000000-0000-4000-8000-000000000001"',
    'title: "Quotes \\" and \\\\ backslash, \\u00e9, tab\\t and # not a comment"',
    'tags: [ "python", "a b", "é" ]',
    'categories: []',
    'publishedAt: null',
    'enabled: true',
    'draft: false',
    'version: 12',
    'negative: -3',
    'dashed-key: "x"',
  ];
  // Each of these is left to the YAML parser, which must then give what it gives.
  const others = [
    'title: plain words',
    "title: 'single quoted'",
    'title: "x" # a comment',
    'tags: [ "a, b", "c" ]',
    'null: "a key YAML reads as null"',
    'version: 1.5',
    'version: 007',
    'title: "one"\ntitle: "two"',
    'tags:\n  - a\n  - b',
  ];

  it.each([...lines.map((line) => [line]), [lines.join('\n')], ...others.map((line) => [line])])(
    '%s',
    (yaml) => {
      const read = readFrontMatter(`---\n${yaml}\n---\nBody\n`, fence, anything);
      const doc = parseDocument(`${yaml}\n`, { uniqueKeys: true });
      if (doc.errors.length > 0) {
        expect(read.ok).toBe(false);
        return;
      }
      expect(read.ok && read.value.data).toStrictEqual(doc.toJS());
    },
  );
});
