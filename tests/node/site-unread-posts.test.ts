import { mkdirSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { NodeProjectSource } from '../../src/cli/node-folders';
import { PostCache } from '../../src/cli/post-cache';
import { postKey, readProject, type SourcePost } from '../../src/site/project';

/*
 * A rebuild reads only the post files whose signature (size, times, inode) changed since they were
 * read, and a post it did not read must still be the file's post: these are the ways that could go stale.
 */

const postText = (title: string, body: string) =>
  `---\nid: "00000000-0000-4000-8000-000000000001"\ntitle: "${title}"\nstatus: "published"\n` +
  `createdAt: "2026-01-02T03:04:05.000Z"\nupdatedAt: "2026-01-02T03:04:05.000Z"\n---\n${body}`;

function project(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pymark-unread-'));
  mkdirSync(join(dir, 'posts'));
  return { dir, file: join(dir, 'posts/hello.md') };
}

/** How long a file must go unchanged here to be trusted by its signature: short, for a fast test. */
const settlingMs = 50;

/** Waits until the project lists `file` with a signature: it has not changed for `settlingMs`. */
async function settled(dir: string): Promise<void> {
  const source = new NodeProjectSource(dir, settlingMs);
  await vi.waitFor(
    async () => {
      expect((await source.listFiles('posts')).every((info) => info.signature !== undefined)).toBe(true);
      // Polled for as long as a loaded machine may take, not a deadline.
    },
    { timeout: 60_000, interval: 20 },
  );
}

/** Reads the project as a build does, with the post cache saved between builds. */
async function readPosts(
  dir: string,
  source = new NodeProjectSource(dir, settlingMs),
): Promise<{ posts: SourcePost[]; cache: PostCache }> {
  const cache = await PostCache.load(dir);
  const read = await readProject(source, cache);
  if (!read.ok) throw new Error(JSON.stringify(read.problems));
  await cache.save(dir);
  return { posts: read.project.posts, cache };
}

describe('post files a build need not read', () => {
  test('a file unchanged for a while is not read again, and its body is read only when asked for', async () => {
    const { dir, file } = project();
    writeFileSync(file, postText('Hello', 'The first body.\n'));
    await settled(dir);
    const first = (await readPosts(dir)).posts[0]!;
    const source = new NodeProjectSource(dir, settlingMs);
    const reads: string[] = [];
    const counting = Object.assign(Object.create(source) as NodeProjectSource, {
      readNow: (path: string) => {
        reads.push(path);
        return source.readNow(path);
      },
      read: async (path: string) => {
        reads.push(path);
        return source.readNow(path);
      },
    });
    const again = await readProject(counting, await PostCache.load(dir));
    if (!again.ok) throw new Error('unreadable');
    const post = again.project.posts[0]!;
    expect(reads, 'an unchanged post file was read').toEqual(['site.yml']);
    expect(post.key).toBe(first.key);
    expect(post.post.title).toBe('Hello');
    expect(post.post.body).toBe('The first body.\n');
    expect(reads).toEqual(['site.yml', 'posts/hello.md']);
    // Its JSON is what reading the file gives: the key names the same post.
    expect(postKey(post.post)).toBe(first.key);
    expect(JSON.stringify(post.post)).toBe(JSON.stringify(first.post));
  });

  test('a same-size edit that keeps the file’s mtime is still read', async () => {
    const { dir, file } = project();
    writeFileSync(file, postText('Hello', 'Body number one.\n'));
    // A whole second, which `utimes` sets exactly.
    const second = Math.floor(Date.now() / 1000) - 60;
    utimesSync(file, second, second);
    await settled(dir);
    expect((await readPosts(dir)).cache.get('posts/hello.md')?.file).toBeDefined();
    // In place (the same inode), the same size, the modification time put back as it was: only the
    // change time (which no one can set back) tells the bytes changed.
    writeFileSync(file, postText('Hello', 'Body number two.\n'));
    utimesSync(file, second, second);
    expect(statSync(file).mtimeMs).toBe(second * 1000);
    await settled(dir);
    const { posts } = await readPosts(dir);
    expect(posts[0]!.post.body).toBe('Body number two.\n');
    expect(posts[0]!.key).toBe(postKey(posts[0]!.post));
  });

  test('a file written within the same second as its last read is read every time (racily clean)', async () => {
    const { dir, file } = project();
    writeFileSync(file, postText('Hello', 'Body number one.\n'));
    // A margin of ten minutes, far longer than this test takes from write to read on any machine
    // (the command's own is two seconds).
    const source = () => new NodeProjectSource(dir, 600_000);
    const read = await readPosts(dir, source());
    expect(read.cache.get('posts/hello.md')?.file, 'a just-written file was trusted by its times').toBe(
      undefined,
    );
    // Same size, and (on a coarse clock) the same second: the next build must still see it.
    writeFileSync(file, postText('Hello', 'Body number two.\n'));
    expect((await readPosts(dir, source())).posts[0]!.post.body).toBe('Body number two.\n');
  });

  test("a post that takes its times from its file's gets the new time when only its body changes", async () => {
    const { dir, file } = project();
    const untimed = (body: string) =>
      `---\nid: "00000000-0000-4000-8000-000000000001"\ntitle: "Hello"\nstatus: "published"\n---\n${body}`;
    writeFileSync(file, untimed('One.\n'));
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const first = (await readPosts(dir)).posts[0]!.post;
    expect(first.updatedAt).toBe(new Date(1_700_000_000_000).toISOString());
    writeFileSync(file, untimed('Two.\n'));
    utimesSync(file, 1_700_000_100, 1_700_000_100);
    const second = (await readPosts(dir)).posts[0]!.post;
    expect(second.body).toBe('Two.\n');
    expect(second.updatedAt).toBe(new Date(1_700_000_100_000).toISOString());
  });

  test.each([
    ['front matter', postText('Goodbye', 'Another body.\n')],
    ['body alone', postText('Hello', 'An edited body.\n')],
  ])(
    'a post whose %s changed after the build listed it stops the build rather than mix two versions',
    async (_, edited) => {
      const { dir, file } = project();
      writeFileSync(file, postText('Hello', 'A body.\n'));
      await settled(dir);
      await readPosts(dir);
      const read = await readProject(new NodeProjectSource(dir, settlingMs), await PostCache.load(dir));
      if (!read.ok) throw new Error('unreadable');
      writeFileSync(file, edited);
      expect(() => read.project.posts[0]!.post.body).toThrow(
        /posts\/hello\.md changed while the site was built/,
      );
      expect(readFileSync(file, 'utf8')).toBe(edited);
    },
  );
});
