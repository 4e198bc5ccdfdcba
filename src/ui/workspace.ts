import { type Script, type ScriptKind, scriptKinds } from '../core/script';
import type { ScriptAction } from '../core/script-actions';
import { sampleTransformInput } from '../core/transform-abi';
import type {
  BootInfo,
  OutputChunk,
  PythonRuntime,
  RunOutcome,
  RuntimeStatus,
  ScriptCheck,
  TransformOutcome,
} from '../runtime/types';
import { EditConflict } from '../storage/item-store';
import type { AppliedActions } from '../storage/script-actions';
import type { ScriptStore } from '../storage/script-store';
import type { UnsavedEdit } from '../storage/unsaved-journal';
import { ItemWorkspace, type ItemWorkspaceState } from './item-workspace';
import { describeError } from './state-holder';

export type OutputEntry =
  | { kind: 'stdout' | 'stderr'; text: string }
  | { kind: 'note'; text: string; tone: 'info' | 'warning' | 'error' }
  | { kind: 'result'; text: string };

export interface WorkspaceState extends ItemWorkspaceState<Script> {
  /** What the editor shows for the selected script: its saved body or the unsaved draft. */
  code: string;
  dirty: boolean;
  /**
   * The script whose run (or, for a transform, try) is in progress, if any: the selected one or
   * another, as one runs at a time. Stop stops it.
   */
  runningId: string | null;
  /** The selected script's last run: its output so far, kept per script. */
  output: readonly OutputEntry[];
  /** 1-based line of the selected script that its last traceback points at. */
  errorLine: number | null;
  status: RuntimeStatus;
  /** How Python last booted; shown in the status tooltip. */
  bootInfo: BootInfo | undefined;
  runTimeoutMs: number;
  /**
   * The open script was changed elsewhere (the project folder, another tab) while the editor held
   * unsaved edits: the edits stay, and the user chooses between them and the new saved version.
   */
  changedElsewhere: boolean;
  /** Python's own verdict on a version of the editor's code: syntax problems and top-level functions. */
  check: CheckedCode | null;
  /** Said after a save that kept a syntax error: saving works, running will not. */
  savedWithError: string | null;
  /** The last utility run changed posts (pymark.create_post…), and `undoActions` can revert that. */
  canUndoActions: boolean;
}

export interface CheckedCode extends ScriptCheck {
  /** The code the check is about; the editor may have moved on since. */
  code: string;
}

export interface WorkspaceSettings {
  getRunTimeoutMs(): Promise<number>;
  setRunTimeoutMs(ms: number): Promise<number>;
}

export interface WorkspaceDeps {
  store: ScriptStore;
  runtime: PythonRuntime;
  settings: WorkspaceSettings;
  /** How long typing pauses before the draft is written; drafts survive reloads. */
  draftDelayMs?: number;
  /** How long typing pauses before Python checks the syntax. */
  checkDelayMs?: number;
  /** Told when a macro's slug, the name posts call it by, changed with a rename. */
  macroRenamed?: (from: string, to: string) => void;
  /** Whether a post preview is rendering: its macros go to Python before a run pressed now. */
  previewRendering?: () => boolean;
  /** Applies what a utility run asked to change, through the stores (src/storage/script-actions.ts). */
  applyActions?: (actions: readonly ScriptAction[]) => Promise<AppliedActions>;
}

/** What the output panel shows for a script: its last run's output and the line its traceback points at. */
interface RunRecord {
  output: readonly OutputEntry[];
  errorLine: number | null;
}

const noRun: RunRecord = { output: [], errorLine: null };

/**
 * The scripts workspace: owns what the sidebar, editor and output panel show and turns user intents
 * into storage and runtime calls. Components render `state` and call these methods; nothing else.
 */
