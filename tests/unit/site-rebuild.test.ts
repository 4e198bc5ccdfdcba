import { describe, expect, test } from 'vitest';
import type { BuildReport } from '../../src/site/app/build-protocol';
import type { BuildAnswer, BuildRequest } from '../../src/site/app/site-build-client';
import { rebuildDelayMs, SiteWorkspace } from '../../src/ui/site-workspace';
import { manualClock } from './manual-clock';

/** Builds the test ends by hand, as the site build worker would; counts how many run at once. */
class ManualBuilds {
  readonly started: BuildRequest[] = [];
  cancels = 0;
  running = 0;
  mostAtOnce = 0;
  #finish: ((answer: BuildAnswer) => void) | undefined;

  build = (request: BuildRequest): Promise<BuildAnswer> => {
    this.started.push(request);
    this.running += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    return new Promise<BuildAnswer>((resolve) => {
      this.#finish = resolve;
    }).finally(() => {
      this.running -= 1;
    });
  };

  cancel = (): void => {
    this.cancels += 1;
  };

  exportProject = (): Promise<Blob> => Promise.reject(new Error('not in these tests'));

  /** Ends the running build with `outcome`, and lets the workspace see it. */
  async finish(outcome: BuildReport['outcome'], written = 1): Promise<void> {
    const finish = this.#finish;
    if (!finish) throw new Error('no build is running');
    this.#finish = undefined;
    finish({ report: { ...baseReport, outcome, written } });
    // The answer passes through the client's promise chain and the workspace's awaits.
    for (let turn = 0; turn < 10; turn++) await Promise.resolve();
  }
}

const baseReport: BuildReport = {
  outcome: 'built',
  destination: 'folder',
  written: 1,
  unchanged: 9,
  removed: 0,
  posts: 10,
  drafts: 0,
  macroCalls: 0,
  macrosRun: 0,
  files: 10,
  milliseconds: 5,
  problems: [],
  warnings: [],
};

function setUp(autoRebuild = true) {
  const clock = manualClock();
  const builds = new ManualBuilds();
  const remembered: boolean[] = [];
  const site = new SiteWorkspace({
    builds,
    settingsText: async () => ({ read: async () => undefined, write: async () => {} }),
    projectTemplates: async () => [],
    folderConnected: () => true,
    saveFile: () => {},
    storage: { persisted: async () => false, persist: async () => true },
    autoRebuildSetting: { read: () => autoRebuild, write: (on) => remembered.push(on) },
    schedule: clock.schedule,
    clockTime: () => '12:00:00',
  });
  return { clock, builds, site, remembered };
}

describe('rebuild on change', () => {
  test('off, a change builds nothing; turning it on is remembered', () => {
    const { clock, builds, site, remembered } = setUp(false);
    site.contentChanged();
    clock.advance(rebuildDelayMs * 2);
    expect(builds.started).toHaveLength(0);
    site.setAutoRebuild(true);
    expect(remembered).toEqual([true]);
    expect(site.state.autoRebuild).toBe(true);
  });

  test('changes in quick succession make one background build, after the last one settles', async () => {
    const { clock, builds, site } = setUp();
    site.contentChanged();
    clock.advance(rebuildDelayMs - 1);
    site.contentChanged();
    clock.advance(rebuildDelayMs - 1);
    expect(builds.started).toHaveLength(0);
    expect(site.state.rebuildStatus).toMatch(/rebuilding in a moment/);
    clock.advance(1);
    expect(builds.started).toEqual([expect.objectContaining({ toFolder: true, zip: false })]);
    expect(site.state.rebuildStatus).toMatch(/Rebuilding after a change/);
    await builds.finish('built', 2);
    expect(site.state.building).toBe(false);
    expect(site.state.report?.written).toBe(2);
    expect(site.state.rebuildStatus).toBe(
      'Rebuilt after a change at 12:00:00: 2 written, 9 unchanged, 0 removed.',
    );
  });

  test('a newer change cancels the running rebuild, and the next one runs after it, never beside it', async () => {
    const { clock, builds, site } = setUp();
    site.contentChanged();
    clock.advance(rebuildDelayMs);
    expect(builds.started).toHaveLength(1);
    site.contentChanged();
    expect(builds.cancels).toBe(1);
    expect(site.state.rebuildStatus).toMatch(/starts over/);
    clock.advance(rebuildDelayMs * 2);
    // Still one build: the next waits for the cancelled one to end.
    expect(builds.started).toHaveLength(1);
    await builds.finish('cancelled');
    // The superseded build's "cancelled" is not the report: the next build's will be.
    expect(site.state.report).toBeUndefined();
    clock.advance(rebuildDelayMs);
    expect(builds.started).toHaveLength(2);
    await builds.finish('built');
    expect(site.state.report?.outcome).toBe('built');
    expect(builds.mostAtOnce).toBe(1);
  });

  test('a change during a build the user started waits for it, without cancelling it', async () => {
    const { clock, builds, site } = setUp();
    const userBuild = site.build();
    await Promise.resolve();
    await Promise.resolve();
    expect(builds.started).toHaveLength(1);
    site.contentChanged();
    expect(builds.cancels).toBe(0);
    await builds.finish('built');
    await userBuild;
    clock.advance(rebuildDelayMs);
    expect(builds.started).toHaveLength(2);
    await builds.finish('built');
    expect(builds.mostAtOnce).toBe(1);
  });

  test('a build the user starts takes in the changes a rebuild was waiting for', async () => {
    const { clock, builds, site } = setUp();
    site.contentChanged();
    const userBuild = site.build();
    for (let turn = 0; turn < 5; turn++) await Promise.resolve();
    await builds.finish('built');
    await userBuild;
    clock.advance(rebuildDelayMs * 2);
    expect(builds.started).toHaveLength(1);
  });

  test('turned off, a pending rebuild does not run', () => {
    const { clock, builds, site } = setUp();
    site.contentChanged();
    site.setAutoRebuild(false);
    clock.advance(rebuildDelayMs * 2);
    expect(builds.started).toHaveLength(0);
    expect(site.state.rebuildStatus).toBeNull();
  });
});
