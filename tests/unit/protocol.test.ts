import { describe, expect, it } from 'vitest';
import { ProtocolError, parseMessage, workerRenderRequestSchema } from '../../src/runtime/protocol';

describe('a render request arriving in the worker', () => {
  const post = { id: 'p', title: 'P', slug: 'p', status: 'published', tags: ['a'], categories: [] };
  const check = (request: unknown) => parseMessage(workerRenderRequestSchema, request, 'render request');

  it('passes when its site data meets the ABI', () => {
    expect(check({ scripts: [], items: [], site: { snapshot: { posts: [post] } } }).site).toEqual({
      snapshot: { posts: [post] },
    });
  });

  it('is refused, naming what is wrong, when its site data does not', () => {
    expect(() =>
      check({ scripts: [], items: [], site: { snapshot: { posts: [{ ...post, tags: 'a' }] } } }),
    ).toThrow(/^Malformed render request: /);
    expect(() =>
      check({ scripts: [], items: [], site: { changes: { upsert: [], remove: [1], order: null } } }),
    ).toThrow(ProtocolError);
  });
});