export class Workspace extends ItemWorkspace<Script, WorkspaceState> {
  private readonly unsubscribers: Array<() => void> = [];
  private draftTimer: ReturnType<typeof setTimeout> | undefined;
  private draftWrite: Promise<void> = Promise.resolve();
  private checkTimer: ReturnType<typeof setTimeout> | undefined;
  private checkRequest = 0;
  /** When Python began the current run: a run pressed while Python boots waits for it first. */
  private pythonStartedAt: number | undefined;
  /** Stops the transform's try in progress, if that is what runs. */
  private transformTry: AbortController | undefined;
  /** Each script's last run, so output stays with the script that printed it. */
  private readonly runs = new Map<string, RunRecord>();
  /** What the last utility run changed, until undone or replaced by the next run's changes. */
  private lastActions: { scriptId: string; applied: AppliedActions } | undefined;

  constructor(private readonly deps: WorkspaceDeps) {
    super(
      {
        items: [],
        selectedId: null,
        code: '',
        dirty: false,
        runningId: null,
        output: [],
        errorLine: null,
        status: deps.runtime.status,
        bootInfo: deps.runtime.bootInfo,
        runTimeoutMs: 30_000,
        recentlyDeleted: null,
        trash: [],
        problem: null,
        changedElsewhere: false,
        check: null,
        savedWithError: null,
        canUndoActions: false,
      },
      deps.store,
      'script',
    );
  }

  /** Lists the scripts and opens `openId` if it is one of them (the one last open), else the first. */
  async init(openId?: string): Promise<void> {
    this.unsubscribers.push(
      this.deps.runtime.subscribe((status) => {
        if (status.state === 'running' && this.pythonStartedAt === undefined)
          this.pythonStartedAt = performance.now();
        this.set({ status, bootInfo: this.deps.runtime.bootInfo });
      }),
      // A change may come from another tab or the project folder, deletes included.
      this.deps.store.subscribe(
        () =>
          void this.attempt('show the scripts', async () => {
            await this.refreshItems();
            await this.refreshTrash();
          }),
      ),
    );
    const opensBefore = this.opensAsked;
    const [, runTimeoutMs] = await Promise.all([this.refreshItems(), this.deps.settings.getRunTimeoutMs()]);
    const { status, bootInfo } = this.deps.runtime;
    this.set({ runTimeoutMs, status, bootInfo });
    await this.refreshTrash();
    if (this.opensAsked !== opensBefore) return; // the user opened or created a script meanwhile
    const open = this.state.items.find((script) => script.id === openId) ?? this.state.items[0];
    if (open) await this.select(open.id);
  }

  dispose(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    clearTimeout(this.draftTimer);
    clearTimeout(this.checkTimer);
  }

  async select(id: string): Promise<void> {
    const isLatest = this.beginOpen();
    await this.flushDraft();
    const script = await this.deps.store.get(id);
    if (!script || !isLatest()) return;
    const draft = await this.deps.store.getDraft(id);
    if (!isLatest()) return;
    const code = draft?.body ?? script.body;
    this.set({
      selectedId: id,
      code,
      dirty: code !== script.body,
      ...(this.runs.get(id) ?? noRun),
      changedElsewhere: false,
      check: null,
      savedWithError: null,
    });
    this.scheduleCheck(0);
  }

  /** Opens a script with `line` marked, e.g. from a macro's error box in a post preview. */
  async reveal(id: string, line: number | null): Promise<void> {
    await this.select(id);
    if (this.state.selectedId === id) this.updateRun(id, { errorLine: line });
  }

  async create(kind: string = 'utility'): Promise<void> {
    if (!isScriptKind(kind)) return;
    await this.attempt('create the script', async () => {
      const script = await this.deps.store.create({ title: `Untitled ${kind}`, kind });
      await this.refreshItems();
      await this.select(script.id);
    });
  }

  /** The editor's text if it is unsaved, for a synchronous copy as the page goes away. */
  unsavedEdit(): UnsavedEdit | undefined {
    const script = this.selected;
    if (!script || !this.state.dirty) return undefined;
    const at = new Date().toISOString();
    return { kind: 'script', id: script.id, body: this.state.code, baseVersion: script.version, at };
  }

