import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test } from 'vitest';
import { sampleTransformInput, type TransformInput } from '../../src/core/transform-abi';
import type {
  MacroScript,
  PythonRuntime,
  RunOutcome,
  RunRequest,
  RuntimeStatus,
  ScriptCheck,
  TransformOutcome,
} from '../../src/runtime/types';
import { openScriptStore } from '../../src/storage/idb-script-store';
import { Workspace, type WorkspaceSettings } from '../../src/ui/workspace';

/** A runtime whose runs the test finishes by hand, so every intermediate state can be observed. */
class ScriptedRuntime implements PythonRuntime {
  status: RuntimeStatus = { state: 'ready' };
  readonly bootInfo = undefined;
  readonly requests: RunRequest[] = [];
  stopCalls = 0;
  private finish?: (outcome: RunOutcome) => void;
  private readonly listeners = new Set<(status: RuntimeStatus) => void>();

  subscribe(listener: (status: RuntimeStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  run(request: RunRequest): Promise<RunOutcome> {
    this.requests.push(request);
    return new Promise((resolve) => {
      this.finish = resolve;
    });
  }

  complete(outcome: RunOutcome): void {
    this.finish?.(outcome);
  }

  setStatus(status: RuntimeStatus): void {
    this.status = status;
    for (const listener of this.listeners) listener(status);
  }

  stop(): void {
    this.stopCalls++;
  }

  readonly checks: string[] = [];

  /** Stands in for Python's parser: `def (` is the syntax error, `def name(` a top-level function. */
  async checkScript(code: string): Promise<ScriptCheck> {
    this.checks.push(code);
    const broken = code.split('\n').findIndex((line) => line.startsWith('def ('));
    return {
      diagnostics:
        broken < 0 ? [] : [{ severity: 'error', line: broken + 1, column: 5, message: 'invalid syntax' }],
      entrypoints: [...code.matchAll(/^def (\w+)\(/gm)].map((match) => match[1] ?? ''),
    };
  }

  // The scripts workspace only runs utilities.
  readonly renderMacro = notUsedHere;
  readonly renderMany = notUsedHere;
  readonly transforms: { script: MacroScript; post: TransformInput; signal?: AbortSignal }[] = [];
  transformOutcome: TransformOutcome = { ok: false, kind: 'worker-failed', script: '', message: 'unset' };

  async transformPost(
    script: MacroScript,
    post: TransformInput,
    signal?: AbortSignal,
  ): Promise<TransformOutcome> {
    this.transforms.push({ script, post, signal });
    return this.transformOutcome;
  }
  readonly setSiteData = notUsedHere;
  readonly stats = () => [];
  readonly resetStats = () => {};
  readonly subscribeStats = () => () => {};

  dispose(): void {}
}

function notUsedHere(): never {
  throw new Error('not used by the workspace tests');
}

const memorySettings = (): WorkspaceSettings => {
  let runTimeoutMs = 30_000;
  return {
    getRunTimeoutMs: async () => runTimeoutMs,
    setRunTimeoutMs: async (ms) => {
      runTimeoutMs = ms;
      return ms;
    },
  };
};

let dbCounter = 0;
const workspaces: Workspace[] = [];

async function setup(previewRendering?: () => boolean) {
  const dbName = `workspace-test-${++dbCounter}`;
  const store = await openScriptStore({ dbName });
  const runtime = new ScriptedRuntime();
  const workspace = new Workspace({
    store,
    runtime,
    settings: memorySettings(),
    draftDelayMs: 0,
    checkDelayMs: 0,
    previewRendering,
  });
  workspaces.push(workspace);
  await workspace.init();
  return { store, runtime, workspace, dbName };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

afterEach(() => {
  for (const workspace of workspaces.splice(0)) workspace.dispose();
});

describe('Workspace', () => {
  test('a new script is selected and shows its default body', async () => {
    const { workspace } = await setup();
    await workspace.create();
    expect(workspace.state.items).toHaveLength(1);
    expect(workspace.state.selectedId).toBe(workspace.state.items[0]?.id);
    expect(workspace.state.code).toContain('def main');
    expect(workspace.state.dirty).toBe(false);
  });

  test('a fresh workspace opens the script last open, or the first when it is gone', async () => {
    const { workspace, store } = await setup();
    await workspace.create();
    await workspace.create();
    const [first, second] = workspace.state.items.map((script) => script.id);
    const reopen = async (openId?: string) => {
      const fresh = new Workspace({ store, runtime: new ScriptedRuntime(), settings: memorySettings() });
      workspaces.push(fresh);
      await fresh.init(openId);
      return fresh.state.selectedId;
    };
    expect(await reopen(second)).toBe(second);
    expect(await reopen('deleted-long-ago')).toBe(first);
  });

  test('a script created while the list still loads stays open and listed', async () => {
    const { workspace, store } = await setup();
    await workspace.create();
    const existing = workspace.state.selectedId;
    // The start-up list is answered only after the user has made a script of their own.
    let answerList: () => void = () => {};
    const listed = new Promise<void>((resolve) => {
      answerList = resolve;
    });
    let lists = 0;
    const slowStore = Object.assign(Object.create(store) as typeof store, {
      list: async () => {
        const scripts = await store.list();
        if (++lists === 1) await listed;
        return scripts;
      },
    });
    const fresh = new Workspace({
      store: slowStore,
      runtime: new ScriptedRuntime(),
      settings: memorySettings(),
    });
    workspaces.push(fresh);
    const starting = fresh.init(existing ?? undefined);
    await fresh.create('utility');
    answerList();
    await starting;
    const created = fresh.state.items.find((script) => script.id !== existing);
    expect(created).toBeDefined();
    expect(fresh.state.selectedId).toBe(created?.id);
    expect(fresh.state.items).toHaveLength(2);
  });

  test('edits become a draft that a fresh workspace restores, and saving clears it', async () => {
    const { workspace, store, dbName } = await setup();
    await workspace.create();
    workspace.edit('print("draft")\n');
    expect(workspace.state.dirty).toBe(true);
    await settle();

    const reopened = new Workspace({
      store: await openScriptStore({ dbName }),
      runtime: new ScriptedRuntime(),
      settings: memorySettings(),
    });
    workspaces.push(reopened);
    await reopened.init();
    expect(reopened.state.code).toBe('print("draft")\n');
    expect(reopened.state.dirty).toBe(true);

    await reopened.save();
    expect(reopened.state.dirty).toBe(false);
    expect(reopened.selected?.version).toBe(2);
    const id = reopened.state.selectedId ?? '';
    await expect(store.getDraft(id)).resolves.toBeUndefined();
    await expect(store.get(id)).resolves.toMatchObject({ body: 'print("draft")\n', version: 2 });
  });

  test('a pending draft can be written before the typing pause ends', async () => {
    const { store, runtime } = await setup();
    const workspace = new Workspace({ store, runtime, settings: memorySettings(), draftDelayMs: 60_000 });
    workspaces.push(workspace);
    await workspace.init();
    await workspace.create();
    workspace.edit('print("typed just before closing")\n');
    const id = workspace.state.selectedId ?? '';
    await expect(store.getDraft(id)).resolves.toBeUndefined();
    await workspace.flushPendingDraft();
    await expect(store.getDraft(id)).resolves.toMatchObject({ body: 'print("typed just before closing")\n' });
  });

  test('a run streams output, passes the file name and time limit, and reports the return value', async () => {
    const { workspace, runtime } = await setup();
    await workspace.create();
    await workspace.setRunTimeout(5_000);
    const running = workspace.run();
    expect(workspace.state.runningId).toBe(workspace.state.selectedId);
    const request = runtime.requests[0];
    expect(request).toMatchObject({ fileName: 'untitled_utility.py', timeoutMs: 5_000 });
    request?.onOutput([{ stream: 'stdout', text: 'a' }]);
    request?.onOutput([
      { stream: 'stdout', text: 'b' },
      { stream: 'stderr', text: 'oops' },
    ]);
    expect(workspace.state.output).toEqual([
      { kind: 'stdout', text: 'ab' },
      { kind: 'stderr', text: 'oops' },
    ]);
    runtime.complete({ kind: 'ok', returnValue: '42', truncatedChars: 0 });
    await running;
    expect(workspace.state.runningId).toBeNull();
    expect(workspace.state.output).toContainEqual({ kind: 'result', text: 'main() returned 42' });
  });

  test("a run's output stays with the script that printed it, while another is open and after", async () => {
    const { workspace, runtime } = await setup();
    await workspace.create();
    const printer = workspace.state.selectedId!;
    const running = workspace.run();
    runtime.requests[0]?.onOutput([{ stream: 'stdout', text: 'tick 0\n' }]);
    await workspace.create();
    const other = workspace.state.selectedId!;
    expect(workspace.state).toMatchObject({ output: [], runningId: printer });
    runtime.requests[0]?.onOutput([{ stream: 'stdout', text: 'tick 1\n' }]);
    expect(workspace.state.output).toEqual([]);
    runtime.complete({ kind: 'error', traceback: 'Traceback…', message: 'E', line: 3, truncatedChars: 0 });
    await running;
    expect(workspace.state).toMatchObject({ output: [], errorLine: null, runningId: null });

    await workspace.select(printer);
    expect(workspace.state.output.slice(0, 2)).toEqual([
      { kind: 'stdout', text: 'tick 0\ntick 1\n' },
      { kind: 'stderr', text: 'Traceback…' },
    ]);
    expect(workspace.state.errorLine).toBe(3);
    await workspace.select(other);
    expect(workspace.state.output).toEqual([]);
  });

  test("a transform's Run tries the editor's code on a sample shared page and shows the post, or where it failed", async () => {
    const { workspace, runtime } = await setup();
    await workspace.create('transform');
    workspace.edit('def transform(post):\n    return post\n');
    runtime.transformOutcome = {
      ok: true,
      post: { title: 'T', body: 'Body', tags: ['link'], categories: [] },
      printed: 'looked\n',
    };
    const trying = workspace.run();
    // Stop stops a try as it does a run.
    expect(workspace.state.runningId).toBe(workspace.state.selectedId);
    workspace.stop();
    await trying;
    expect(runtime.transforms).toEqual([
      {
        script: expect.objectContaining({ body: 'def transform(post):\n    return post\n' }),
        post: sampleTransformInput,
        signal: expect.objectContaining({ aborted: true }),
      },
    ]);
    expect(runtime.requests).toEqual([]);
    expect(workspace.state.output.slice(0, 2)).toEqual([
      { kind: 'stdout', text: 'looked\n' },
      { kind: 'result', text: 'title: T\ntags: link\n\nBody' },
    ]);
    expect(workspace.state.output[2]).toMatchObject({ kind: 'note', tone: 'info' });

    runtime.transformOutcome = {
      ok: false,
      kind: 'exception',
      script: 'untitled_transform.py',
      message: "KeyError: 'nope'",
      line: 2,
      traceback: 'Traceback…',
    };
    await workspace.run();
    expect(workspace.state.output).toEqual([
      { kind: 'stderr', text: 'Traceback…' },
      { kind: 'note', tone: 'error', text: expect.stringMatching(/^Failed after .*: KeyError: 'nope'$/) },
    ]);
    expect(workspace.state.errorLine).toBe(2);
    expect(workspace.state.runningId).toBeNull();
  });

  test('deleting the running script stops it', async () => {
    const { workspace, runtime } = await setup();
    await workspace.create();
    const running = workspace.run();
    await workspace.delete(workspace.state.selectedId!);
    expect(runtime.stopCalls).toBe(1);
    runtime.complete({ kind: 'stopped', cause: 'stop', via: 'interrupt', truncatedChars: 0 });
    await running;
  });

  test('an error marks the traceback line until the code is edited', async () => {
    const { workspace, runtime } = await setup();
    await workspace.create();
    const running = workspace.run();
    runtime.complete({
      kind: 'error',
      traceback: 'Traceback…\nZeroDivisionError: division by zero',
      message: 'ZeroDivisionError: division by zero',
      line: 2,
      truncatedChars: 0,
    });
    await running;
    expect(workspace.state.errorLine).toBe(2);
    expect(workspace.state.output.at(-1)).toMatchObject({ kind: 'note', tone: 'error' });
    workspace.edit('x = 1\n');
    expect(workspace.state.errorLine).toBeNull();
  });

  test('stop outcomes say whether the interrupt took or the worker was restarted', async () => {
    const { workspace, runtime } = await setup();
    await workspace.create();
    const notes: string[] = [];
    for (const outcome of [
      { kind: 'stopped', cause: 'stop', via: 'interrupt', truncatedChars: 0 },
      { kind: 'stopped', cause: 'timeout', via: 'restart', truncatedChars: 12_345 },
    ] as const) {
      const running = workspace.run();
      workspace.stop();
      runtime.complete(outcome);
      await running;
      notes.push(
        workspace.state.output
          .filter((entry) => entry.kind === 'note')
          .map((entry) => entry.text)
          .join(' | '),
      );
    }
    expect(runtime.stopCalls).toBe(2);
    expect(notes[0]).toMatch(/^Stopped: interrupted with KeyboardInterrupt/);
    expect(notes[1]).toMatch(/Time limit of 30 s reached: .*Python worker was restarted/);
  });

  test('changing the kind saves it and keeps unsaved text as a draft', async () => {
    const { workspace, store } = await setup();
    await workspace.create();
    const id = workspace.state.selectedId ?? '';
    workspace.edit('def render(context):\n    return "x"\n');
    await workspace.setKind('macro');
    await expect(store.get(id)).resolves.toMatchObject({ kind: 'macro', entrypoint: 'render', version: 2 });
    expect(workspace.state.dirty).toBe(true);
    await expect(store.getDraft(id)).resolves.toMatchObject({
      body: 'def render(context):\n    return "x"\n',
    });
  });

  test('Python checks the code after a pause; only the newest check is kept', async () => {
    const { workspace, runtime } = await setup();
    await workspace.create();
    workspace.edit('def first():\n    pass\n');
    workspace.edit('def main():\n    pass\ndef helper():\n    pass\n');
    await settle();
    expect(runtime.checks.at(-1)).toBe(workspace.state.code);
    expect(workspace.state.check).toMatchObject({
      code: workspace.state.code,
      entrypoints: ['main', 'helper'],
      diagnostics: [],
    });
  });

  test('a burst of typing makes one check, of the last text, once the pause has passed', async () => {
    const { store, runtime } = await setup();
    const workspace = new Workspace({ store, runtime, settings: memorySettings(), checkDelayMs: 40 });
    workspaces.push(workspace);
    await workspace.init();
    await workspace.create();
    await settle();
    const before = runtime.checks.length;
    for (const code of ['d', 'de', 'def', 'def main():\n    pass\n']) workspace.edit(code);
    await settle();
    expect(runtime.checks.length).toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(runtime.checks.slice(before)).toEqual(['def main():\n    pass\n']);
  });

  test('a script with a syntax error can be saved, and says so', async () => {
    const { workspace, store } = await setup();
    await workspace.create();
    const id = workspace.state.selectedId ?? '';
    workspace.edit('def main():\n    pass\ndef (\n');
    await workspace.save();
    await expect(store.get(id)).resolves.toMatchObject({
      body: 'def main():\n    pass\ndef (\n',
      version: 2,
    });
    expect(workspace.state.savedWithError).toBe('Saved with a syntax error on line 3: invalid syntax');
    workspace.edit('def main():\n    pass\n');
    expect(workspace.state.savedWithError).toBeNull();
  });

  test('the entrypoint is chosen and saved, and runs call it', async () => {
    const { workspace, store, runtime } = await setup();
    await workspace.create();
    const id = workspace.state.selectedId ?? '';
    await workspace.setEntrypoint('digest');
    await expect(store.get(id)).resolves.toMatchObject({ entrypoint: 'digest' });
    const running = workspace.run();
    expect(runtime.requests.at(-1)).toMatchObject({ entrypoint: 'digest', scriptId: id });
    runtime.complete({ kind: 'ok', truncatedChars: 0 });
    await running;
  });

  test('a macro or transform is switched off and on, saved at once', async () => {
    const { workspace, store } = await setup();
    await workspace.create('macro');
    const id = workspace.state.selectedId ?? '';
    await workspace.setEnabled(false);
    await expect(store.get(id)).resolves.toMatchObject({ enabled: false });
    await workspace.setEnabled(true);
    await expect(store.get(id)).resolves.toMatchObject({ enabled: true });
  });

  test('a run pressed while a post preview renders says it waits for the render', async () => {
    const { workspace, runtime } = await setup(() => true);
    await workspace.create();
    const running = workspace.run();
    expect(workspace.state.output).toEqual([
      { kind: 'note', tone: 'info', text: 'Waiting for Python to finish rendering the post preview…' },
    ]);
    runtime.complete({ kind: 'ok', truncatedChars: 0 });
    await running;
  });

  test('a flood’s head and tail are shown with the lines left out counted between', async () => {
    const { workspace, runtime } = await setup();
    await workspace.create();
    const running = workspace.run();
    runtime.requests.at(-1)?.onOutput([{ stream: 'stdout', text: 'head\n' }]);
    runtime.requests
      .at(-1)
      ?.onOutput([{ stream: 'stdout', text: 'tail\n', skipped: { chars: 1_234_567, lines: 98_765 } }]);
    runtime.complete({ kind: 'ok', truncatedChars: 1_234_567 });
    await running;
    expect(workspace.state.output.slice(0, 3)).toEqual([
      { kind: 'stdout', text: 'head\n' },
      {
        kind: 'note',
        tone: 'warning',
        text: '98,765 lines not shown (1,234,567 characters): the output was too long, so its beginning and its end are kept.',
      },
      { kind: 'stdout', text: 'tail\n' },
    ]);
  });

  test('a run pressed while Python boots says it waits; Clear empties the panel', async () => {
    const { workspace, runtime } = await setup();
    await workspace.create();
    runtime.setStatus({ state: 'booting' });
    const running = workspace.run();
    expect(workspace.state.output).toEqual([
      { kind: 'note', tone: 'info', text: 'Waiting for Python to start…' },
    ]);
    runtime.setStatus({ state: 'running', scriptName: 'untitled_utility.py' });
    runtime.complete({ kind: 'ok', truncatedChars: 0 });
    await running;
    expect(workspace.state.output.at(-1)).toMatchObject({
      kind: 'note',
      text: expect.stringMatching(/^Finished in /),
    });
    workspace.clearOutput();
    expect(workspace.state.output).toEqual([]);
  });

  test('stop does nothing when nothing runs', async () => {
    const { workspace, runtime } = await setup();
    workspace.stop();
    expect(runtime.stopCalls).toBe(0);
  });

  test('delete can be undone, with the unsaved draft intact', async () => {
    const { workspace } = await setup();
    await workspace.create();
    const id = workspace.state.selectedId ?? '';
    workspace.edit('print("keep me")\n');
    await workspace.delete(id);
    expect(workspace.state.items).toHaveLength(0);
    expect(workspace.state.recentlyDeleted?.id).toBe(id);
    expect(workspace.state.selectedId).toBeNull();
    await workspace.undoDelete();
    expect(workspace.state.recentlyDeleted).toBeNull();
    expect(workspace.state.selectedId).toBe(id);
    expect(workspace.state.code).toBe('print("keep me")\n');
  });

  test('the trash keeps every deleted script: any can be restored, or deleted for good', async () => {
    const { workspace, store } = await setup();
    await workspace.create();
    const first = workspace.state.selectedId!;
    await workspace.create();
    const second = workspace.state.selectedId!;
    await workspace.delete(first);
    await workspace.delete(second);
    // Both in the trash (in the same millisecond, their order is not defined).
    expect(workspace.state.trash.map((script) => script.id).sort()).toEqual([first, second].sort());
    expect(workspace.state.recentlyDeleted?.id).toBe(second);

    // Undo reaches only the last delete; the trash reaches the first too.
    await workspace.restoreFromTrash(first);
    expect(workspace.state.selectedId).toBe(first);
    expect(workspace.state.trash.map((script) => script.id)).toEqual([second]);

    await workspace.purgeFromTrash(second);
    expect(workspace.state.trash).toEqual([]);
    expect(workspace.state.recentlyDeleted).toBeNull();
    await expect(store.restore(second)).rejects.toThrow(/in the trash/);
  });

  test('a failed save is reported and the edit stays in the editor', async () => {
    const { workspace, store } = await setup();
    await workspace.create();
    workspace.edit('print(1)\n');
    store.save = async () => {
      throw new Error('disk full');
    };
    await workspace.save();
    expect(workspace.state.problem).toMatch(/Could not save “Untitled utility”: disk full/);
    expect(workspace.state.dirty).toBe(true);
    expect(workspace.state.code).toBe('print(1)\n');
  });

  test('runtime status changes reach the state', async () => {
    const { workspace, runtime } = await setup();
    const seen: string[] = [];
    workspace.subscribe((state) => seen.push(state.status.state));
    runtime.setStatus({ state: 'restarting', reason: 'test' });
    expect(seen).toContain('restarting');
  });
});
