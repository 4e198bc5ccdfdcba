import { describe, expect, test } from 'vitest';
import {
  type BuildManifest,
  type BuildManifestStore,
  loadManifest,
  type PostRecord,
  saveManifest,
} from '../../src/site/build-manifest';

function memoryStore(): BuildManifestStore & { bytes?: Uint8Array } {
  const store: BuildManifestStore & { bytes?: Uint8Array } = {
    read: async () => store.bytes,
    write: async (bytes) => {
      store.bytes = bytes;
    },
  };
  return store;
}

function postRecord(html: string, summary?: string): PostRecord {
  return {
    input: 'a'.repeat(64),
    scripts: 'youtube',
    callKeys: ['youtube@1|{"id":"x"}'],
    html,
    css: [],
    warnings: [{ message: 'a warning', line: 2, column: 3 }],
    macroCount: 1,
    macroNames: ['youtube'],
    view: 'b'.repeat(64),
    ...(summary === undefined ? {} : { summary }),
  };
}

function manifestOf(posts: [string, PostRecord][]): BuildManifest {
  return {
    posts: new Map(posts),
    pages: new Map([['posts/one/index.html', { key: 'k'.repeat(64), hash: 'h'.repeat(64) }]]),
  };
}

describe('the build manifest', () => {
  test('round-trips records with any text, as ASCII', async () => {
    const store = memoryStore();
    const manifest = manifestOf([
      ['one', postRecord('<p>Café “quoted” 😀\nline\u2028sep</p>', 'Café…')],
      ['two', postRecord('<p>plain</p>')],
    ]);
    await saveManifest(store, manifest);
    expect(store.bytes!.every((byte) => byte < 0x80)).toBe(true);
    expect(await loadManifest(store)).toEqual(manifest);
  });

  test('writes a record changed since it was loaded afresh, and unchanged ones as they were', async () => {
    const store = memoryStore();
    await saveManifest(store, manifestOf([['one', postRecord('<p>one</p>')]]));
    const loaded = (await loadManifest(store))!;
    const record = loaded.posts.get('one')!;
    // What the builder does to a record it reuses without a summary.
    record.summary = 'one';
    loaded.posts.set('two', postRecord('<p>two</p>'));
    await saveManifest(store, loaded);
    const again = (await loadManifest(store))!;
    expect(again.posts.get('one')?.summary).toBe('one');
    expect(again.posts.get('two')?.html).toBe('<p>two</p>');
    expect(again).toEqual(loaded);
  });

  test('a store that can append gets the changed records and drops, until replaced lines pile up', async () => {
    const store = memoryStore();
    const writes: string[] = [];
    const appendable: BuildManifestStore & { bytes?: Uint8Array } = Object.assign(store, {
      write: async (bytes: Uint8Array) => {
        writes.push('write');
        store.bytes = bytes;
      },
      append: async (bytes: Uint8Array) => {
        writes.push('append');
        store.bytes = new Uint8Array([...store.bytes!, ...bytes]);
      },
    });
    const posts = Array.from({ length: 10 }, (_, index): [string, PostRecord] => [
      `post${index}`,
      postRecord(`<p>${index}</p>`),
    ]);
    await saveManifest(appendable, manifestOf(posts));
    const loaded = (await loadManifest(appendable))!;
    const size = appendable.bytes!.length;
    loaded.posts.set('post1', postRecord('<p>one, edited</p>'));
    loaded.posts.delete('post2');
    loaded.pages.set('posts/two/index.html', { key: 'x'.repeat(64), hash: 'y'.repeat(64) });
    await saveManifest(appendable, loaded);
    expect(writes).toEqual(['write', 'append']);
    const added = new TextDecoder().decode(appendable.bytes!.slice(size));
    expect(added.split('\n')).toHaveLength(4);
    expect(added).toContain('["drop","post","post2"]');
    expect(await loadManifest(appendable)).toEqual(loaded);

    // Nothing changed: nothing written.
    await saveManifest(appendable, (await loadManifest(appendable))!);
    expect(writes).toEqual(['write', 'append']);
    // Once a quarter of the lines are replaced ones, the manifest is written whole again, and is as small.
    let manifest = (await loadManifest(appendable))!;
    for (let round = 0; writes.at(-1) !== 'write'; round++) {
      manifest.posts.set(`post${round % 9}`, postRecord(`<p>${round} again</p>`));
      await saveManifest(appendable, manifest);
      manifest = (await loadManifest(appendable))!;
      expect(round).toBeLessThan(10);
    }
    expect(manifest).toEqual(await loadManifest(appendable));
    const whole = memoryStore();
    await saveManifest(whole, manifest);
    expect(appendable.bytes).toEqual(whole.bytes);

    // A store that no longer reads whole is written whole, not appended to.
    appendable.bytes = appendable.bytes!.slice(0, 100);
    expect(await loadManifest(appendable)).toBeUndefined();
    await saveManifest(appendable, manifest);
    expect(writes.at(-1)).toBe('write');
    expect(await loadManifest(appendable)).toEqual(manifest);
  });

  test('is undefined when missing, truncated, corrupted or of another format', async () => {
    const store = memoryStore();
    expect(await loadManifest(store)).toBeUndefined();
    await saveManifest(store, manifestOf([['one', postRecord('<p>one</p>')]]));
    const text = new TextDecoder().decode(store.bytes);
    const variants = [
      text.slice(0, text.length - 10),
      text.replace('"macroCount":1', '"macroCount":"1"'),
      text.replace('"html"', '"extra":1,"html"'),
      // 3 keyed every site read by the data with or without bodies; 4 keyed posts by their JSON, not their keys.
      text.replace('"version":5', '"version":4'),
      text.replace('"version":5', '"version":3'),
      JSON.stringify({ version: 1, posts: {}, pages: {} }),
      '',
    ];
    for (const variant of variants) {
      store.bytes = new TextEncoder().encode(variant);
      expect(await loadManifest(store), variant.slice(0, 80)).toBeUndefined();
    }
  });
});