  /** Writes a pending draft now instead of after the typing pause, e.g. when the page is being hidden. */
  flushPendingDraft(): Promise<void> {
    return this.draftTimer === undefined ? this.draftWrite : this.flushDraft();
  }

  edit(code: string): void {
    const saved = this.selected?.body;
    this.set({ code, dirty: code !== saved, savedWithError: null });
    if (this.state.selectedId && this.state.errorLine !== null)
      this.updateRun(this.state.selectedId, { errorLine: null });
    clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(() => void this.flushDraft(), this.deps.draftDelayMs ?? 300);
    this.scheduleCheck(this.deps.checkDelayMs ?? 400);
  }

  async save(): Promise<void> {
    const script = this.selected;
    if (!script) return;
    clearTimeout(this.draftTimer);
    this.draftTimer = undefined;
    const code = this.state.code;
    await this.attempt(`save “${script.title}”`, async () => {
      await this.draftWrite;
      let saved: Script;
      try {
        // The save names the saved body this page last heard of: the one the edits began from, or
        // the one a notice of a change elsewhere shows (Save is then the choice to replace it). A
        // version saved elsewhere meanwhile and not yet heard of here is never written over unseen.
        saved = await this.deps.store.save(script.id, { body: code }, script.body);
      } catch (error) {
        if (!(error instanceof EditConflict)) throw error;
        // Saved elsewhere after the edits began, before this page heard of it: nothing was
        // written, and the user chooses between the two versions as for any change from elsewhere.
        const current = (error as EditConflict<Script>).current;
        this.replaceItem(current);
        if (this.state.selectedId === script.id) this.showSavedElsewhere(current);
        return;
      }
      this.replaceItem(saved);
      this.set({ dirty: this.state.code !== saved.body, changedElsewhere: false });
    });
    if (!this.state.dirty) await this.reportSyntaxErrorAfterSave(script, code);
  }

  /** Changing the kind is saved at once: it decides where the script can be used. */
  async setKind(kind: ScriptKind): Promise<void> {
    const script = this.selected;
    if (!script || script.kind === kind) return;
    await this.saveSetting(script, { kind }, `change the kind of “${script.title}”`);
  }

  /** The function a run or render calls, picked from the script's top-level functions. */
  async setEntrypoint(entrypoint: string): Promise<void> {
    const script = this.selected;
    if (!script || script.entrypoint === entrypoint) return;
    await this.saveSetting(script, { entrypoint }, `change the entrypoint of “${script.title}”`);
  }

  /** Switches a macro or transform off (or on) without deleting it; saved at once, like the kind. */
  async setEnabled(enabled: boolean): Promise<void> {
    const script = this.selected;
    if (!script || script.enabled === enabled) return;
    await this.saveSetting(script, { enabled }, `${enabled ? 'enable' : 'disable'} “${script.title}”`);
  }

  /** Empties the output panel of the open script; a run still going keeps adding to it. */
  clearOutput(): void {
    const id = this.state.selectedId;
    if (id) this.updateRun(id, noRun);
  }

  private async saveSetting(
    script: Script,
    changes: Pick<Partial<Script>, 'kind' | 'entrypoint' | 'enabled'>,
    what: string,
  ): Promise<void> {
    await this.attempt(what, async () => {
      await this.draftWrite;
      this.replaceItem(await this.deps.store.save(script.id, changes));
      // Saving cleared the stored draft; the editor may still hold unsaved text.
      if (this.state.dirty) await this.flushDraft();
    });
  }

  /** Asks Python's parser about the editor's code after a pause; only the newest answer is kept. */
  private scheduleCheck(delayMs: number): void {
    clearTimeout(this.checkTimer);
    const script = this.selected;
    if (!script) return;
    this.checkTimer = setTimeout(() => {
      const request = ++this.checkRequest;
      const code = this.state.code;
      this.deps.runtime
        .checkScript(code, `${script.slug}.py`)
        .then((check) => {
          if (request === this.checkRequest && this.state.selectedId === script.id) {
            this.set({ check: { ...check, code } });
          }
        })
        // A check that cannot run (Python failed to boot) leaves the editor without hints, nothing more.
        .catch(() => undefined);
    }, delayMs);
  }

