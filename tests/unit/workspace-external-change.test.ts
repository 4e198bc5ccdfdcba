import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test } from 'vitest';
import type { PythonRuntime } from '../../src/runtime/types';
import { type IdbScriptStore, openScriptStore } from '../../src/storage/idb-script-store';
import { Workspace } from '../../src/ui/workspace';

/** These tests never run Python: a runtime that is only ever ready and finds nothing to report. */
const idleRuntime = {
  status: { state: 'ready' },
  subscribe: () => () => {},
  checkScript: async () => ({ diagnostics: [], entrypoints: [] }),
  stop: () => {},
  dispose: () => {},
} as unknown as PythonRuntime;

const settings = { getRunTimeoutMs: async () => 30_000, setRunTimeoutMs: async (ms: number) => ms };
const opened: { workspace: Workspace; store: IdbScriptStore }[] = [];

afterEach(() => {
  for (const { workspace, store } of opened.splice(0)) {
    workspace.dispose();
    store.close();
  }
});

/** A workspace with one open script, and a second store instance standing in for the folder sync. */
async function setup() {
  const dbName = `workspace-external-${crypto.randomUUID()}`;
  const store = await openScriptStore({ dbName });
  const workspace = new Workspace({ store, runtime: idleRuntime, settings, draftDelayMs: 0 });
  opened.push({ workspace, store });
  const script = await store.create({ title: 'Open', kind: 'utility', body: 'print("saved")\n' });
  await workspace.init();
  const external = async (body: string) => {
    const current = (await store.get(script.id))!;
    await store.applyExternal({ put: [{ ...current, body, version: current.version + 1 }], trash: [] });
  };
  return { dbName, store, workspace, script, external };
}

describe('Workspace and changes made outside the editor', () => {
  test('without unsaved edits, the editor shows the new saved body', async () => {
    const { workspace, external } = await setup();
    await external('print("from disk")\n');
    await expect
      .poll(() => workspace.state)
      .toMatchObject({
        code: 'print("from disk")\n',
        dirty: false,
        changedElsewhere: false,
      });
  });

  test('unsaved edits are kept and flagged; the user can take the saved version instead', async () => {
    const { workspace, external, store, script } = await setup();
    workspace.edit('print("mine")\n');
    await workspace.flushPendingDraft();
    await external('print("from disk")\n');
    await expect
      .poll(() => workspace.state)
      .toMatchObject({ code: 'print("mine")\n', dirty: true, changedElsewhere: true });
    expect((await store.getDraft(script.id))?.body).toBe('print("mine")\n');

    await workspace.takeSavedVersion();
    expect(workspace.state).toMatchObject({
      code: 'print("from disk")\n',
      dirty: false,
      changedElsewhere: false,
    });
    expect(await store.getDraft(script.id)).toBeUndefined();
  });

  test('keeping the edits and saving them clears the flag', async () => {
    const { workspace, external, store, script } = await setup();
    workspace.edit('print("mine")\n');
    await external('print("from disk")\n');
    await expect.poll(() => workspace.state.changedElsewhere).toBe(true);
    workspace.keepEdits();
    expect(workspace.state.changedElsewhere).toBe(false);
    await workspace.save();
    expect((await store.get(script.id))?.body).toBe('print("mine")\n');
    expect(workspace.state).toMatchObject({ code: 'print("mine")\n', dirty: false, changedElsewhere: false });
  });

  test('a save over a version saved elsewhere and not yet heard of writes nothing and flags it', async () => {
    const { dbName, workspace, store, script } = await setup();
    // A second instance, as another tab holds: its news comes by BroadcastChannel, a task later,
    // so the workspace saves before or after it hears of it; either way the save must not land.
    const elsewhere = await openScriptStore({ dbName });
    try {
      workspace.edit('print("mine")\n');
      const theirs = await elsewhere.save(script.id, { body: 'print("theirs")\n' });
      await workspace.save();
      expect(await store.get(script.id)).toEqual(theirs);
      expect(workspace.state).toMatchObject({ code: 'print("mine")\n', dirty: true, changedElsewhere: true });

      workspace.keepEdits();
      await workspace.save();
      expect((await store.get(script.id))?.body).toBe('print("mine")\n');
      expect(workspace.state).toMatchObject({ dirty: false, changedElsewhere: false });
    } finally {
      elsewhere.close();
    }
  });

  test('Save with the notice showing is the choice to keep the edits', async () => {
    const { workspace, external, store, script } = await setup();
    workspace.edit('print("mine")\n');
    await external('print("from disk")\n');
    await expect.poll(() => workspace.state.changedElsewhere).toBe(true);
    await workspace.save();
    expect((await store.get(script.id))?.body).toBe('print("mine")\n');
    expect(workspace.state).toMatchObject({ dirty: false, changedElsewhere: false });
  });

  test("the editor's own save is not mistaken for a change elsewhere", async () => {
    const { workspace } = await setup();
    workspace.edit('print("saved in the app")\n');
    await workspace.save();
    await expect.poll(() => workspace.state).toMatchObject({ dirty: false, changedElsewhere: false });
  });
});
