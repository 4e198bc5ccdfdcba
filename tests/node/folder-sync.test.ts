import { link, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Post } from '../../src/core/post';
import { serializePostFile } from '../../src/core/post-file';
import type { Script } from '../../src/core/script';
import { serializeScriptFile } from '../../src/core/script-file';
import type { NodeFs } from '../../src/storage/folder/node-fs-folder';
import { PostsWorkspace } from '../../src/ui/posts-workspace';
import { openProject, type Project, sharedLock, syncStamp, tempDir } from './folder-sync-harness';

const projects: Project[] = [];

afterEach(async () => {
  for (const project of projects.splice(0)) await project.close();
});

async function project(options: Parameters<typeof openProject>[0] = {}): Promise<Project> {
  const opened = await openProject(options);
  projects.push(opened);
  return opened;
}

/** Bodies that trip up anything that is not byte-exact. */
const awkwardBodies = [
  'def main():\r\n    print("crlf")\r\n',
  'def main():\n\tprint("tab")   \n\n\n',
  'x = "héllo wörld 日本語 🐍"\n',
  'no_final_newline = 1',
  '',
  '"""a docstring after the header"""\n---\n"""\n',
  '   \r\n\r\n  trailing  \t',
];

function makeScript(n: number): Script {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
  return {
    id: crypto.randomUUID(),
    title: n % 5 === 0 ? `Scrïpt "${n}" \\ back` : `Script ${n}`,
    slug: `script_${n}`,
    kind: (['macro', 'utility', 'transform'] as const)[n % 3]!,
    entrypoint: (['render', 'main', 'transform'] as const)[n % 3]!,
    enabled: n % 2 === 0,
    body: `${awkwardBodies[n % awkwardBodies.length]}# ${n}\n`,
    version: n + 1,
    createdAt: at,
    updatedAt: at,
  };
}

function makePost(n: number): Post {
  const at = new Date(Date.UTC(2026, 1, 1, 0, 0, n)).toISOString();
  return {
    id: crypto.randomUUID(),
    title: `Pöst ${n}: "quoted"`,
    slug: `post_${n}`,
    status: n % 2 ? 'published' : 'draft',
    tags: n % 3 ? ['python', `t${n}`] : [],
    categories: ['blog'],
    body: `# Post ${n}\r\n\n${awkwardBodies[n % awkwardBodies.length]}`,
    createdAt: at,
    updatedAt: at,
    publishedAt: n % 2 ? at : null,
  };
}

async function filesIn(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

function scriptFile(script: Script): string {
  return serializeScriptFile(script);
}

/** A "billion laughs": nine aliases to the level above on each of seven levels, 9^7 strings in all. */
const aliasBomb = [
  'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  ...'bcdefg'.split('').map((name, index) => {
    const below = 'abcdefg'[index];
    return `${name}: &${name} [${Array(9).fill(`*${below}`).join(', ')}]`;
  }),
].join('\n');

/** `script`'s file with `extra` YAML lines added to its front matter. */
function scriptFileWith(script: Script, extra: string): string {
  return scriptFile(script).replace('\n---\n"""\n', `\n${extra}\n---\n"""\n`);
}

/** 80,000 distinct keys, still under the 1 MiB file cap. */
const manyKeys = Array.from({ length: 80_000 }, (_, index) => `k${index}: 1`).join('\n');

