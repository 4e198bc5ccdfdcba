import { describe, expect, test } from 'vitest';
import { snapshotDigest } from '../../src/runtime/snapshot';

const bytes = (length: number, seed = 1) => {
  const data = new Uint8Array(length);
  for (let index = 0; index < length; index++) data[index] = (index * 31 + seed) & 255;
  return data;
};

describe('snapshotDigest', () => {
  test('is 16 hex digits and stable', () => {
    expect(snapshotDigest(bytes(1_000).buffer)).toMatch(/^[0-9a-f]{16}$/);
    expect(snapshotDigest(bytes(1_000).buffer)).toBe(snapshotDigest(bytes(1_000).buffer));
  });

  test('notices a changed byte anywhere, in the words and in the tail', () => {
    const original = bytes(1_003);
    const digest = snapshotDigest(original.buffer);
    for (const position of [0, 1, 2, 3, 500, 999, 1_000, 1_002]) {
      const damaged = original.slice();
      damaged[position] = (damaged[position] as number) ^ 0x40;
      expect(snapshotDigest(damaged.buffer), `byte ${position}`).not.toBe(digest);
    }
  });

  test('notices truncation and zeroed stretches', () => {
    const original = bytes(4_096);
    const digest = snapshotDigest(original.buffer);
    expect(snapshotDigest(original.slice(0, 4_092).buffer)).not.toBe(digest);
    const zeroed = original.slice();
    zeroed.fill(0, 1_024, 2_048);
    expect(snapshotDigest(zeroed.buffer)).not.toBe(digest);
  });

  test('swapped words change the digest', () => {
    const original = new Uint32Array([1, 2, 3, 4]);
    const swapped = new Uint32Array([2, 1, 3, 4]);
    expect(snapshotDigest(swapped.buffer)).not.toBe(snapshotDigest(original.buffer));
  });
});
