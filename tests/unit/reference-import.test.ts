import 'fake-indexeddb/auto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImportCommand } from '../../src/cli/import-command';
import { parseSidecar } from '../../src/core/media-file';
import { parsePostFile } from '../../src/core/post-file';
import { importReferenceProject, type ReferenceFile } from '../../src/core/reference-import';
import { parseScriptFile } from '../../src/core/script-file';
import { FolderSync } from '../../src/storage/folder/folder-sync';
import { NodeFsFolder } from '../../src/storage/folder/node-fs-folder';
import { readReferenceFolder } from '../../src/storage/folder/reference-folder';
import { openSyncStateStore } from '../../src/storage/folder/sync-state-store';
import { openMediaStore } from '../../src/storage/idb-media-store';
import { openPostStore } from '../../src/storage/idb-post-store';
import { openScriptStore } from '../../src/storage/idb-script-store';
import { jpegBytes } from './jpeg-bytes';

const fixtures = new URL('../fixtures/reference-app/scripts/', import.meta.url);
const now = '2026-12-02T10:00:00.000Z';
const modifiedAt = '2026-03-01T08:00:00.000Z';

async function fixture(name: string): Promise<ReferenceFile> {
  return { path: `scripts/${name}`, modifiedAt, text: await readFile(new URL(name, fixtures), 'utf8') };
}

