import 'fake-indexeddb/auto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeFsFolder } from '../../src/storage/folder/node-fs-folder';
import { openMediaStore } from '../../src/storage/idb-media-store';
import { openPostStore } from '../../src/storage/idb-post-store';
import { openScriptStore } from '../../src/storage/idb-script-store';
import { ReferenceProjectImport } from '../../src/ui/reference-project-import';
import { jpegBytes } from './jpeg-bytes';

const fixtures = fileURLToPath(new URL('../fixtures/reference-app/scripts/', import.meta.url));
const postId = '9b2e4f7a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';
const post =
  `---\nid: "${postId}"\ntitle: "Hello"\nslug: "hello"\nstatus: "published"\n` +
  'tags: ["python"]\ncategories: []\ncreatedAt: "2026-02-20T10:00:00.000Z"\n' +
  'updatedAt: "2026-02-21T10:00:00.000Z"\npublishedAt: "2026-02-21T10:00:00.000Z"\n---\n' +
  '![Sofa](/media/2026/02/sofa.jpg)\n';
const sofaSidecar = { title: 'Sofa', createdAt: '2026-02-14T09:30:00.000Z', linkedPostIds: [postId] };
const opened: { close(): void }[] = [];

async function openStores() {
  const dbName = `import-${crypto.randomUUID()}`;
  const stores = {
    scripts: await openScriptStore({ dbName }),
    posts: await openPostStore({ dbName }),
    media: await openMediaStore({ dbName }),
  };
  opened.push(...Object.values(stores));
  return stores;
}

describe('importing a reference project in the app', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'pymark-app-import-'));
    await cp(fixtures, join(root, 'scripts'), { recursive: true });
    await mkdir(join(root, 'posts'), { recursive: true });
    await writeFile(join(root, 'posts', 'hello.md'), post);
    await mkdir(join(root, 'media', '2026', '02'), { recursive: true });
    await writeFile(join(root, 'media', '2026', 'cat.jpg'), new Uint8Array([0xff, 0xd8, 0xff]));
    await writeFile(join(root, 'media', '2026', '02', 'sofa.jpg'), jpegBytes(4, 3));
    await writeFile(join(root, 'media', '2026', '02', 'sofa.jpg.json'), JSON.stringify(sofaSidecar));
    await mkdir(join(root, '.git'), { recursive: true });
    await writeFile(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  });

  afterEach(async () => {
    for (const handle of opened.splice(0)) handle.close();
    await rm(root, { recursive: true, force: true });
  });

  it('adds the scripts, posts and media beside the app’s own, never over them, and reports each file', async () => {
    const { scripts, posts, media } = await openStores();
    const mine = await scripts.create({ title: 'render_hero', kind: 'utility' });
    const myImage = await media.import({
      name: 'sofa.jpg',
      bytes: jpegBytes(9, 9),
      lastModified: '2026-02-01T08:00:00.000Z',
    });
    const importer = new ReferenceProjectImport({
      pickFolder: async () => ({ name: 'reference', folder: new NodeFsFolder(root) }),
      scripts,
      posts,
      media,
      now: () => '2026-12-02T10:00:00.000Z',
    });

    await importer.importFolder();

    const { last, problem, busy } = importer.state;
    expect(problem).toBeNull();
    expect(busy).toBe(false);
    expect(last?.folderName).toBe('reference');
    expect(last?.report.taken.map((entry) => entry.path)).toEqual([]);
    expect(last?.report.converted.map((entry) => [entry.path, entry.to, entry.notes])).toEqual([
      [
        'media/2026/02/sofa.jpg',
        'media/2026/02/sofa-2.jpg',
        ['no id, so it has a new one', 'media/2026/02/sofa.jpg is taken, so it is sofa-2.jpg'],
      ],
      [
        'media/2026/02/sofa.jpg.json',
        'media/2026/02/sofa-2.jpg.yml',
        ["the metadata of media/2026/02/sofa.jpg, in Pymark's sidecar format"],
      ],
      ['posts/hello.md', 'posts/hello.md', ['link /media/2026/02/sofa.jpg now /media/2026/02/sofa-2.jpg']],
      ['scripts/crlf_tool.py', 'scripts/crlf_tool.py', ['no createdAt, so "2026-12-02T10:00:00.000Z"']],
      [
        'scripts/render_hero.py',
        'scripts/render_hero_2.py',
        ['slug render_hero is taken, so it is render_hero_2'],
      ],
    ]);
    expect(last?.report.left).toEqual([
      { path: 'media/2026/cat.jpg', notes: ['is a truncated JPEG: it ends before its image data'] },
    ]);
    const stored = await scripts.list();
    expect(stored.find((script) => script.id === mine.id)?.body).toBe(mine.body);
    expect(stored.map((script) => script.slug).sort()).toEqual(['crlf_tool', 'render_hero', 'render_hero_2']);
    const [hello] = await posts.list();
    expect(hello).toMatchObject({
      slug: 'hello',
      status: 'published',
      body: '![Sofa](/media/2026/02/sofa-2.jpg)\n',
    });
    const images = await media.list();
    expect(images.find((item) => item.id === myImage.id)).toEqual(myImage);
    const sofa = images.find((item) => item.id !== myImage.id);
    expect(sofa).toMatchObject({
      fileName: 'sofa-2.jpg',
      title: 'Sofa',
      width: 4,
      height: 3,
      linkedPostIds: [postId],
    });
    const blob = await media.blob(sofa!.id);
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(jpegBytes(4, 3));
  });

  it('adds nothing when the media store refuses the images, and says why', async () => {
    const stores = await openStores();
    // Another tab takes the name between the import's look and its write.
    const racing = {
      list: async () => [],
      listTrash: async () => [],
      addImported: (items: Parameters<typeof stores.media.addImported>[0]) => stores.media.addImported(items),
    };
    await stores.media.import({
      name: 'sofa.jpg',
      bytes: jpegBytes(9, 9),
      lastModified: '2026-02-01T08:00:00.000Z',
    });
    const importer = new ReferenceProjectImport({
      pickFolder: async () => ({ name: 'reference', folder: new NodeFsFolder(root) }),
      ...stores,
      media: racing,
    });
    await importer.importFolder();
    expect(importer.state.problem).toBe(
      'Could not import reference: media/2026/02/sofa.jpg: another item holds that name',
    );
    expect(await stores.scripts.list()).toEqual([]);
    expect(await stores.posts.list()).toEqual([]);
    expect((await stores.media.list()).map((item) => item.width)).toEqual([9]);
  });

  it('does nothing when the picker is cancelled, and shows why a folder could not be read', async () => {
    const stores = await openStores();
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