describe('round trips', () => {
  it('imports 200 scripts and 200 posts and writes them out again byte for byte', async () => {
    const source = await project();
    const scripts = Array.from({ length: 200 }, (_, n) => makeScript(n));
    const posts = Array.from({ length: 200 }, (_, n) => makePost(n));
    for (const script of scripts) await source.write(`scripts/${script.slug}.py`, scriptFile(script));
    for (const post of posts) await source.write(`posts/${post.slug}.md`, serializePostFile(post));

    const report = await source.sync.syncNow();
    expect(report.imported).toHaveLength(400);
    expect(report).toMatchObject({ written: [], conflicts: [], unreadable: [], failed: [] });
    expect(await source.scripts.list()).toEqual(expect.arrayContaining(scripts));
    expect(await source.posts.list()).toEqual(expect.arrayContaining(posts));

    // Another app holding the same items writes every file exactly as it came into an empty folder.
    const copy = await project();
    await copy.scripts.applyExternal({ put: await source.scripts.list(), trash: [] });
    await copy.posts.applyExternal({ put: await source.posts.list(), trash: [] });
    const written = await copy.sync.syncNow();
    expect(written.written).toHaveLength(400);
    expect(await filesIn(copy.dir)).toEqual(await filesIn(source.dir));
    for (const path of await filesIn(source.dir)) {
      expect((await copy.read(path)).equals(await source.read(path)), path).toBe(true);
    }
  });

  it('leaves everything alone when nothing changed', async () => {
    const app = await project();
    await app.scripts.create({ title: 'Hello', kind: 'utility' });
    await app.sync.syncNow();
    const before = await app.read('scripts/hello.py');
    expect(await app.sync.syncNow()).toEqual({
      written: [],
      imported: [],
      conflicts: [],
      unreadable: [],
      trashed: [],
      failed: [],
    });
    expect((await app.read('scripts/hello.py')).equals(before)).toBe(true);
  });
});

describe('changes made in the app', () => {
  it('write the file on save, rename it on rename and move it to .trash/ on delete', async () => {
    const app = await project();
    const script = await app.scripts.create({ title: 'Hello', kind: 'utility' });
    const post = await app.posts.create({ title: 'First post', body: 'Hi\n' });
    expect((await app.sync.syncNow()).written).toEqual(['scripts/hello.py', 'posts/first_post.md']);

    await app.scripts.save(script.id, { body: 'print("edited")\n' });
    await app.sync.syncNow();
    const saved = await app.readText('scripts/hello.py');
    expect(saved).toContain('\nversion: 2\n');
    expect(saved.endsWith('---\n"""\nprint("edited")\n')).toBe(true);

    await app.scripts.rename(script.id, 'Greeting');
    expect((await app.sync.syncNow()).written).toEqual(['scripts/greeting.py']);
    expect(await filesIn(join(app.dir, 'scripts'))).toEqual(['greeting.py']);

    await app.posts.delete(post.id);
    const report = await app.sync.syncNow();
    const trashPath = `.trash/${syncStamp}/posts/first_post.md`;
    expect(report.trashed).toEqual([{ id: post.id, path: 'posts/first_post.md', trashPath }]);
    expect(await app.readText(trashPath)).toMatch(/Hi\n$/);
    expect(await filesIn(join(app.dir, 'posts'))).toEqual([]);
  });
});

describe('changes made in the folder', () => {
  async function synced() {
    const app = await project();
    const script = await app.scripts.create({ title: 'Hello', kind: 'utility' });
    await app.sync.syncNow();
    return { app, script };
  }

  it('picks up an added file', async () => {
    const { app } = await synced();
    const added = makeScript(7);
    await app.write('scripts/added.py', scriptFile(added));
    expect((await app.sync.syncNow()).imported).toEqual(['scripts/added.py']);
    expect(await app.scripts.get(added.id)).toEqual({ ...added, slug: 'added' });
  });

  it('picks up an edit', async () => {
    const { app, script } = await synced();
    const text = await app.readText('scripts/hello.py');
    await app.write('scripts/hello.py', text.replace('Hello from Pymark', 'Edited elsewhere'));
    expect((await app.sync.syncNow()).imported).toEqual(['scripts/hello.py']);
    expect((await app.scripts.get(script.id))?.body).toContain('Edited elsewhere');
  });

  it('moves the item to the app trash when its file is deleted', async () => {
    const { app, script } = await synced();
    await app.remove('scripts/hello.py');
    expect((await app.sync.syncNow()).trashed).toEqual([{ id: script.id }]);
    expect(await app.scripts.get(script.id)).toBeUndefined();
    expect((await app.scripts.listTrash()).map((trashed) => trashed.id)).toEqual([script.id]);
  });

  it('renames the item when its file is renamed', async () => {
    const { app, script } = await synced();
    await app.write('scripts/welcome.py', await app.read('scripts/hello.py'));
    await app.remove('scripts/hello.py');
    await app.sync.syncNow();
    expect(await app.scripts.get(script.id)).toMatchObject({ slug: 'welcome', title: 'Hello' });
  });
});

