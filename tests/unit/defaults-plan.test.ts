import { describe, expect, it } from 'vitest';
import { type BundledDefault, planDefaults } from '../../src/core/defaults-plan';
import type { Script } from '../../src/core/script';

function bundled(version: number, contentHash = `v${version}`): BundledDefault {
  const script: Script = {
    id: '6b0f3c2e-9a41-4d7e-8c15-2f4a7b9d0e31',
    title: 'Hello',
    slug: 'hello',
    kind: 'utility',
    entrypoint: 'main',
    enabled: true,
    body: 'print(1)\n',
    version,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
  return { script, contentHash };
}

const id = bundled(1).script.id;

describe('planDefaults', () => {
  it('seeds every default into a new project', () => {
    expect(planDefaults([bundled(1)], [], [])).toEqual([{ type: 'seed', bundled: bundled(1) }]);
  });

  it('only records a default that is already there as bundled, and offers one that differs', () => {
    expect(planDefaults([bundled(1)], [], [{ id, contentHash: 'v1' }])).toEqual([
      { type: 'record', bundled: bundled(1) },
    ]);
    expect(planDefaults([bundled(1)], [], [{ id, contentHash: 'mine' }])).toEqual([
      { type: 'offer', bundled: bundled(1) },
    ]);
  });

  it('upgrades a default the user never edited', () => {
    const seeded = [{ id, version: 1, contentHash: 'v1' }];
    expect(planDefaults([bundled(2)], seeded, [{ id, contentHash: 'v1' }])).toEqual([
      { type: 'upgrade', bundled: bundled(2) },
    ]);
  });

  it('keeps an edited default and offers the new version once', () => {
    const seeded = [{ id, version: 1, contentHash: 'v1' }];
    expect(planDefaults([bundled(2)], seeded, [{ id, contentHash: 'edited' }])).toEqual([
      { type: 'offer', bundled: bundled(2) },
    ]);
    expect(
      planDefaults([bundled(2)], [{ ...seeded[0]!, offeredVersion: 2 }], [{ id, contentHash: 'edited' }]),
    ).toEqual([]);
  });

  it('does nothing for a current default, and never brings back a deleted one', () => {
    const seeded = [{ id, version: 1, contentHash: 'v1' }];
    expect(planDefaults([bundled(1)], seeded, [{ id, contentHash: 'edited' }])).toEqual([]);
    expect(planDefaults([bundled(2)], seeded, [])).toEqual([]);
  });
});
