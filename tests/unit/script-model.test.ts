import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defaultEntrypoint,
  draftSchema,
  type Script,
  scriptKinds,
  scriptSchema,
} from '../../src/core/script';

const valid: Script = {
  id: '0b7f4f7e-3f9a-4a3b-9a55-2d7b8d7c1f00',
  title: 'Word count',
  slug: 'word_count',
  kind: 'utility',
  entrypoint: 'main',
  enabled: true,
  body: 'def main():\n    pass\n',
  version: 1,
  createdAt: '2025-01-02T03:04:05.000Z',
  updatedAt: '2025-01-02T05:04:05+02:00',
};

function problemsWith(changes: Record<string, unknown>): string {
  const result = scriptSchema.safeParse({ ...valid, ...changes });
  return result.success ? '' : z.prettifyError(result.error);
}

describe('scriptSchema', () => {
  it('accepts a complete script, with Z or an explicit offset on its dates', () => {
    expect(scriptSchema.parse(valid)).toEqual(valid);
  });

  it('trims the title and rejects one that is empty after trimming', () => {
    expect(scriptSchema.parse({ ...valid, title: '  Word count ' }).title).toBe('Word count');
    expect(problemsWith({ title: '   ' })).toContain('title must not be empty');
  });

  it.each([
    ['slug', 'Word-Count', 'slug must be lower-case'],
    ['entrypoint', '2main', 'entrypoint must be a Python identifier'],
    ['kind', 'plugin', 'kind'],
    ['version', 0, 'version'],
    ['version', 1.5, 'version'],
    ['createdAt', '2025-01-02', 'createdAt'],
    ['id', 'not-a-uuid', 'id'],
  ])('rejects %s = %j, naming the problem', (field, value, message) => {
    expect(problemsWith({ [field]: value })).toContain(message);
  });

  it('gives every kind a default entrypoint that is itself a valid entrypoint', () => {
    for (const kind of scriptKinds) {
      expect(scriptSchema.shape.entrypoint.safeParse(defaultEntrypoint[kind]).success).toBe(true);
    }
  });
});

describe('draftSchema', () => {
  const draft = { scriptId: valid.id, body: 'x = 1\n', baseVersion: 3, updatedAt: valid.updatedAt };

  it('accepts a draft, including an empty body', () => {
    expect(draftSchema.parse(draft)).toEqual(draft);
    expect(draftSchema.parse({ ...draft, body: '' }).body).toBe('');
  });

  it('rejects a draft without a base version to compare against', () => {
    const { baseVersion: _, ...withoutBase } = draft;
    expect(draftSchema.safeParse(withoutBase).success).toBe(false);
  });
});
