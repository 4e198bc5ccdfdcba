import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { blogFixture, buildNodeBundles, copyFixture } from './site-harness';

/*
 * `pymark build` as a user runs it: the bundled command (what bin/pymark.mjs loads) in a child
 * process, with Python in worker threads.
 */

let cli: string;
/** Where the commands of this file keep Python's memory snapshot: the first boot makes it, the rest restore it. */
const cacheDir = mkdtempSync(join(tmpdir(), 'pymark-cache-'));

beforeAll(async () => {
  cli = join(await buildNodeBundles(), 'pymark.mjs');
}, 120_000);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function pymark(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const env = { ...process.env, PYMARK_CACHE_DIR: cacheDir };
    execFile(process.execPath, [cli, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

const read = (path: string) => readFileSync(path, 'utf8');

/** Every file under `dir` with its bytes, by relative path. */
function tree(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
  return new Map(files.map((path) => [path, readFileSync(join(dir, path), 'base64')]));
}

/**
 * Waits until no post file of `dir` changed for the two seconds after which `pymark build` trusts a
 * file's signature (`NodeProjectSource`), so the next build records every one of them.
 */
async function postFilesSettled(dir: string): Promise<void> {
  const posts = join(dir, 'posts');
  await vi.waitFor(
    () => {
      const changed = readdirSync(posts).map((name) => {
        const { mtimeMs, ctimeMs } = statSync(join(posts, name));
        return Math.max(mtimeMs, ctimeMs);
      });
      expect(Date.now() - Math.max(...changed)).toBeGreaterThan(2000);
    },
    { timeout: 30_000, interval: 100 },
  );
}

async function buildJson(...args: string[]) {
  const run = await pymark('build', ...args, '--json');
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe('pymark build', () => {
  test('builds into <project>/site, reports as JSON, and a rebuild writes nothing and starts no Python', async () => {
    const dir = copyFixture(blogFixture);
    const first = await pymark('build', dir, '--json');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({
      ok: true,
      exitCode: 0,
      out: join(dir, 'site'),
      problems: [],
      stats: { posts: 4, drafts: 1, macroCalls: 3, macrosRun: 3, removed: 0, unchanged: 0, pythonWorkers: 1 },
    });
    expect(report.stats.written).toBe(report.stats.files);
    expect(read(join(dir, 'site/posts/videos/index.html'))).toContain(
      'https://www.youtube.com/embed/dQw4w9WgXcQ',
    );

    const second = JSON.parse((await pymark('build', dir, '--json')).stdout);
    expect(second.stats).toMatchObject({
      written: 0,
      unchanged: report.stats.files,
      macrosRun: 0,
      pythonWorkers: 0,
    });
  }, 120_000);

  test('a rebuild from the macro cache equals a clean build; a changed script re-runs its calls only', async () => {
    const dir = copyFixture(blogFixture);
    const cached = join(dir, 'cached-site');
    const clean = join(dir, 'clean-site');
    await buildJson(dir, '--out', cached);
    expect(existsSync(join(cacheDir, 'python-snapshot.bin'))).toBe(true);
    const videos = join(dir, 'posts/videos.md');
    writeFileSync(videos, `${read(videos)}\nOne more paragraph.\n`);
    const fromCache = await buildJson(dir, '--out', cached);
    expect(fromCache.stats).toMatchObject({ macrosRun: 0, pythonWorkers: 0 });
    rmSync(join(dir, '.pymark'), { recursive: true });
    await buildJson(dir, '--out', clean);
    expect(tree(cached)).toEqual(tree(clean));

    // youtube.py changes: its one call runs again, vimeo and the tag cloud come from the cache.
    const youtube = join(dir, 'scripts/youtube.py');
    writeFileSync(youtube, read(youtube).replace('def render(', '# Edited.\ndef render('));
    const edited = await buildJson(dir, '--out', cached);
    expect(edited.stats.macrosRun).toBe(1);
    rmSync(join(dir, '.pymark'), { recursive: true });
    await buildJson(dir, '--out', clean);
    expect(tree(cached)).toEqual(tree(clean));
  }, 180_000);

  test("a rebuild shows an edited post's new front matter; a corrupted post cache is read around and rewritten", async () => {
    const dir = copyFixture(blogFixture);
    const out = join(dir, 'site');
    // Else the first build that finds them settled records their signatures, and rewrites the cache.
    await postFilesSettled(dir);
    await buildJson(dir);
    const postCache = join(dir, '.pymark/post-cache.json');
    expect(read(postCache)).toContain('Videos &');
    // Written whole through a new file and a rename: the same inode means it was not written again.
    const written = statSync(postCache).ino;
    await buildJson(dir);
    expect(statSync(postCache).ino, 'a build that changed no post rewrote the post cache').toBe(written);

    // The same size, so only the text tells the header changed.
    const videos = join(dir, 'posts/videos.md');
    writeFileSync(videos, read(videos).replace('title: "Videos & <embeds>"', 'title: "Clips! & <embeds>"'));
    await buildJson(dir);
    expect(read(join(out, 'posts/videos/index.html'))).toContain('Clips! &amp; &lt;embeds&gt;');
    expect(read(join(out, 'index.html'))).not.toContain('Videos &amp;');

    writeFileSync(postCache, '{"format": 1, "entries": [["posts/videos.md", {"header": 3');
    writeFileSync(videos, read(videos).replace('title: "Clips! & <embeds>"', 'title: "Films & <embeds>"'));
    const afterCorruption = await buildJson(dir);
    expect(afterCorruption.ok).toBe(true);
    expect(read(join(out, 'posts/videos/index.html'))).toContain('Films &amp; &lt;embeds&gt;');
    expect(JSON.parse(read(postCache)).entries).toHaveLength(readdirSync(join(dir, 'posts')).length);

    // A damaged build manifest and compiled-code cache: the pages are rendered again, and right.
    const damage = (folder: string) => {
      const names = readdirSync(join(cacheDir, folder)).filter((name) => !name.endsWith('.tmp'));
      expect(names.length).toBeGreaterThan(0);
      for (const name of names)
        writeFileSync(
          join(cacheDir, folder, name),
          `${read(join(cacheDir, folder, name)).slice(0, 500)}\u0000`,
        );
    };
    damage('builds');
    damage('code');
    writeFileSync(videos, read(videos).replace('title: "Films & <embeds>"', 'title: "Reels & <embeds>"'));
    const afterDamage = await buildJson(dir);
    expect(afterDamage.stats.postsRendered).toBe(afterDamage.stats.posts);
    const clean = join(dir, 'clean-site');
    rmSync(join(dir, '.pymark'), { recursive: true });
    await buildJson(dir, '--out', clean);
    expect(tree(out)).toEqual(tree(clean));
  }, 180_000);

  test('a macro error exits 1, is listed with file, line and script line, and leaves the previous site whole', async () => {
    const dir = copyFixture(blogFixture);
    const out = join(dir, 'elsewhere');
    expect((await pymark('build', dir, '--out', out)).code).toBe(0);
    const before = read(join(out, 'posts/hello/index.html'));
    writeFileSync(
      join(dir, 'scripts/boom.py'),
      '"""\n---\nid: "6a1c1f4e-9a55-4a43-9a36-7a1d1f0c3b11"\ntitle: "Boom"\nkind: "macro"\n---\n"""\ndef render(context):\n    raise RuntimeError("no")\n',
    );
    const hello = join(dir, 'posts/hello.md');
    writeFileSync(hello, read(hello).replace('Second paragraph.', 'Second [[boom]] paragraph.'));
    const failed = await pymark('build', dir, '--out', out);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(
      /^error: posts\/hello\.md:13:8: \[\[boom\]\] failed \(exception\): .*RuntimeError: no \(boom\.py:2\)$/m,
    );
    expect(failed.stderr).toMatch(/Build failed with 1 error; nothing was written/);
    expect(read(join(out, 'posts/hello/index.html'))).toBe(before);
  }, 120_000);

  test('a bad site.yml exits 2 with its line and column', async () => {
    const dir = copyFixture(blogFixture);
    writeFileSync(join(dir, 'site.yml'), 'title: "x"\nbase_url: "ftp://example.com/"\n');
    const run = await pymark('build', dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: site.yml:2:11: base_url: must be an absolute http(s) URL');
  });

  test('bad usage exits 2 with the usage', async () => {
    for (const args of [[], ['build'], ['publish', 'x'], ['build', 'x', '--no-such-flag']]) {
      const run = await pymark(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain('Usage: pymark build <project-folder>');
    }
    expect((await pymark('--help')).code).toBe(0);
  });

  test('a project folder that does not exist exits 2 and creates nothing', async () => {
    const missing = join(copyFixture(blogFixture), 'no-such-project');
    const run = await pymark('build', missing);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`pymark: ${missing} is not a folder`);
    expect(existsSync(missing)).toBe(false);
  });

  test('--watch rebuilds after an edit, running the macro it adds, and ends on Ctrl-C', async () => {
    const dir = copyFixture(blogFixture);
    const watching = spawn(process.execPath, [cli, 'build', dir, '--watch'], {
      env: { ...process.env, PYMARK_CACHE_DIR: cacheDir },
    });
    let stderr = '';
    watching.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      await vi.waitFor(() => expect(stderr).toContain('Watching'), { timeout: 60_000, interval: 50 });
      const post = join(dir, 'posts/hello.md');
      writeFileSync(post, `${read(post)}\n[[youtube id="aqz-KE-bpKQ"]]\n`);
      await vi.waitFor(
        () =>
          expect(read(join(dir, 'site/posts/hello/index.html'))).toContain('youtube.com/embed/aqz-KE-bpKQ'),
        { timeout: 60_000, interval: 50 },
      );
    } finally {
      watching.kill('SIGINT');
    }
    const [code] = await once(watching, 'exit');
    expect(code, stderr).toBe(0);
  }, 120_000);
});
