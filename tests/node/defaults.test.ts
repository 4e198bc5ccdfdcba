import 'fake-indexeddb/auto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { bundledDefaults } from '../../src/storage/bundled-defaults';
import { applyDefaults, type BundledFile, readBundledDefaults } from '../../src/storage/defaults-seeder';
import { NodeFsFolder } from '../../src/storage/folder/node-fs-folder';
import { type IdbScriptStore, openScriptStore } from '../../src/storage/idb-script-store';
import { openPymarkDb, type PymarkDb } from '../../src/storage/pymark-db';
import { tempDir } from './folder-sync-harness';

const defaultsDir = new URL('../../defaults/', import.meta.url);

async function filesOfDefaults(): Promise<BundledFile[]> {
  const names = (await readdir(defaultsDir)).filter((name) => name.endsWith('.py')).sort();
  return Promise.all(
    names.map(async (fileName) => ({
      fileName,
      text: await readFile(new URL(fileName, defaultsDir), 'utf8'),
    })),
  );
}

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const handle of opened.splice(0)) handle.close();
});

async function open(): Promise<{ db: PymarkDb; scripts: IdbScriptStore }> {
  const dbName = `pymark-defaults-${crypto.randomUUID()}`;
  const [db, scripts] = await Promise.all([openPymarkDb(dbName), openScriptStore({ dbName })]);
  opened.push(db, scripts);
  return { db, scripts };
}

function hello(version: number, body: string): BundledFile {
  return {
    fileName: 'hello.py',
    text: `"""\n---\nid: "6b0f3c2e-9a41-4d7e-8c15-2f4a7b9d0e31"\ntitle: "Hello"\nkind: "utility"\nversion: ${version}\n---\n"""\n${body}`,
  };
}

const fail = () => {
  throw new Error('no invalid records expected');
};

describe('bundled defaults', () => {
  it('are every file of defaults/, each a valid script file with a version', async () => {
    const files = await filesOfDefaults();
    expect(files.map((file) => file.fileName)).toContain('hello.py');
    expect([...bundledDefaults].sort((a, b) => a.fileName.localeCompare(b.fileName))).toEqual(files);
    for (const { script } of await readBundledDefaults(files)) expect(script.version).toBeGreaterThan(0);
  });

  it('are all seeded into a new project, once', async () => {
    const { db, scripts } = await open();
    const files = await filesOfDefaults();
    const report = await applyDefaults({ db, scripts, bundled: files, onInvalidRecord: fail });
    expect(report.seeded).toHaveLength(files.length);
    expect((await scripts.list()).map((script) => `${script.slug}.py`).sort()).toEqual(
      files.map((file) => file.fileName),
    );
    expect(await applyDefaults({ db, scripts, bundled: files, onInvalidRecord: fail })).toEqual({
      seeded: [],
      upgraded: [],
      offered: [],
    });
  });
});

describe('upgrading defaults', () => {
  it('replaces a default the user never edited in place', async () => {
    const { db, scripts } = await open();
    await applyDefaults({ db, scripts, bundled: [hello(1, 'old\n')], onInvalidRecord: fail });
    const [seeded] = await scripts.list();
    await scripts.save(seeded!.id, { enabled: false });

    const report = await applyDefaults({ db, scripts, bundled: [hello(2, 'new\n')], onInvalidRecord: fail });

    expect(report.upgraded).toEqual([seeded!.id]);
    expect(await scripts.get(seeded!.id)).toMatchObject({ body: 'new\n', enabled: false, slug: 'hello' });
  });

  it('keeps an edited default and offers the new one beside it, once', async () => {
    const { db, scripts } = await open();
    const dir = await tempDir();
    const folder = new NodeFsFolder(dir);
    await applyDefaults({ db, scripts, bundled: [hello(1, 'old\n')], onInvalidRecord: fail });
    const [seeded] = await scripts.list();
    await scripts.save(seeded!.id, { body: 'mine\n' });

    const report = await applyDefaults({
      db,
      scripts,
      bundled: [hello(2, 'new\n')],
      folder,
      onInvalidRecord: fail,
    });

    expect(report.offered).toEqual([
      {
        scriptId: seeded!.id,
        version: 2,
        script: expect.objectContaining({ body: 'new\n' }),
        yours: 'mine\n',
        path: 'scripts/hello.default-v2.py',
      },
    ]);
    expect(await readFile(`${dir}/scripts/hello.default-v2.py`, 'utf8')).toBe(hello(2, 'new\n').text);
    expect((await scripts.get(seeded!.id))?.body).toBe('mine\n');
    expect(
      (await applyDefaults({ db, scripts, bundled: [hello(2, 'new\n')], onInvalidRecord: fail })).offered,
    ).toEqual([]);
    await rm(dir, { recursive: true });
  });

  it('never brings back a default the user deleted', async () => {
    const { db, scripts } = await open();
    await applyDefaults({ db, scripts, bundled: [hello(1, 'old\n')], onInvalidRecord: fail });
    const [seeded] = await scripts.list();
    await scripts.delete(seeded!.id);
    await applyDefaults({ db, scripts, bundled: [hello(2, 'new\n')], onInvalidRecord: fail });
    expect(await scripts.list()).toEqual([]);
  });
});