  /** A script with a syntax error can be saved; the user is told so. */
  private async reportSyntaxErrorAfterSave(script: Script, code: string): Promise<void> {
    const check =
      this.state.check?.code === code
        ? this.state.check
        : await this.deps.runtime.checkScript(code, `${script.slug}.py`).catch(() => null);
    const error = check?.diagnostics.find((diagnostic) => diagnostic.severity === 'error');
    if (error && this.state.selectedId === script.id && this.state.code === code) {
      this.set({ savedWithError: `Saved with a syntax error on line ${error.line}: ${error.message}` });
    }
  }

  protected override onRenamed(before: Script | undefined, after: Script): void {
    if (before?.kind === 'macro' && before.slug !== after.slug)
      this.deps.macroRenamed?.(before.slug, after.slug);
  }

  protected override flushOpen(): Promise<void> {
    return this.flushDraft();
  }

  /** A deleted script's run must not go on unseen. */
  protected override onDeleted(id: string): void {
    if (id === this.state.runningId) this.stop();
  }

  protected override closeOpen(): void {
    this.set({ code: '', dirty: false, output: [], errorLine: null, check: null, savedWithError: null });
  }

  /** Drops the unsaved edits for the version saved elsewhere; the user asked for it. */
  async takeSavedVersion(): Promise<void> {
    const script = this.selected;
    if (!script) return;
    this.set({ code: script.body, dirty: false, changedElsewhere: false });
    // With nothing unsaved, the flush clears the stored draft.
    await this.flushDraft();
  }

  /** Keeps the unsaved edits; saving them replaces the version saved elsewhere. */
  keepEdits(): void {
    this.set({ changedElsewhere: false });
  }

  async setRunTimeout(ms: number): Promise<void> {
    await this.attempt('change the time limit', async () => {
      this.set({ runTimeoutMs: await this.deps.settings.setRunTimeoutMs(ms) });
    });
  }

  async run(): Promise<void> {
    const script = this.selected;
    if (!script || this.state.runningId !== null) return;
    const id = script.id;
    this.set({ runningId: id });
    this.updateRun(id, noRun);
    const pressedAt = performance.now();
    this.pythonStartedAt = undefined;
    const { state } = this.deps.runtime.status;
    if (state === 'booting' || state === 'restarting')
      this.appendEntries(id, [{ kind: 'note', tone: 'info', text: 'Waiting for Python to start…' }]);
    else if (this.deps.previewRendering?.())
      this.appendEntries(id, [
        { kind: 'note', tone: 'info', text: 'Waiting for Python to finish rendering the post preview…' },
      ]);
    // A run's time is Python's, from when it began the run; a transform's try counts from the press.
    const elapsed = () => performance.now() - (this.pythonStartedAt ?? pressedAt);
    try {
      if (script.kind === 'transform') {
        this.transformTry = new AbortController();
        const tried = await this.deps.runtime.transformPost(
          { ...script, body: this.state.code },
          sampleTransformInput,
          this.transformTry.signal,
        );
        this.reportTransform(id, tried, elapsed());
        return;
      }
      const outcome = await this.deps.runtime.run({
        fileName: `${script.slug}.py`,
        code: this.state.code,
        // Only a utility's entrypoint is meant to be called bare; others run as modules (and main(), if any).
        entrypoint: script.kind === 'utility' ? script.entrypoint : undefined,
        scriptId: script.id,
        timeoutMs: this.state.runTimeoutMs,
        onOutput: (chunks) => this.appendEntries(id, chunks.flatMap(outputEntries)),
      });
      this.reportOutcome(id, outcome, elapsed());
      if (outcome.kind === 'ok' && outcome.actions?.length) await this.applyActions(id, outcome.actions);
    } catch (error) {
      this.appendEntries(id, [
        { kind: 'note', tone: 'error', text: `Could not run: ${describeError(error)}` },
      ]);
    } finally {
      this.transformTry = undefined;
      this.set({ runningId: null });
    }
  }

