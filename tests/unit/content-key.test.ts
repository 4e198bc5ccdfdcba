import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { bytesKey, contentKey, sha256Hex } from '../../src/core/content-key';

test('contentKey is the SHA-256 of the text in UTF-8, at every padding boundary and past one block', () => {
  const texts = ['', 'abc', 'é ✓ 𝄞', '<p>Hello</p>\n'.repeat(300)];
  // 55, 56 and 64 bytes: the length fits in the last block, or needs another.
  for (let length = 50; length <= 130; length++) texts.push('x'.repeat(length));
  for (const text of texts) {
    const expected = createHash('sha256').update(text).digest('hex');
    expect(contentKey(text), `${text.length} characters`).toBe(expected);
    // What a browser computes (in Node, contentKey uses node:crypto).
    expect(sha256Hex(new TextEncoder().encode(text)), `${text.length} characters, in place`).toBe(expected);
    expect(bytesKey(new TextEncoder().encode(text)), `${text.length} characters, as bytes`).toBe(expected);
  }
});
