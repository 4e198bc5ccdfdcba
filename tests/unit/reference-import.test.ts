import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImportCommand } from '../../src/cli/import-command';
import { parsePostFile } from '../../src/core/post-file';
import { importReferenceProject, type ReferenceFile } from '../../src/core/reference-import';
import { parseScriptFile } from '../../src/core/script-file';

const fixtures = new URL('../fixtures/reference-app/scripts/', import.meta.url);
const now = '2026-12-02T10:00:00.000Z';
const modifiedAt = '2026-03-01T08:00:00.000Z';

async function fixture(name: string): Promise<ReferenceFile> {
  return { path: `scripts/${name}`, modifiedAt, text: await readFile(new URL(name, fixtures), 'utf8') };
}

let idNumber = 0;
function options(taken: Partial<{ scriptSlugs: string[]; postSlugs: string[]; ids: string[] }> = {}) {
  return {
    taken: {
      scriptSlugs: new Set(taken.scriptSlugs ?? []),
      postSlugs: new Set(taken.postSlugs ?? []),
      ids: new Set(taken.ids ?? []),
    },
    now,
    newId: () => `00000000-0000-4000-8000-${String(++idNumber).padStart(12, '0')}`,
  };
}

describe('importReferenceProject', () => {
  it('takes render_hero.py as it is, header and unknown keys byte for byte', async () => {
    const hero = await fixture('render_hero.py');
    const { items, report } = importReferenceProject([hero], options());
    expect(report).toEqual({
      taken: [{ path: 'scripts/render_hero.py', to: 'scripts/render_hero.py', notes: [] }],
      converted: [],
      left: [],
    });
    expect(items[0]?.text).toBe(hero.text);
    expect(items[0]).toMatchObject({
      kind: 'script',
      script: { kind: 'macro', version: 3, slug: 'render_hero' },
    });
  });

  it('converts crlf_tool.py: missing dates become now, CRLF body and entrypoint kept', async () => {
    const tool = await fixture('crlf_tool.py');
    const { items, report } = importReferenceProject([tool], options());
    expect(report.converted).toEqual([
      {
        path: 'scripts/crlf_tool.py',
        to: 'scripts/crlf_tool.py',
        notes: [`no createdAt, so "${now}"`],
      },
    ]);
    const item = items[0]!;
    if (item.kind !== 'script') throw new Error('expected a script');
    expect(item.script).toMatchObject({
      enabled: false,
      entrypoint: 'main',
      kind: 'utility',
      createdAt: now,
    });
    expect(item.script.body).toBe('def main():\r\n    print("tabs\\tand  trailing  ")  \r\n');
    // Pymark's own reader takes the file back as the same script.
    const back = parseScriptFile(item.text, { slug: 'crlf_tool', fallbackTime: modifiedAt });
    expect(back.ok && back.value.script).toEqual(item.script);
  });

  it("reads what the reference app's rebuild reads, with its fallbacks", () => {
    const files: ReferenceFile[] = [
      { path: 'scripts/bare.py', modifiedAt, text: 'print("no header")\n' },
      {
        path: 'scripts/sub/quoted.py',
        modifiedAt,
        text: '\'\'\'\n---\n# a comment\n\nslug: \'My Tool\'\ntitle: "Say \\"hi\\""\nkind: "gadget"\nid: "not-a-uuid"\nversion: 0\n---\n\'\'\'\nx = 1\n',
      },
    ];
    const { items, report } = importReferenceProject(files, options());
    expect(report.converted.map(({ path, to, notes }) => ({ path, to, notes }))).toEqual([
      {
        path: 'scripts/bare.py',
        to: 'scripts/bare.py',
        notes: [
          'no metadata docstring, so the defaults of the reference app',
          'no id, so it has a new one',
          'no title, so "bare"',
          'no kind, so "utility"',
          'no entrypoint, so "render"',
          `no createdAt, so "${now}"`,
        ],
      },
      {
        path: 'scripts/sub/quoted.py',
        to: 'scripts/my_tool.py',
        notes: [
          `metadata docstring in ''' rewritten with """`,
          'slug "My Tool" became my_tool',
          'id "not-a-uuid" is not a UUID, so it has a new one',
          'kind "gadget" is not valid, so "utility"',
          'no entrypoint, so "render"',
          'version 0 is not valid, so 1',
          `no createdAt, so "${now}"`,
        ],
      },
    ]);
    expect(items.map((item) => item.kind === 'script' && [item.script.title, item.script.body])).toEqual([
      ['bare', 'print("no header")\n'],
      ['Say "hi"', 'x = 1\n'],
    ]);
  });

  it('never reuses a slug or id the project has, nor one imported before', async () => {
    const hero = await fixture('render_hero.py');
    const twin = { ...hero, path: 'scripts/z/render_hero.py' };
    const { items, report } = importReferenceProject(
      [hero, twin],
      options({ scriptSlugs: ['render_hero'], ids: [] }),
    );
    expect(items.map((item) => item.path)).toEqual(['scripts/render_hero_2.py', 'scripts/render_hero_3.py']);
    expect(report.converted[1]?.notes).toEqual([
      'slug render_hero is taken, so it is render_hero_3',
      'id "3f2b9c1e-8d4a-4f6b-9a61-2c7e5d0b1a90" is taken, so it has a new one',
    ]);
  });

  it('takes Markdown posts with front matter, keeping keys Pymark does not know', () => {
    const text =
      '---\nid: "9b2e4f7a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"\ntitle: "Hello"\nslug: "hello-world"\nstatus: "published"\n' +
      'excerpt: "Hi"\nauthor: "Ada"\ntags: ["python"]\ncategories: []\ncreatedAt: "2026-02-20T10:00:00.000Z"\n' +
      'updatedAt: "2026-02-21T10:00:00.000Z"\npublishedAt: "2026-02-21T10:00:00.000Z"\n---\nBody [[youtube id=abc]]\n';
    const { items, report } = importReferenceProject(
      [{ path: 'posts/2026/hello.md', modifiedAt, text }],
      options(),
    );
    expect(report.converted).toEqual([
      {
        path: 'posts/2026/hello.md',
        to: 'posts/hello_world.md',
        notes: ['slug "hello-world" became hello_world'],
      },
    ]);
    const item = items[0]!;
    expect(item.text).toContain('author: "Ada"');
    const back = parsePostFile(item.text, { slug: 'hello_world', fallbackTime: modifiedAt });
    expect(back.ok && back.value.post).toMatchObject({
      title: 'Hello',
      status: 'published',
      tags: ['python'],
      body: 'Body [[youtube id=abc]]\n',
      publishedAt: '2026-02-21T10:00:00.000Z',
    });
  });

  it('leaves media, other files and posts it cannot read, saying why', () => {
    const { items, report } = importReferenceProject(
      [
        { path: 'media/2026/02/cat.jpg', modifiedAt },
        { path: 'scripts/notes.txt', modifiedAt },
        { path: 'templates/post.liquid', modifiedAt },
        { path: 'posts/plain.md', modifiedAt, text: 'No front matter.\n' },
        { path: 'scripts/latin1.py', modifiedAt },
      ],
      options(),
    );
    expect(items).toEqual([]);
    expect(report.left).toEqual([
      {
        path: 'media/2026/02/cat.jpg',
        notes: ['media is not imported yet: add the images in the Media view'],
      },
      {
        path: 'posts/plain.md',
        notes: [
          'not a post Pymark can read: no metadata block: the file must start with ---, each on its own line',
        ],
      },
      { path: 'scripts/latin1.py', notes: ['could not be read as text'] },
      { path: 'scripts/notes.txt', notes: ['not a .py file'] },
      { path: 'templates/post.liquid', notes: ['not a script, post or media file of a reference project'] },
    ]);
  });
});