  /** Reverts what the last utility run changed in the project, and says so in that run's output. */
  async undoActions(): Promise<void> {
    const last = this.lastActions;
    if (!last) return;
    this.lastActions = undefined;
    this.set({ canUndoActions: false });
    try {
      await last.applied.undo();
      this.appendEntries(last.scriptId, [{ kind: 'note', tone: 'info', text: "Undid the run's changes." }]);
    } catch (error) {
      this.set({ problem: `Could not undo the run's changes: ${describeError(error)}` });
    }
  }

  /** Keeps the last run's changes without offering to undo them any longer. */
  dismissActionsUndo(): void {
    this.lastActions = undefined;
    this.set({ canUndoActions: false });
  }

  private async applyActions(id: string, actions: readonly ScriptAction[]): Promise<void> {
    const apply = this.deps.applyActions;
    if (!apply) {
      const text = 'The script asked to change posts, which this app cannot do here; nothing was changed.';
      this.appendEntries(id, [{ kind: 'note', tone: 'error', text }]);
      return;
    }
    try {
      const applied = await apply(actions);
      this.lastActions = { scriptId: id, applied };
      this.set({ canUndoActions: true });
      this.appendEntries(id, [
        { kind: 'note', tone: 'info', text: `Changed the project (${actions.length}):` },
        ...applied.lines.map((line): OutputEntry => ({ kind: 'result', text: line })),
      ]);
    } catch (error) {
      this.appendEntries(id, [
        { kind: 'note', tone: 'error', text: `Nothing was changed: ${describeError(error)}` },
      ]);
    }
  }

  stop(): void {
    if (this.state.runningId === null) return;
    if (this.transformTry) this.transformTry.abort();
    else this.deps.runtime.stop();
  }

  private reportOutcome(id: string, outcome: RunOutcome, elapsedMs: number): void {
    const entries: OutputEntry[] = [];
    const seconds = `${(elapsedMs / 1000).toFixed(2)} s`;
    switch (outcome.kind) {
      case 'ok':
        if (outcome.returnValue !== undefined) {
          entries.push({ kind: 'result', text: `main() returned ${outcome.returnValue}` });
        }
        entries.push({ kind: 'note', tone: 'info', text: `Finished in ${seconds}.` });
        break;
      case 'error':
        entries.push({ kind: 'stderr', text: outcome.traceback });
        entries.push({ kind: 'note', tone: 'error', text: `Failed after ${seconds}: ${outcome.message}` });
        this.updateRun(id, { errorLine: outcome.line ?? null });
        break;
      case 'stopped':
        entries.push({
          kind: 'note',
          tone: 'warning',
          text: describeStop(outcome, this.state.runTimeoutMs),
        });
        break;
    }
    this.appendEntries(id, entries);
  }

  /** A transform's Run tries it on a sample shared page and shows the post it makes, or why it made none. */
  private reportTransform(id: string, outcome: TransformOutcome, elapsedMs: number): void {
    const entries: OutputEntry[] = [];
    if (outcome.printed) entries.push({ kind: 'stdout', text: outcome.printed });
    const seconds = `${(elapsedMs / 1000).toFixed(2)} s`;
    if (outcome.ok) {
      const { title, body, tags, categories } = outcome.post;
      const lists = [
        ...(tags.length > 0 ? [`tags: ${tags.join(', ')}`] : []),
        ...(categories.length > 0 ? [`categories: ${categories.join(', ')}`] : []),
      ];
      entries.push({ kind: 'result', text: [`title: ${title}`, ...lists, '', body].join('\n') });
      entries.push({
        kind: 'note',
        tone: 'info',
        text: `transform() made this post of a sample shared page in ${seconds}. Pages shared to Pymark (from the share sheet, or the bookmarklet in Settings) go through it the same way.`,
      });
    } else if (outcome.kind === 'cancelled') {
      entries.push({ kind: 'note', tone: 'warning', text: `Stopped after ${seconds}.` });
    } else {
      if (outcome.traceback) entries.push({ kind: 'stderr', text: outcome.traceback });
      entries.push({ kind: 'note', tone: 'error', text: `Failed after ${seconds}: ${outcome.message}` });
      this.updateRun(id, { errorLine: outcome.line ?? null });
    }
    this.appendEntries(id, entries);
  }