describe('conflicts', () => {
  /** A synced script saved in the app as `print("app")` and in its file as `print("folder")`. */
  async function editedOnBothSides() {
    const app = await project();
    const script = await app.scripts.create({ title: 'Hello', kind: 'utility' });
    await app.sync.syncNow();
    await app.scripts.save(script.id, { body: 'print("app")\n' });
    const folderText = (await app.readText('scripts/hello.py')).replace(
      /\n"""\n[\s\S]*$/,
      '\n"""\nprint("folder")\n',
    );
    await app.write('scripts/hello.py', folderText);
    return { app, script, folderText };
  }

  it('keep the folder version in the slot and the app version beside it', async () => {
    const { app, script, folderText } = await editedOnBothSides();

    const report = await app.sync.syncNow();

    const copyPath = `scripts/hello.conflict-${syncStamp}.py`;
    expect(report.conflicts).toEqual([{ path: 'scripts/hello.py', copyPath }]);
    expect(await app.readText('scripts/hello.py')).toBe(folderText);
    expect(await app.readText(copyPath)).toMatch(/\nprint\("app"\)\n$/);
    expect((await app.scripts.get(script.id))?.body).toBe('print("folder")\n');
    // The copy is a side file: the next sync neither imports nor reports it.
    expect(await app.sync.syncNow()).toMatchObject({ imported: [], unreadable: [], conflicts: [] });
  });

  it('a save in the app while a pass settles a conflict is not overwritten: that pass writes nothing, the next keeps both', async () => {
    const { app, script, folderText } = await editedOnBothSides();
    // The save lands after the pass has read both sides and written its conflict copy.
    const applyExternal = app.scripts.applyExternal.bind(app.scripts);
    app.scripts.applyExternal = async (changes) => {
      app.scripts.applyExternal = applyExternal;
      await app.scripts.save(script.id, { body: 'print("saved meanwhile")\n' });
      return applyExternal(changes);
    };
    const copyPath = `scripts/hello.conflict-${syncStamp}.py`;

    expect(await app.sync.syncNow()).toMatchObject({ imported: [], conflicts: [], failed: [] });
    expect((await app.scripts.get(script.id))?.body).toBe('print("saved meanwhile")\n');
    expect(await app.readText('scripts/hello.py')).toBe(folderText);
    // Its copy held the app's version before that save: gone, not left beside the next one.
    await expect(app.readText(copyPath)).rejects.toThrow(/ENOENT/);

    expect((await app.sync.syncNow()).conflicts).toEqual([{ path: 'scripts/hello.py', copyPath }]);
    expect(await app.readText(copyPath)).toMatch(/\nprint\("saved meanwhile"\)\n$/);
    expect((await app.scripts.get(script.id))?.body).toBe('print("folder")\n');
  });
});

