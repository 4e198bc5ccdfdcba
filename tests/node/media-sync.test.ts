import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Media, mediaPath, sidecarPath } from '../../src/core/media';
import { parseSidecar, serializeSidecar } from '../../src/core/media-file';
import { jpegBytes } from '../unit/jpeg-bytes';
import { openProject, type Project, syncStamp } from './folder-sync-harness';

const projects: Project[] = [];

afterEach(async () => {
  for (const project of projects.splice(0)) await project.close();
});

async function project(options: Parameters<typeof openProject>[0] = {}): Promise<Project> {
  const opened = await openProject(options);
  projects.push(opened);
  return opened;
}

const lastModified = '2026-02-14T09:30:00.000Z';

async function importPhoto(app: Project, name = 'beach.jpg', bytes = jpegBytes(800, 600)) {
  return app.media.import({ name, bytes, lastModified });
}

describe('media folder sync', () => {
  it('writes the image and its sidecar by month, and a second app takes both in', async () => {
    const first = await project();
    const media = await importPhoto(first);
    const edited = await first.media.edit(media.id, { alt: 'Waves' });
    const report = await first.sync.syncNow();
    expect(report.written).toEqual(['media/2026/02/beach.jpg', 'media/2026/02/beach.jpg.yml']);
    expect(new Uint8Array(await first.read('media/2026/02/beach.jpg'))).toEqual(jpegBytes(800, 600));
    expect(await first.readText('media/2026/02/beach.jpg.yml')).toBe(serializeSidecar(edited));

    const second = await project({ dir: first.dir });
    const imported = await second.sync.syncNow();
    expect(imported.imported).toEqual(['media/2026/02/beach.jpg.yml']);
    expect(await second.media.list()).toEqual([edited]);
    const blob = await second.media.blob(media.id);
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(jpegBytes(800, 600));
    expect(await second.sync.syncNow()).toMatchObject({ written: [], imported: [], conflicts: [] });
  });

  it('takes an edit made in the folder, and one made in the app, each once', async () => {
    const app = await project();
    const media = await importPhoto(app);
    await app.sync.syncNow();
    const path = 'media/2026/02/beach.jpg.yml';
    await app.write(path, (await app.readText(path)).replace('caption: ""', 'caption: "From the folder"'));
    expect((await app.sync.syncNow()).imported).toEqual([path]);
    expect((await app.media.get(media.id))?.caption).toBe('From the folder');

    await app.media.edit(media.id, { title: 'From the app' });
    expect((await app.sync.syncNow()).written).toEqual([path]);
    expect(await app.readText(path)).toContain('title: "From the app"');
    expect(await app.readText(path)).toContain('caption: "From the folder"');
  });

  it('keeps both versions of an edit made on both sides, the folder’s in place', async () => {
    const app = await project();
    const media = await importPhoto(app);
    await app.sync.syncNow();
    const path = 'media/2026/02/beach.jpg.yml';
    await app.write(path, (await app.readText(path)).replace('alt: ""', 'alt: "folder"'));
    const appVersion = await app.media.edit(media.id, { alt: 'app' });
    const report = await app.sync.syncNow();
    const copyPath = `media/2026/02/beach.jpg.conflict-${syncStamp}.yml`;
    expect(report.conflicts).toEqual([{ path, copyPath }]);
    expect((await app.media.get(media.id))?.alt).toBe('folder');
    const copy = parseSidecar(await app.readText(copyPath), 'beach.jpg');
    expect(copy.ok && copy.value.media).toEqual(appVersion);
    // The copy is a side file: it is neither imported nor reported on the next pass.
    expect(await app.sync.syncNow()).toMatchObject({ imported: [], unreadable: [], conflicts: [] });
  });

  it('an edit in the app while a pass settles a conflict: no copy or notice from that pass, both kept by the next', async () => {
    const app = await project();
    const media = await importPhoto(app);
    await app.sync.syncNow();
    const path = 'media/2026/02/beach.jpg.yml';
    await app.write(path, (await app.readText(path)).replace('alt: ""', 'alt: "folder"'));
    await app.media.edit(media.id, { alt: 'app' });
    // The edit lands after the pass has read both sides and written its conflict copy.
    const applyExternal = app.media.applyExternal.bind(app.media);
    let later: Media | undefined;
    app.media.applyExternal = async (changes) => {
      app.media.applyExternal = applyExternal;
      later = await app.media.edit(media.id, { alt: 'app, later' });
      return applyExternal(changes);
    };
    const copyPath = `media/2026/02/beach.jpg.conflict-${syncStamp}.yml`;

    expect(await app.sync.syncNow()).toMatchObject({ imported: [], conflicts: [], failed: [] });
    expect((await app.media.get(media.id))?.alt).toBe('app, later');
    await expect(app.readText(copyPath)).rejects.toThrow(/ENOENT/);

    expect((await app.sync.syncNow()).conflicts).toEqual([{ path, copyPath }]);
    expect((await app.media.get(media.id))?.alt).toBe('folder');
    const copy = parseSidecar(await app.readText(copyPath), 'beach.jpg');
    expect(copy.ok && copy.value.media).toEqual(later);
  });

  it('leaves an unreadable sidecar and its item alone, saying why and where', async () => {
    const app = await project();
    const media = await importPhoto(app);
    await app.sync.syncNow();
    const path = 'media/2026/02/beach.jpg.yml';
    const broken = (await app.readText(path)).replace('width: 800', 'width: [');
    await app.write(path, broken);
    await app.media.edit(media.id, { alt: 'edited meanwhile' });
    const report = await app.sync.syncNow();
    expect(report.unreadable).toEqual([{ path, reason: expect.stringMatching(/^line \d+.*not valid YAML/) }]);
    expect(await app.readText(path)).toBe(broken);
    expect((await app.media.get(media.id))?.alt).toBe('edited meanwhile');
  });

  it('refuses a folder image that is not an image, keeping the app as it was', async () => {
    const source = await project();
    const media = await importPhoto(source);
    await source.sync.syncNow();
    await source.write(mediaPath(media), 'just text');
    const app = await project({ dir: source.dir });
    const report = await app.sync.syncNow();
    expect(report.unreadable).toEqual([
      {
        path: mediaPath(media),
        reason: `${mediaPath(media)} is not an image Pymark can use (JPEG, PNG, GIF or WebP)`,
      },
    ]);
    expect(await app.media.list()).toEqual([]);
  });

  it('reports an image without a sidecar and a sidecar without its image', async () => {
    const app = await project();
    await app.write('media/2025/11/loose.jpg', jpegBytes(10, 10));
    const media = await importPhoto(app);
    await app.sync.syncNow();
    await app.remove(mediaPath(media));
    const report = await app.sync.syncNow();
    expect(report.unreadable).toEqual([
      { path: 'media/2025/11/loose.jpg', reason: 'no sidecar loose.jpg.yml beside it, so it is not synced' },
      { path: sidecarPath(media), reason: 'the image beach.jpg beside it is missing' },
    ]);
    expect(await app.media.get(media.id)).toEqual(media);
  });

  it('moves a deleted item’s files to the folder’s trash, and trashes an item deleted in the folder', async () => {
    const app = await project();
    const kept = await importPhoto(app, 'kept.jpg');
    const gone = await importPhoto(app, 'gone.jpg');
    await app.sync.syncNow();
    await app.media.delete(gone.id);
    const report = await app.sync.syncNow();
    expect(report.trashed).toEqual([
      { id: gone.id, path: sidecarPath(gone), trashPath: `.trash/${syncStamp}/${sidecarPath(gone)}` },
    ]);
    expect((await readdir(join(app.dir, `.trash/${syncStamp}/media/2026/02`))).sort()).toEqual([
      'gone.jpg',
      'gone.jpg.yml',
    ]);

    await app.remove(sidecarPath(kept));
    await app.remove(mediaPath(kept));
    expect((await app.sync.syncNow()).trashed).toEqual([{ id: kept.id }]);
    expect((await app.media.listTrash()).map((item) => item.id).sort()).toEqual([gone.id, kept.id].sort());
  });

  it('gives an app item a free name when the folder holds another image under its name', async () => {
    const app = await project();
    await app.write('media/2026/02/beach.jpg', jpegBytes(20, 20));
    const media = await importPhoto(app);
    const report = await app.sync.syncNow();
    expect(report.written).toEqual(['media/2026/02/beach-2.jpg', 'media/2026/02/beach-2.jpg.yml']);
    expect((await app.media.get(media.id))?.fileName).toBe('beach-2.jpg');
    expect(new Uint8Array(await app.read('media/2026/02/beach.jpg'))).toEqual(jpegBytes(20, 20));
  });
});
