import 'fake-indexeddb/auto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeFsFolder } from '../../src/storage/folder/node-fs-folder';
import { openPostStore } from '../../src/storage/idb-post-store';
import { openScriptStore } from '../../src/storage/idb-script-store';
import { ReferenceProjectImport } from '../../src/ui/reference-project-import';

const fixtures = fileURLToPath(new URL('../fixtures/reference-app/scripts/', import.meta.url));
const post =
  '---\nid: "9b2e4f7a-1c3d-4e5f-8a9b-0c1d2e3f4a5b"\ntitle: "Hello"\nslug: "hello"\nstatus: "published"\n' +
  'tags: ["python"]\ncategories: []\ncreatedAt: "2026-02-20T10:00:00.000Z"\n' +
  'updatedAt: "2026-02-21T10:00:00.000Z"\npublishedAt: "2026-02-21T10:00:00.000Z"\n---\nBody\n';

describe('importing a reference project in the app', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'pymark-app-import-'));
    await cp(fixtures, join(root, 'scripts'), { recursive: true });
    await mkdir(join(root, 'posts'), { recursive: true });
    await writeFile(join(root, 'posts', 'hello.md'), post);
    await mkdir(join(root, 'media', '2026'), { recursive: true });
    await writeFile(join(root, 'media', '2026', 'cat.jpg'), new Uint8Array([0xff, 0xd8, 0xff]));
    await mkdir(join(root, '.git'), { recursive: true });
    await writeFile(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('adds the scripts and posts beside the app’s own, never over them, and reports each file', async () => {
    const dbName = `import-${crypto.randomUUID()}`;
    const scripts = await openScriptStore({ dbName });
    const posts = await openPostStore({ dbName });
    const mine = await scripts.create({ title: 'render_hero', kind: 'utility' });
    const importer = new ReferenceProjectImport({
      pickFolder: async () => ({ name: 'reference', folder: new NodeFsFolder(root) }),
      scripts,
      posts,
      now: () => '2026-12-02T10:00:00.000Z',
    });

    await importer.importFolder();

    const { last, problem, busy } = importer.state;
    expect(problem).toBeNull();
    expect(busy).toBe(false);
    expect(last?.folderName).toBe('reference');
    expect(last?.report.taken.map((entry) => entry.path)).toEqual(['posts/hello.md']);
    expect(last?.report.converted.map((entry) => [entry.path, entry.to])).toEqual([
      ['scripts/crlf_tool.py', 'scripts/crlf_tool.py'],
      ['scripts/render_hero.py', 'scripts/render_hero_2.py'],
    ]);
    expect(last?.report.left.map((entry) => entry.path)).toEqual(['media/2026/cat.jpg']);
    const stored = await scripts.list();
    expect(stored.find((script) => script.id === mine.id)?.body).toBe(mine.body);
    expect(stored.map((script) => script.slug).sort()).toEqual(['crlf_tool', 'render_hero', 'render_hero_2']);
    expect((await posts.list()).map((item) => [item.slug, item.title, item.status])).toEqual([
      ['hello', 'Hello', 'published'],
    ]);
  });

  it('does nothing when the picker is cancelled, and shows why a folder could not be read', async () => {
    const dbName = `import-${crypto.randomUUID()}`;
    const stores = { scripts: await openScriptStore({ dbName }), posts: await openPostStore({ dbName }) };
    const cancelled = new ReferenceProjectImport({
      pickFolder: () => Promise.reject(new DOMException('The user aborted a request.', 'AbortError')),
      ...stores,
    });
    await cancelled.importFolder();
    expect(cancelled.state).toEqual({ busy: false, last: null, problem: null });

    const unreadable = new NodeFsFolder(root);
    unreadable.listFolders = () => Promise.reject(new Error('permission was withdrawn'));
    const failing = new ReferenceProjectImport({
      pickFolder: async () => ({ name: 'reference', folder: unreadable }),
      ...stores,
    });
    await failing.importFolder();
    expect(failing.state.problem).toBe('Could not import reference: permission was withdrawn');
    expect(failing.state.busy).toBe(false);
    expect(await stores.scripts.list()).toEqual([]);
  });
});
