import { describe, expect, test } from 'vitest';
import { manifestPath, type SiteTarget, writeSite } from '../../src/site/site-writer';

class MemoryTarget implements SiteTarget {
  readonly files = new Map<string, Uint8Array>();
  readonly writes: string[] = [];
  async read(path: string) {
    return this.files.get(path);
  }
  async exists(path: string) {
    return this.files.has(path);
  }
  async writeAtomic(path: string, bytes: Uint8Array) {
    this.writes.push(path);
    this.files.set(path, bytes);
  }
  async remove(path: string) {
    this.files.delete(path);
  }
}

const bytes = (text: string) => new TextEncoder().encode(text);
const site = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([k, v]) => [k, bytes(v)]));

describe('writing a site', () => {
  test('writes only files whose bytes changed, and removes only files it wrote before', async () => {
    const target = new MemoryTarget();
    target.files.set('CNAME', bytes('blog.example'));
    expect(await writeSite(site({ 'index.html': 'a', 'posts/x/index.html': 'x' }), target)).toEqual({
      written: ['index.html', 'posts/x/index.html'],
      unchanged: 0,
      removed: [],
    });
    target.writes.length = 0;
    expect(await writeSite(site({ 'index.html': 'b', 'posts/y/index.html': 'y' }), target)).toEqual({
      written: ['index.html', 'posts/y/index.html'],
      unchanged: 0,
      removed: ['posts/x/index.html'],
    });
    expect(target.files.get('CNAME')).toEqual(bytes('blog.example'));
    expect(target.writes.at(-1)).toBe(manifestPath);
  });

  test('an unchanged file deleted by hand is written again', async () => {
    const target = new MemoryTarget();
    await writeSite(site({ 'index.html': 'a' }), target);
    target.files.delete('index.html');
    expect((await writeSite(site({ 'index.html': 'a' }), target)).written).toEqual(['index.html']);
  });

  test('without a manifest (or with a broken one) existing files are compared byte for byte', async () => {
    const target = new MemoryTarget();
    target.files.set('index.html', bytes('same'));
    target.files.set('other.html', bytes('old'));
    target.files.set(manifestPath, bytes('{"version": 9}'));
    expect(await writeSite(site({ 'index.html': 'same', 'other.html': 'new' }), target)).toEqual({
      written: ['other.html'],
      unchanged: 1,
      removed: [],
    });
  });
});