  private appendEntries(id: string, entries: OutputEntry[]): void {
    const output = [...(this.runs.get(id) ?? noRun).output];
    for (const entry of entries) {
      const last = output.at(-1);
      // Merging same-stream text keeps the panel's DOM small however many batches arrive.
      if (last && last.kind === entry.kind && (entry.kind === 'stdout' || entry.kind === 'stderr')) {
        output[output.length - 1] = { kind: entry.kind, text: last.text + entry.text };
      } else {
        output.push(entry);
      }
    }
    this.updateRun(id, { output });
  }

  /** Changes a script's run record, and what the panel shows if that script is the selected one. */
  private updateRun(id: string, changes: Partial<RunRecord>): void {
    const record = { ...(this.runs.get(id) ?? noRun), ...changes };
    this.runs.set(id, record);
    if (id === this.state.selectedId) this.set(record);
  }

  private async flushDraft(): Promise<void> {
    clearTimeout(this.draftTimer);
    this.draftTimer = undefined;
    const script = this.selected;
    if (!script) return this.draftWrite;
    const { code, dirty } = this.state;
    const store = this.deps.store;
    this.draftWrite = this.draftWrite
      .then(() =>
        dirty
          ? store.putDraft({
              scriptId: script.id,
              body: code,
              baseVersion: script.version,
              updatedAt: new Date().toISOString(),
            })
          : store.clearDraft(script.id),
      )
      .catch((error: unknown) =>
        this.set({ problem: `Could not keep the unsaved draft: ${describeError(error)}` }),
      );
    return this.draftWrite;
  }

  protected override async refreshItems(): Promise<void> {
    const before = this.selected;
    await super.refreshItems();
    const after = this.selected;
    if (before && after && after.body !== before.body) this.showSavedElsewhere(after);
  }

  /** The open script's saved body changed outside the editor, e.g. its file was edited on disk. */
  private showSavedElsewhere(script: Script): void {
    const { code, dirty } = this.state;
    if (!dirty || code === script.body) {
      this.set({ code: script.body, dirty: false, changedElsewhere: false });
    } else {
      this.set({ changedElsewhere: true });
    }
  }
}

/** A chunk of a run's output as the panel shows it: after a note of the flood left out before it, if any. */
function outputEntries(chunk: OutputChunk): OutputEntry[] {
  const text: OutputEntry = { kind: chunk.stream, text: chunk.text };
  if (!chunk.skipped) return [text];
  const { lines, chars } = chunk.skipped;
  const note = `${lines.toLocaleString('en')} lines not shown (${chars.toLocaleString('en')} characters): the output was too long, so its beginning and its end are kept.`;
  return [{ kind: 'note', tone: 'warning', text: note }, text];
}

function isScriptKind(kind: string): kind is ScriptKind {
  return (scriptKinds as readonly string[]).includes(kind);
}

function describeStop(outcome: Extract<RunOutcome, { kind: 'stopped' }>, timeoutMs: number): string {
  const why =
    outcome.cause === 'timeout'
      ? `Time limit of ${(timeoutMs / 1000).toLocaleString('en')} s reached`
      : 'Stopped';
  return outcome.via === 'interrupt'
    ? `${why}: interrupted with KeyboardInterrupt; Python stayed warm.`
    : `${why}: the script did not respond to the interrupt, so the Python worker was restarted.`;
}
