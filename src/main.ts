import { createPythonRuntime } from './runtime/client';
import { openScriptStore } from './storage/idb-script-store';
import { openSettingsStore } from './storage/settings-store';
import { createSnapshotStore } from './storage/snapshot-store';
import './ui/pymark-app';
import { Workspace } from './ui/workspace';

/** Composition root: the only place that picks concrete implementations. */
async function start(): Promise<void> {
  const app = document.querySelector('pymark-app');
  if (!app) throw new Error('index.html lacks <pymark-app>');
  // Boot Python first so it warms up while storage opens and the UI renders.
  const runtime = createPythonRuntime({
    createWorker: () => new Worker(new URL('./runtime/worker.ts', import.meta.url), { type: 'module' }),
    snapshots: createSnapshotStore(),
  });
  const [store, settingsStore] = await Promise.all([openScriptStore(), openSettingsStore()]);
  const settings = {
    getRunTimeoutMs: async () => (await settingsStore.getSettings()).runTimeoutMs,
    setRunTimeoutMs: async (ms: number) =>
      (await settingsStore.updateSettings({ runTimeoutMs: ms })).runTimeoutMs,
  };
  const workspace = new Workspace({ store, runtime, settings });
  app.workspace = workspace;
  // The typing pause may not have elapsed when the tab is closed or hidden; don't lose those keystrokes.
  const flush = () => void workspace.flushPendingDraft();
  addEventListener('pagehide', flush);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush());
  await workspace.init();
}

void start();
