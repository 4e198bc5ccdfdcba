import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeSiteTarget } from '../../src/cli/node-folders';
import { manifestPath, writeSite } from '../../src/site/site-writer';

/*
 * The CLI's output folder when a write fails: a new one is written beside its name and renamed into
 * place once whole, so nothing is left under that name; an existing one is made whole again by the
 * next build.
 */

const parents: string[] = [];
afterEach(() => {
  for (const parent of parents.splice(0)) rmSync(parent, { recursive: true, force: true });
});

function emptyParent(): string {
  const parent = mkdtempSync(join(tmpdir(), 'pymark-output-folder-'));
  parents.push(parent);
  return parent;
}

const encode = (text: string) => new TextEncoder().encode(text);

describe('a new output folder', () => {
  it('appears whole, with its folders, its files and the manifest, and nothing beside it', async () => {
    const parent = emptyParent();
    const out = join(parent, 'deep/site');
    const files = new Map([
      ['index.html', encode('home')],
      ['posts/a/index.html', encode('a')],
      ['posts/b/index.html', encode('b')],
      ['tag/x/page/2/index.html', encode('x2')],
    ]);
    const report = await writeSite(files, new NodeSiteTarget(out));
    expect(report.written).toEqual([...files.keys()]);
    expect(readdirSync(parent)).toEqual(['deep']);
    expect(readdirSync(join(parent, 'deep'))).toEqual(['site']);
    for (const [path, bytes] of files) expect(new Uint8Array(readFileSync(join(out, path)))).toEqual(bytes);
    expect(readFileSync(join(out, manifestPath), 'utf8')).toContain('"tag/x/page/2/index.html"');

    // The folder now exists: a rebuild goes file by file, and writes only what changed.
    const again = await writeSite(
      new Map([...files, ['posts/b/index.html', encode('b, edited')]]),
      new NodeSiteTarget(out),
    );
    expect(again).toEqual({ written: ['posts/b/index.html'], unchanged: 3, removed: [] });
    expect(readdirSync(join(parent, 'deep'))).toEqual(['site']);
  });

  it('is not there at all when a write fails half way', async () => {
    const parent = emptyParent();
    const out = join(parent, 'site');
    // `posts` is a file, so the folder `posts` cannot be made for the second page.
    const files = new Map([
      ['index.html', encode('home')],
      ['posts', encode('a file')],
      ['posts/a/index.html', encode('a')],
    ]);
    const failed = writeSite(files, new NodeSiteTarget(out));
    // Named as the user named the output: the hidden folder it was staged in is gone with it.
    await expect(failed).rejects.toThrow(`'${join(out, 'posts')}'`);
    await expect(failed).rejects.toMatchObject({ path: join(out, 'posts') });
    expect(readdirSync(parent)).toEqual([]);
  });
  it("removes the staging folder a killed build left beside its name, not a running build's", async () => {
    const parent = emptyParent();
    const out = join(parent, 'site');
    const uuid = '0f8e2c1a-5b7d-4c2e-9a31-6d4f8b2e1c07';
    // Above the largest process id Linux allows (2^22), so no process has it: that build is gone.
    const killed = join(parent, `.site.${2 ** 22 + 1}.${uuid}.pymark-tmp`);
    mkdirSync(join(killed, 'posts'), { recursive: true });
    writeFileSync(join(killed, 'posts/index.html'), 'half a site');
    // This process runs: a build still writing.
    const running = `.site.${process.pid}.${uuid}.pymark-tmp`;
    mkdirSync(join(parent, running));
    // Another output's staging (`site.old`'s) is not this one's to remove.
    const other = `.site.old.${2 ** 22 + 1}.${uuid}.pymark-tmp`;
    mkdirSync(join(parent, other));
    await writeSite(new Map([['index.html', encode('home')]]), new NodeSiteTarget(out));
    expect(readdirSync(parent).sort()).toEqual([running, other, 'site'].sort());
  });
});

describe('an existing output folder', () => {
  it('is brought back whole by the next build after a write that failed half way', async () => {
    const out = join(emptyParent(), 'site');
    const site = new Map([
      ['a.html', encode('a, as published')],
      ['z/index.html', encode('z')],
    ]);
    await writeSite(
      new Map([...site, ['gone/index.html', encode('a page the site drops')]]),
      new NodeSiteTarget(out),
    );
    // `z` is a folder, so a file `z` cannot replace it: the write stops after `a.html` changed,
    // before `gone/index.html`, which this site no longer has, is removed.
    const failing = new Map([
      ['a.html', encode('a, edited')],
      ['z', encode('a file')],
    ]);
    await expect(writeSite(failing, new NodeSiteTarget(out))).rejects.toThrow();
    expect(readFileSync(join(out, 'a.html'), 'utf8')).toBe('a, edited');

    // The edit is undone: the site as published is written again, not trusted from the old manifest,
    // and the page the site dropped still goes.
    const restored = await writeSite(site, new NodeSiteTarget(out));
    expect(restored).toMatchObject({ written: ['a.html'], removed: ['gone/index.html'] });
    expect(readFileSync(join(out, 'a.html'), 'utf8')).toBe('a, as published');
    expect(readdirSync(out).sort()).toEqual(['.pymark-site.json', 'a.html', 'z']);
  });

  it('drops a path the failed write meant as a file where a folder stands, with the folder', async () => {
    const out = join(emptyParent(), 'site');
    await writeSite(
      new Map([
        ['a.html', encode('a')],
        ['z/index.html', encode('z')],
      ]),
      new NodeSiteTarget(out),
    );
    const failing = new Map([
      ['a.html', encode('a, edited')],
      ['z', encode('a file')],
    ]);
    await expect(writeSite(failing, new NodeSiteTarget(out))).rejects.toThrow();
    // The interim manifest lists `z`, never written; the site now has neither `z` nor `z/index.html`.
    const smaller = new Map([['a.html', encode('a')]]);
    const report = await writeSite(smaller, new NodeSiteTarget(out));
    expect(report.removed).toContain('z/index.html');
    expect(readdirSync(out).sort()).toEqual(['.pymark-site.json', 'a.html']);
    await expect(writeSite(smaller, new NodeSiteTarget(out))).resolves.toEqual({
      written: [],
      unchanged: 1,
      removed: [],
    });
  });
});
