import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test } from 'vitest';
import type { ScriptAction } from '../../src/core/script-actions';
import type { PythonRuntime, RunOutcome, RuntimeStatus } from '../../src/runtime/types';
import { openPostStore } from '../../src/storage/idb-post-store';
import { openScriptStore } from '../../src/storage/idb-script-store';
import { applyScriptActions } from '../../src/storage/script-actions';
import { Workspace } from '../../src/ui/workspace';

/** A runtime whose every run ends with the outcome the test set; nothing else is used here. */
class OutcomeRuntime implements PythonRuntime {
  readonly status: RuntimeStatus = { state: 'ready' };
  readonly bootInfo = undefined;
  outcome: RunOutcome = { kind: 'ok', truncatedChars: 0 };
  subscribe = () => () => {};
  run = async () => this.outcome;
  stop = () => {};
  checkScript = async () => ({ diagnostics: [], entrypoints: ['main'] });
  renderMacro = notUsedHere;
  renderMany = notUsedHere;
  transformPost = notUsedHere;
  setSiteData = notUsedHere;
  stats = () => [];
  resetStats = () => {};
  subscribeStats = () => () => {};
  dispose = () => {};
}

function notUsedHere(): never {
  throw new Error('not used by these tests');
}

const closers: { close(): void }[] = [];
const workspaces: Workspace[] = [];
afterEach(() => {
  for (const workspace of workspaces.splice(0)) workspace.dispose();
  for (const closer of closers.splice(0)) closer.close();
});

async function setup(withApplier = true) {
  const dbName = `workspace-actions-${crypto.randomUUID()}`;
  const scripts = await openScriptStore({ dbName });
  const posts = await openPostStore({ dbName });
  closers.push(scripts, posts);
  const runtime = new OutcomeRuntime();
  const workspace = new Workspace({
    store: scripts,
    runtime,
    settings: { getRunTimeoutMs: async () => 30_000, setRunTimeoutMs: async (ms) => ms },
    draftDelayMs: 0,
    checkDelayMs: 0,
    ...(withApplier ? { applyActions: (actions) => applyScriptActions(posts, actions) } : {}),
  });
  workspaces.push(workspace);
  await workspace.init();
  await workspace.create();
  return { posts, runtime, workspace };
}

const createHello: ScriptAction = {
  type: 'create-post',
  title: 'Hello from Python',
  body: 'Hi.',
  tags: [],
  categories: [],
  status: 'draft',
};

describe("Workspace: a utility run's changes to posts", () => {
  test('are applied through the post store, listed in the output, and can be undone', async () => {
    const { posts, runtime, workspace } = await setup();
    runtime.outcome = { kind: 'ok', truncatedChars: 0, actions: [createHello] };
    await workspace.run();
    expect((await posts.list()).map((post) => post.title)).toEqual(['Hello from Python']);
    expect(workspace.state.output.slice(-2)).toEqual([
      { kind: 'note', tone: 'info', text: 'Changed the project (1):' },
      { kind: 'result', text: 'create post "Hello from Python"' },
    ]);
    expect(workspace.state.canUndoActions).toBe(true);
    await workspace.undoActions();
    expect(await posts.list()).toEqual([]);
    expect(workspace.state.canUndoActions).toBe(false);
    expect(workspace.state.output.at(-1)).toEqual({
      kind: 'note',
      tone: 'info',
      text: "Undid the run's changes.",
    });
  });

  test('that fail leave every post as it was and say why', async () => {
    const { posts, runtime, workspace } = await setup();
    runtime.outcome = {
      kind: 'ok',
      truncatedChars: 0,
      actions: [createHello, { type: 'delete-post', post: 'missing' }],
    };
    await workspace.run();
    expect(await posts.list()).toEqual([]);
    expect(workspace.state.output.at(-1)).toEqual({
      kind: 'note',
      tone: 'error',
      text: 'Nothing was changed: move post "missing" to the trash: there is no post with the id or slug "missing"; no change was kept',
    });
    expect(workspace.state.canUndoActions).toBe(false);
  });

  test('are refused, visibly, where the app has no post store to apply them to', async () => {
    const { runtime, workspace } = await setup(false);
    runtime.outcome = { kind: 'ok', truncatedChars: 0, actions: [createHello] };
    await workspace.run();
    expect(workspace.state.output.at(-1)).toMatchObject({ kind: 'note', tone: 'error' });
  });
});