describe('pymark import <folder> (Node fs)', () => {
  let root: string;
  let lines: string[];
  let errors: string[];
  const io = () => ({
    cwd: root,
    out: (line: string) => lines.push(line),
    err: (line: string) => errors.push(line),
    now: () => now,
  });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'pymark-import-'));
    lines = [];
    errors = [];
    await cp(fileURLToPath(fixtures), join(root, 'reference', 'scripts'), { recursive: true });
    await mkdir(join(root, 'reference', 'media', '2026', '02'), { recursive: true });
    await writeFile(
      join(root, 'reference', 'media', '2026', '02', 'cat.jpg'),
      new Uint8Array([0xff, 0xd8, 0xff]),
    );
    await mkdir(join(root, 'reference', '.git'), { recursive: true });
    await writeFile(join(root, 'reference', '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await mkdir(join(root, 'blog', 'scripts'), { recursive: true });
    await writeFile(join(root, 'blog', 'scripts', 'render_hero.py'), 'print("mine")\n');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("writes the scripts beside the folder's own, never over them, and reports each file", async () => {
    expect(await runImportCommand(['reference', '--into', 'blog'], io())).toBe(0);
    expect(errors).toEqual([]);
    expect((await readdir(join(root, 'blog', 'scripts'))).sort()).toEqual([
      'crlf_tool.py',
      'render_hero.py',
      'render_hero_2.py',
    ]);
    expect(await readFile(join(root, 'blog', 'scripts', 'render_hero.py'), 'utf8')).toBe('print("mine")\n');
    const imported = await readFile(join(root, 'blog', 'scripts', 'render_hero_2.py'), 'utf8');
    const parsed = parseScriptFile(imported, { slug: 'render_hero_2', fallbackTime: now });
    expect(parsed.ok && parsed.value.script).toMatchObject({ title: 'Render Hero', kind: 'macro' });
    expect(lines).toEqual([
      'Imported into the Pymark folder.',
      'Taken as they were (0):',
      'Converted (2):',
      '  scripts/crlf_tool.py → scripts/crlf_tool.py',
      `      no createdAt, so "${now}"`,
      '  scripts/render_hero.py → scripts/render_hero_2.py',
      '      slug render_hero is taken, so it is render_hero_2',
      'Left (1):',
      '  media/2026/02/cat.jpg',
      '      media is not imported yet: add the images in the Media view',
    ]);
  });

  it('writes nothing on a dry run', async () => {
    expect(await runImportCommand(['reference', '--into', 'blog', '--dry-run'], io())).toBe(0);
    expect(lines[0]).toBe('Dry run: nothing was written.');
    expect(await readdir(join(root, 'blog', 'scripts'))).toEqual(['render_hero.py']);
  });

  it('refuses bad arguments and a missing folder with a message', async () => {
    expect(await runImportCommand([], io())).toBe(2);
    expect(errors).toEqual([
      'pymark import: give exactly one reference project folder',
      'Usage: pymark import <reference project folder> [--into <pymark folder>] [--dry-run]',
    ]);
    errors = [];
    expect(await runImportCommand(['nowhere', '--into', 'blog'], io())).toBe(1);
    expect(errors[0]).toMatch(/^pymark import: cannot read .*nowhere: ENOENT/);
  });
});
