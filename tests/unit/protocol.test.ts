import { describe, expect, it } from 'vitest';
import { checkedSiteJson, ProtocolError } from '../../src/runtime/protocol';

describe('site data arriving in the worker', () => {
  const post = { id: 'p', title: 'P', slug: 'p', status: 'published', tags: ['a'], categories: [] };

  it('passes through unchanged when it meets the ABI', () => {
    const text = JSON.stringify({ posts: [post] });
    expect(checkedSiteJson(text)).toBe(text);
  });

  it('is refused, naming what is wrong, when it does not', () => {
    expect(() => checkedSiteJson(JSON.stringify({ posts: [{ ...post, tags: 'a' }] }))).toThrow(
      /^Malformed site data: .*tags/s,
    );
    expect(() => checkedSiteJson('{"posts": [')).toThrow(ProtocolError);
    expect(() => checkedSiteJson(JSON.stringify({ posts: [], extra: 1 }))).toThrow(/Malformed site data/);
  });
});