let idNumber = 0;
function options(
  taken: Partial<{ scriptSlugs: string[]; postSlugs: string[]; ids: string[]; mediaPaths: string[] }> = {},
) {
  return {
    taken: {
      scriptSlugs: new Set(taken.scriptSlugs ?? []),
      postSlugs: new Set(taken.postSlugs ?? []),
      ids: new Set(taken.ids ?? []),
      mediaPaths: new Set(taken.mediaPaths ?? []),
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
    expect(items[0]?.kind === 'script' && items[0].text).toBe(hero.text);
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
    if (item.kind !== 'post') throw new Error('expected a post');
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

  it('leaves unread media, other files and posts it cannot read, saying why', () => {
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
      { path: 'media/2026/02/cat.jpg', notes: ['could not be read'] },
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
      '      is a truncated JPEG: it ends before its image data',
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

const referenceProject = fileURLToPath(new URL('../fixtures/reference-project/', import.meta.url));
const catLink = '/media/2026/03/cat.png';

/** The reference project fixture and its scripts in `dest`; dot.gif, which has no sidecar, dated by its file time. */
async function copyReferenceProject(dest: string): Promise<void> {
  await cp(referenceProject, dest, { recursive: true });
  await cp(fileURLToPath(fixtures), join(dest, 'scripts'), { recursive: true });
  const february = new Date('2026-02-10T12:00:00.000Z');
  await utimes(join(dest, 'media', '2026', '02', 'dot.gif'), february, february);
}

/** A small valid JPEG, as a reference media file read by the caller. */
function jpegFile(path: string, extra: Partial<ReferenceFile> = {}): ReferenceFile {
  return { path, modifiedAt, bytes: jpegBytes(4, 3), ...extra };
}

const postLinking = (id: string, body: string): ReferenceFile => ({
  path: 'posts/cats.md',
  modifiedAt,
  text: `---\nid: "${id}"\ntitle: "Cats"\nstatus: "draft"\ncreatedAt: "2026-02-20T10:00:00.000Z"\n---\n${body}`,
});

describe('importReferenceProject: media', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'pymark-media-import-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('takes the fixture project’s images into Pymark’s months, rewrites the post’s links and leaves the rest', async () => {
    await copyReferenceProject(root);
    const files = await readReferenceFolder(new NodeFsFolder(root));
    const { items, report } = importReferenceProject(files, options());

    expect(report.left).toEqual([
      { path: 'README.md', notes: ['not a script, post or media file of a reference project'] },
      {
        path: 'media/2026/02/fake.jpg',
        notes: ['is not an image Pymark can use (JPEG, PNG, GIF or WebP)'],
      },
      {
        path: 'thumbnails/2026/03/cat.png.small.webp',
        notes: ['a thumbnail: Pymark makes its own from the image'],
      },
    ]);
    expect(report.taken.map((entry) => entry.path)).toEqual(['scripts/render_hero.py']);
    expect(report.converted.filter((entry) => !entry.path.startsWith('scripts/'))).toEqual([
      {
        path: 'media/2026/02/dot.gif',
        to: 'media/2026/02/dot.gif',
        notes: [
          'no sidecar (.json, .yml or .yaml) beside it, so no title, alt text, caption or linked posts',
        ],
      },
      {
        path: 'media/2026/03/cat.png',
        to: 'media/2026/02/cat.jpg',
        notes: [
          'file name "cat.png" became cat.jpg',
          'filed under media/2026/02/, the month of its createdAt in UTC',
        ],
      },
      {
        path: 'media/2026/03/cat.png.json',
        to: 'media/2026/02/cat.jpg.yml',
        notes: ["the metadata of media/2026/03/cat.png, in Pymark's sidecar format"],
      },
      {
        path: 'posts/hello.md',
        to: 'posts/hello.md',
        notes: [`link ${catLink} now /media/2026/02/cat.jpg`],
      },
    ]);

    const cat = items.find((item) => item.kind === 'media' && item.from === 'media/2026/03/cat.png');
    if (cat?.kind !== 'media') throw new Error('expected the cat');
    expect(cat.media).toEqual({
      id: '6f1d2c3b-4a5e-4f60-8172-839a4b5c6d7e',
      fileName: 'cat.jpg',
      mimeType: 'image/jpeg',
      size: cat.bytes.length,
      width: 40,
      height: 30,
      createdAt: '2026-03-01T00:30:00.000+01:00',
      updatedAt: '2026-03-02T09:00:00.000Z',
      title: 'Our cat',
      alt: 'A cat asleep on a sofa',
      caption: 'Sunday afternoon',
      linkedPostIds: ['9b2e4f7a-1c3d-4e5f-8a9b-0c1d2e3f4a5b'],
    });
    expect(cat.bytes).toEqual(new Uint8Array(await readFile(join(root, 'media/2026/03/cat.png'))));
    // Pymark's own sidecar reader takes the written sidecar back as the same item.
    const back = parseSidecar(cat.sidecar.text, 'cat.jpg');
    expect(back.ok && back.value.media).toEqual(cat.media);

    const post = items.find((item) => item.kind === 'post');
    if (post?.kind !== 'post') throw new Error('expected the post');
    expect(post.post.body).toContain('![A cat asleep](/media/2026/02/cat.jpg)');
    expect(post.post.body).toContain('<img src="/media/2026/02/dot.gif" alt="dot">');
    expect(post.text).toContain('author: "Ada"');
  });

  it('renames an image on a clash, and a post’s links and an image’s linked posts follow', () => {
    const postId = '9b2e4f7a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
    const { items, report } = importReferenceProject(
      [
        jpegFile('media/2026/02/my cat.jpeg'),
        {
          path: 'media/2026/02/my cat.jpeg.yml',
          modifiedAt,
          text: `---\ncreatedAt: "2026-02-14T09:30:00.000Z"\ntitle: 42\nlinkedPostIds: ["${postId}"]\n...\n`,
        },
        postLinking(
          postId,
          '![a](/media/2026/02/my%20cat.jpeg) [[gallery]] ![b](/media/2026/02/other.jpg)\n',
        ),
      ],
      options({ ids: [postId], mediaPaths: ['media/2026/02/my cat.jpg', 'media/2026/02/my cat-2.jpg.yml'] }),
    );
    const image = items.find((item) => item.kind === 'media');
    const post = items.find((item) => item.kind === 'post');
    if (image?.kind !== 'media' || post?.kind !== 'post') throw new Error('expected an image and a post');
    expect(image.path).toBe('media/2026/02/my cat-3.jpg');
    expect(image.sidecar.path).toBe('media/2026/02/my cat-3.jpg.yml');
    expect(image.media.linkedPostIds).toEqual([post.post.id]);
    expect(post.post.id).not.toBe(postId);
    expect(post.post.body).toBe(
      '![a](/media/2026/02/my%20cat-3.jpg) [[gallery]] ![b](/media/2026/02/other.jpg)\n',
    );
    expect(report.converted.find((entry) => entry.path === 'media/2026/02/my cat.jpeg')?.notes).toEqual([
      'no id, so it has a new one',
      'file name "my cat.jpeg" became my cat.jpg',
      'media/2026/02/my cat.jpg is taken, so it is my cat-3.jpg',
      'title 42 is not valid, so ""',
      `linked post ${postId} is ${post.post.id} now`,
    ]);
  });

  it('leaves what it cannot take, naming why, and keeps an image whose sidecar is broken', () => {
    const { items, report } = importReferenceProject(
      [
        jpegFile('media/2026/02/big.jpg', { bytes: undefined, size: 60 * 1024 * 1024 }),
        jpegFile('media/2026/02/cut.jpg', { bytes: jpegBytes(4, 3).subarray(0, 20) }),
        jpegFile('media/2026/02/ok.jpg'),
        { path: 'media/2026/02/ok.jpg.json', modifiedAt, text: '{"title": "unterminated' },
        { path: 'media/2026/02/ok.jpg.yml', modifiedAt, text: 'title: "second"\n' },
        { path: 'media/2026/02/gone.jpg.json', modifiedAt, text: '{}' },
        { path: 'media/2026/02/cut.jpg.json', modifiedAt, text: '{}' },
      ],
      options(),
    );
    expect(report.left).toEqual([
      { path: 'media/2026/02/big.jpg', notes: ['larger than 50 MiB (62914560 bytes)'] },
      { path: 'media/2026/02/cut.jpg', notes: ['is a truncated JPEG: a segment runs past the end'] },
      { path: 'media/2026/02/cut.jpg.json', notes: ['its image media/2026/02/cut.jpg is left'] },
      { path: 'media/2026/02/gone.jpg.json', notes: ['a sidecar without its image media/2026/02/gone.jpg'] },
      { path: 'media/2026/02/ok.jpg.json', notes: [expect.stringMatching(/^not JSON: /)] },
      {
        path: 'media/2026/02/ok.jpg.yml',
        notes: ['media/2026/02/ok.jpg has another sidecar, media/2026/02/ok.jpg.json'],
      },
    ]);
    expect(items.map((item) => item.path)).toEqual(['media/2026/03/ok.jpg']);
    expect(report.converted).toEqual([
      {
        path: 'media/2026/02/ok.jpg',
        to: 'media/2026/03/ok.jpg',
        notes: [
          'its sidecar media/2026/02/ok.jpg.json is left, so no title, alt text, caption or linked posts',
          'filed under media/2026/03/, the month of its createdAt in UTC',
        ],
      },
    ]);
  });
});

describe('pymark import <fixture project> (Node fs), then folder sync', () => {
  let root: string;
  const opened: { close(): void }[] = [];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'pymark-import-media-'));
    await copyReferenceProject(join(root, 'reference'));
    // The Pymark folder has a cat of its own in February already.
    await mkdir(join(root, 'blog', 'media', '2026', '02'), { recursive: true });
    await writeFile(join(root, 'blog', 'media', '2026', '02', 'cat.jpg'), jpegBytes(8, 8));
  });

  afterEach(async () => {
    for (const handle of opened.splice(0)) handle.close();
    await rm(root, { recursive: true, force: true });
  });

  it('writes images and sidecars beside the folder’s own, never over them, and the app syncs them in', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const io = {
      cwd: root,
      out: (line: string) => lines.push(line),
      err: (line: string) => errors.push(line),
    };
    expect(await runImportCommand(['reference', '--into', 'blog'], { ...io, now: () => now })).toBe(0);
    expect(errors).toEqual([]);
    expect(lines).toContain('  media/2026/03/cat.png → media/2026/02/cat-2.jpg');
    expect(lines).toContain(`      link ${catLink} now /media/2026/02/cat-2.jpg`);
    expect(lines.slice(lines.indexOf('Left (3):'))).toEqual([
      'Left (3):',
      '  README.md',
      '      not a script, post or media file of a reference project',
      '  media/2026/02/fake.jpg',
      '      is not an image Pymark can use (JPEG, PNG, GIF or WebP)',
      '  thumbnails/2026/03/cat.png.small.webp',
      '      a thumbnail: Pymark makes its own from the image',
    ]);
    const february = join(root, 'blog', 'media', '2026', '02');
    expect((await readdir(february)).sort()).toEqual([
      'cat-2.jpg',
      'cat-2.jpg.yml',
      'cat.jpg',
      'dot.gif',
      'dot.gif.yml',
    ]);
    expect(new Uint8Array(await readFile(join(february, 'cat.jpg')))).toEqual(jpegBytes(8, 8));
    expect(await readFile(join(february, 'cat-2.jpg'))).toEqual(
      await readFile(join(root, 'reference', 'media', '2026', '03', 'cat.png')),
    );

    // The app connected to the folder takes the imported media and post as its own.
    const dbName = `import-sync-${crypto.randomUUID()}`;
    const [scripts, posts, media, state] = await Promise.all([
      openScriptStore({ dbName }),
      openPostStore({ dbName }),
      openMediaStore({ dbName }),
      openSyncStateStore({ dbName }),
    ]);
    opened.push(scripts, posts, media, state);
    const report = await new FolderSync({
      folder: new NodeFsFolder(join(root, 'blog')),
      scripts,
      posts,
      media,
      state,
    }).syncNow();
    expect(report.unreadable.map((problem) => problem.path)).toEqual(['media/2026/02/cat.jpg']);
    expect(report.failed).toEqual([]);
    const cat = (await media.list()).find((item) => item.fileName === 'cat-2.jpg');
    const [post] = await posts.list();
    expect(cat).toMatchObject({ title: 'Our cat', linkedPostIds: [post?.id] });
    expect(post?.body).toContain('![A cat asleep](/media/2026/02/cat-2.jpg)');
  });
});