describe('unreadable files', () => {
  const valid = makeScript(1);
  const cases: [string, string | Uint8Array, RegExp][] = [
    [
      'broken front matter',
      '"""\n---\nid: [oops\n---\n"""\nx = 1\n',
      /^line 3(, column \d+)?: front matter is not valid YAML/,
    ],
    [
      'invalid UTF-8',
      new Uint8Array([...new TextEncoder().encode(scriptFile(valid)), 0xff, 0xfe]),
      /not valid UTF-8/,
    ],
    ['binary', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), /binary/],
    ['over 1 MiB', `${scriptFile(makeScript(2))}${'#'.repeat(1024 * 1024)}\n`, /larger than 1 MiB/],
    ['a duplicate id', scriptFile({ ...valid, slug: 'zz_copy' }), new RegExp(`duplicate id ${valid.id}`)],
    [
      'a YAML alias bomb',
      scriptFileWith(makeScript(3), aliasBomb),
      /^line \d+, column \d+: .*more than 10 YAML aliases/,
    ],
    ['80,000 keys', scriptFileWith(makeScript(4), manyKeys), /front matter is longer than 32768 characters/],
    [
      '1,001 keys in a short front matter',
      scriptFileWith(
        makeScript(5),
        `extra: {${Array.from({ length: 1001 }, (_, index) => `k${index}: 1`).join(', ')}}`,
      ),
      /^line \d+: front matter has more than 1000 keys/,
    ],
    [
      'a repeated key',
      scriptFileWith(makeScript(6), 'title: again'),
      /^line 11, column 1: front matter repeats the key title/,
    ],
  ];

  it.each(cases)('are reported and left untouched: %s', async (_, content, reason) => {
    const app = await project();
    await app.write('scripts/good.py', scriptFile(valid));
    await app.write('scripts/zz_copy.py', content);
    const other = await app.scripts.create({ title: 'Other', kind: 'macro' });

    const report = await app.sync.syncNow();

    expect(report.unreadable).toEqual([
      { path: 'scripts/zz_copy.py', reason: expect.stringMatching(reason) },
    ]);
    expect(report.imported).toEqual(['scripts/good.py']);
    expect(report.written).toEqual(['scripts/other.py']);
    expect((await app.read('scripts/zz_copy.py')).equals(Buffer.from(content))).toBe(true);
    // An app item whose slug names the unreadable file goes elsewhere rather than overwrite it.
    await app.scripts.rename(other.id, 'zz copy');
    await app.sync.syncNow();
    expect((await app.read('scripts/zz_copy.py')).equals(Buffer.from(content))).toBe(true);
    expect(await app.scripts.get(other.id)).toMatchObject({ slug: 'zz_copy_2' });
  });

  it('do not stop the pass: a post with an alias bomb is reported, the posts beside it imported', async () => {
    const app = await project();
    const bomb = makePost(1);
    const good = makePost(2);
    await app.write('posts/post_1.md', serializePostFile(bomb).replace('\n---\n', `\n${aliasBomb}\n---\n`));
    await app.write('posts/post_2.md', serializePostFile(good));

    const report = await app.sync.syncNow();

    expect(report.unreadable).toEqual([
      { path: 'posts/post_1.md', reason: expect.stringMatching(/more than 10 YAML aliases/) },
    ]);
    expect(report.imported).toEqual(['posts/post_2.md']);
    expect(await app.posts.get(good.id)).toEqual(good);
    expect(await app.posts.get(bomb.id)).toBeUndefined();
  });

  it('include a hard link, which may be a file outside the folder; the pass goes on', async () => {
    const app = await project();
    const outside = await tempDir();
    try {
      await writeFile(join(outside, 'secret.py'), scriptFile(makeScript(7)));
      await app.write('scripts/good.py', scriptFile(valid));
      await link(join(outside, 'secret.py'), join(app.dir, 'scripts', 'linked.py'));

      const report = await app.sync.syncNow();

      expect(report.unreadable).toEqual([
        { path: 'scripts/linked.py', reason: expect.stringMatching(/^cannot be read: .*hard link/) },
      ]);
      expect(report.imported).toEqual(['scripts/good.py']);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('hold their item: a synced file that turns unreadable neither trashes nor rewrites it', async () => {
    const app = await project();
    const script = await app.scripts.create({ title: 'Hello', kind: 'utility' });
    await app.sync.syncNow();
    await app.write('scripts/hello.py', '"""\n---\nbroken: [\n');
    await app.scripts.save(script.id, { body: 'changed\n' });
    expect((await app.sync.syncNow()).unreadable).toHaveLength(1);
    expect(await app.readText('scripts/hello.py')).toBe('"""\n---\nbroken: [\n');
    expect(await app.scripts.get(script.id)).toMatchObject({ body: 'changed\n' });
  });
});

describe('reference app files', () => {
  it('import unchanged and keep their extra keys and CRLF body when rewritten', async () => {
    const app = await project();
    for (const name of ['render_hero.py', 'crlf_tool.py']) {
      await app.write(
        `scripts/${name}`,
        await readFile(new URL(`../fixtures/reference-app/scripts/${name}`, import.meta.url)),
      );
    }
    const original = await app.read('scripts/crlf_tool.py');
    expect((await app.sync.syncNow()).imported.sort()).toEqual([
      'scripts/crlf_tool.py',
      'scripts/render_hero.py',
    ]);
    const hero = await app.scripts.get('3f2b9c1e-8d4a-4f6b-9a61-2c7e5d0b1a90');
    const tool = await app.scripts.get('7c1d2e3f-0000-4000-8000-000000000002');
    expect(hero).toMatchObject({ slug: 'render_hero', kind: 'macro', version: 3 });
    expect(tool).toMatchObject({ enabled: false, body: original.toString('utf8').split('"""\r\n')[2] });

    await app.scripts.save(hero!.id, { enabled: false });
    await app.scripts.save(tool!.id, { enabled: true });
    await app.sync.syncNow();
    expect(await app.readText('scripts/render_hero.py')).toMatch(
      /^"""\n---\nid: "3f2b[^\n]+\nprojectId: "default"\nslug: "render_hero"\n/,
    );
    const rewritten = await app.read('scripts/crlf_tool.py');
    expect(rewritten.toString('utf8')).toContain('enabled: true\r\n');
    expect(rewritten.subarray(rewritten.length - 50).equals(original.subarray(original.length - 50))).toBe(
      true,
    );
  });
});

describe('interrupted writes', () => {
  it('leave the old file when the tab dies between writing and replacing', async () => {
    const { default: fs } = await import('node:fs/promises');
    let crash = false;
    const flaky: NodeFs = {
      ...fs,
      rename: (async (from, to) => {
        if (crash) throw new Error('tab closed');
        return fs.rename(from, to);
      }) as NodeFs['rename'],
    };
    const app = await project({ fs: flaky });
    const script = await app.scripts.create({ title: 'Hello', kind: 'utility' });
    await app.sync.syncNow();
    const before = await app.read('scripts/hello.py');

    crash = true;
    await app.scripts.save(script.id, { body: 'new body\n' });
    const report = await app.sync.syncNow();
    expect(report.failed).toEqual([{ path: 'scripts/hello.py', reason: 'tab closed' }]);
    expect((await app.read('scripts/hello.py')).equals(before)).toBe(true);
    expect(await filesIn(join(app.dir, 'scripts'))).toEqual(['hello.py']);

    crash = false;
    expect((await app.sync.syncNow()).written).toEqual(['scripts/hello.py']);
    expect(await app.readText('scripts/hello.py')).toMatch(/new body\n$/);
  });
});

describe('two tabs on one folder', () => {
  it('sync one after the other: a new file is imported once, an edit written once, nothing conflicts', async () => {
    const dbName = `pymark-two-tabs-${crypto.randomUUID()}`;
    const exclusive = sharedLock();
    const first = await project({ dbName, exclusive });
    const second = await project({ dir: first.dir, dbName, exclusive });
    const script = await first.scripts.create({ title: 'Hello', kind: 'utility' });
    await first.sync.syncNow();

    const added = makeScript(7);
    await first.write('scripts/added.py', scriptFile(added));
    await first.scripts.save(script.id, { body: 'edited in a tab\n' });
    const reports = await Promise.all([first.sync.syncNow(), second.sync.syncNow()]);

    expect(reports.flatMap((report) => report.conflicts)).toEqual([]);
    expect(reports.flatMap((report) => report.imported)).toEqual(['scripts/added.py']);
    expect(reports.flatMap((report) => report.written)).toEqual(['scripts/hello.py']);
    expect((await first.scripts.list()).map((item) => item.slug).sort()).toEqual(['added', 'hello']);
    expect(await filesIn(join(first.dir, 'scripts'))).toEqual(['added.py', 'hello.py']);
  });
});

describe('a post edited in the folder while it is typed in the app', () => {
  it('ends in a conflict copy with a notice, the folder version in the post', async () => {
    const app = await project();
    const post = await app.posts.create({ title: 'Typed', body: 'original\n' });
    await app.sync.syncNow();
    const posts = new PostsWorkspace({
      store: app.posts,
      render: async (rendered) => ({
        body: rendered.body,
        html: '',
        warnings: [],
        css: [],
        macroCount: 0,
        executed: 0,
      }),
      autosaveDelayMs: 60_000,
    });
    await posts.init(post.id);
    try {
      posts.edit('typed in the app\n');
      const file = await app.readText('posts/typed.md');
      await app.write('posts/typed.md', file.replace('original\n', 'edited on disk\n'));
      expect((await app.sync.syncNow()).imported).toEqual(['posts/typed.md']);

      await posts.flushSave();
      await app.sync.syncNow();

      expect((await app.posts.get(post.id))?.body).toBe('edited on disk\n');
      expect(await app.readText('posts/typed.md')).toContain('edited on disk\n');
      const copy = (await app.posts.list()).find((each) => each.id !== post.id);
      expect(copy).toMatchObject({ title: 'Typed (conflicting edit)', body: 'typed in the app\n' });
      expect(await app.readText(`posts/${copy?.slug}.md`)).toContain('typed in the app\n');
      expect(posts.state).toMatchObject({
        editing: { body: 'edited on disk\n' },
        editConflict: { title: 'Typed', copyTitle: 'Typed (conflicting edit)' },
      });
    } finally {
      posts.dispose();
    }
  });
});

describe('plain files written by another editor', () => {
  it('are adopted as they are, and get their metadata block only when edited in the app', async () => {
    const app = await project();
    const plainScript = 'def render(context):\n    return "<b>plain</b>"\n';
    const plainPost = '# A note from Obsidian\n\nWritten elsewhere.\n';
    await app.write('scripts/plain_macro.py', plainScript);
    await app.write('posts/obsidian_note.md', plainPost);
    await app.write('scripts/Bad Name.py', 'print(1)\n');

    const report = await app.sync.syncNow();

    expect(report.imported.sort()).toEqual(['posts/obsidian_note.md', 'scripts/plain_macro.py']);
    expect(report.unreadable).toEqual([
      {
        path: 'scripts/Bad Name.py',
        reason:
          'the file name “Bad Name” is not a slug (lower-case a-z, 0-9 and _ only); rename it, e.g. to “bad_name”',
      },
    ]);
    expect(report.written).toEqual([]);
    const [script] = await app.scripts.list();
    expect(script).toMatchObject({
      title: 'Plain macro',
      slug: 'plain_macro',
      kind: 'macro',
      body: plainScript,
    });
    const [post] = await app.posts.list();
    expect(post).toMatchObject({ title: 'A note from Obsidian', status: 'draft', body: plainPost });

    // Synced again, nothing changes: the files stay as the other editor wrote them.
    expect(await app.sync.syncNow()).toMatchObject({ imported: [], written: [] });
    expect(await app.readText('scripts/plain_macro.py')).toBe(plainScript);
    expect(await app.readText('posts/obsidian_note.md')).toBe(plainPost);

    await app.posts.save(post!.id, { tags: ['notes'] });
    expect((await app.sync.syncNow()).written).toEqual(['posts/obsidian_note.md']);
    const written = await app.readText('posts/obsidian_note.md');
    expect(written).toMatch(new RegExp(`^---\\nid: "${post!.id}"\\ntitle: "A note from Obsidian"\\n`));
    expect(written).toContain('tags: [ "notes" ]\n');
    expect(written.endsWith(`---\n${plainPost}`)).toBe(true);
    expect(await app.readText('scripts/plain_macro.py')).toBe(plainScript);
    expect(await app.sync.syncNow()).toMatchObject({ imported: [], written: [], conflicts: [] });
  });
});
