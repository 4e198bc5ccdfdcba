import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { LastOpenMemory } from '../../src/storage/last-open';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
}

describe('what was last open', () => {
  it('is remembered field by field, and read back', () => {
    const storage = memoryStorage();
    const memory = new LastOpenMemory(storage);
    expect(memory.read()).toEqual({});
    memory.remember({ view: 'posts' });
    memory.remember({ postId: 'p1' });
    memory.remember({ scriptId: 's1' });
    expect(new LastOpenMemory(storage).read()).toEqual({ view: 'posts', postId: 'p1', scriptId: 's1' });
  });

  it('is nothing when unreadable, and storage that throws costs nothing', () => {
    const storage = memoryStorage();
    storage.setItem('pymark:last-open', '{"view": "settings"}');
    expect(new LastOpenMemory(storage).read()).toEqual({});
    storage.setItem('pymark:last-open', 'not json');
    expect(new LastOpenMemory(storage).read()).toEqual({});
    const full = new LastOpenMemory({
      getItem: () => null,
      setItem: () => {
        throw new Error('quota');
      },
    });
    expect(() => full.remember({ view: 'scripts' })).not.toThrow();
  });
});
