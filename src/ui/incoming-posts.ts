import type { IncomingPost, IncomingRead } from '../core/incoming-post';
import type { Post } from '../core/post';
import { draftFromIncoming, type TransformedPost, type TransformInput } from '../core/transform-abi';
import type { MacroScript, TransformOutcome } from '../runtime/types';
import type { PostStore } from '../storage/post-store';
import type { ScriptStore } from '../storage/script-store';
import { describeError, StateHolder } from './state-holder';

/** A transform the user can pick for the incoming post. */
export interface TransformChoice {
  id: string;
  title: string;
  fileName: string;
}

export type TransformState =
  | { kind: 'none' }
  | { kind: 'running'; fileName: string }
  | { kind: 'done'; outcome: TransformOutcome };

export interface IncomingState {
  /** What arrived from the share sheet or the bookmarklet; null when nothing is waiting. */
  incoming: IncomingPost | null;
  /** The post it becomes with no transform, and what a transform receives. */
  draft: TransformInput | null;
  /** Enabled transform scripts, by title. */
  transforms: TransformChoice[];
  transformId: string | null;
  transform: TransformState;
  /** Put aside with Later, e.g. to fix a transform: it waits, out of the way, until resumed. */
  deferred: boolean;
  /** The title and tags as the user changed them, over whatever the transform made. */
  edits: IncomingEdits;
  saving: boolean;
  problem: string | null;
}

export interface IncomingEdits {
  title?: string;
  tags?: string[];
}

/** The transform last used for a shared post, offered first next time. */
export interface LastTransformMemory {
  /** The id of the transform last used, `null` for "No transform", `undefined` when none was saved yet. */
  read(): string | null | undefined;
  remember(id: string | null): void;
}

export interface IncomingDeps {
  scripts: Pick<ScriptStore, 'list' | 'get'>;
  posts: Pick<PostStore, 'create'>;
  runtime: {
    transformPost(script: MacroScript, post: TransformInput, signal?: AbortSignal): Promise<TransformOutcome>;
  };
  /** Removes the incoming post from the page address, so a reload does not bring it again. */
  forget: () => void;
  lastTransform?: LastTransformMemory;
}

/** The post Save would create: the draft, or what the chosen transform made of it; null while there is none. */
export function postToSave(state: IncomingState): TransformedPost | null {
  const made = transformedPost(state);
  if (!made) return null;
  const { title, tags } = state.edits;
  return { ...made, ...(title?.trim() ? { title: title.trim() } : {}), ...(tags ? { tags } : {}) };
}

function transformedPost(state: IncomingState): TransformedPost | null {
  const { draft, transform } = state;
  if (!draft) return null;
  if (transform.kind === 'none') {
    const { title, body, tags, categories } = draft;
    return { title, body, tags, categories };
  }
  return transform.kind === 'done' && transform.outcome.ok ? transform.outcome.post : null;
}

/**
 * A post arriving from outside: runs the chosen transform on it (the first enabled one unless the
 * user picks another, or none), and saves the result as a draft. Until then it stays in the page
 * address, so closing the tab loses nothing.
 */
export class IncomingPosts extends StateHolder<IncomingState> {
  /** Only the newest transform call's outcome is shown. */
  private latestCall = 0;
  /** Stops the transform call in flight: one the user moved on from must not keep Python busy. */
  private inFlight: AbortController | undefined;

  constructor(private readonly deps: IncomingDeps) {
    super({
      incoming: null,
      draft: null,
      transforms: [],
      transformId: null,
      transform: { kind: 'none' },
      deferred: false,
      edits: {},
      saving: false,
      problem: null,
    });
  }

  async receive(read: IncomingRead): Promise<void> {
    if (read.kind === 'none') return;
    if (read.kind === 'invalid') {
      this.deps.forget();
      this.set({ problem: `A shared post could not be taken: ${read.problems.join('; ')}.` });
      return;
    }
    // Shown even if the scripts cannot be listed: the post can still be saved as it came.
    this.set({ incoming: read.incoming, draft: draftFromIncoming(read.incoming) });
    await this.listTransforms();
    // The transform used last time comes first; without one (or if it is gone), the first by name.
    const last = this.deps.lastTransform?.read();
    const remembered = this.state.transforms.find((transform) => transform.id === last);
    await this.choose(last === null ? null : ((remembered ?? this.state.transforms[0])?.id ?? null));
  }

  /** Changes the title or tags of the post to save, over what the transform made. */
  edit(edits: IncomingEdits): void {
    this.set({ edits: { ...this.state.edits, ...edits } });
  }

  /** Puts the post aside, e.g. to fix a transform in the editor; `resume` brings it back. */
  later(): void {
    this.latestCall++;
    this.stopInFlight();
    this.set({ deferred: true, transform: { kind: 'none' } });
  }

  /** Brings back a post put aside, running its transform again: it may have been fixed meanwhile. */
  async resume(): Promise<void> {
    this.set({ deferred: false });
    await this.choose(this.state.transformId);
  }

  /** Runs the transform `id` on the draft, or takes the draft as it is (`null`). */
  async choose(id: string | null): Promise<void> {
    const call = ++this.latestCall;
    this.stopInFlight();
    const listed = this.state.transforms.find((transform) => transform.id === id);
    // Listed again each time: a transform may have been added, disabled or deleted since.
    await this.listTransforms();
    if (call !== this.latestCall) return;
    const { draft } = this.state;
    const choice = this.state.transforms.find((transform) => transform.id === id);
    if (!draft || !choice) {
      this.set({ transformId: null, transform: { kind: 'none' } });
      if (listed && !choice)
        this.set({
          problem: `${listed.fileName} was deleted or disabled meanwhile; the post is shown as it came.`,
        });
      return;
    }
    this.set({ problem: null });
    this.set({ transformId: choice.id, transform: { kind: 'running', fileName: choice.fileName } });
    const running = new AbortController();
    this.inFlight = running;
    const outcome = await this.transform(choice, draft, running.signal);
    if (call === this.latestCall) this.set({ transform: { kind: 'done', outcome } });
  }

  /** Saves the post as a draft and forgets what arrived; the saved post, or undefined if it was not saved. */
  async save(): Promise<Post | undefined> {
    const post = postToSave(this.state);
    if (!post || this.state.saving) return undefined;
    this.set({ saving: true });
    let saved: Post | undefined;
    await this.attempt('save the incoming post', async () => {
      saved = await this.deps.posts.create(post);
      this.deps.lastTransform?.remember(this.state.transformId);
      this.clear();
    });
    this.set({ saving: false });
    return saved;
  }

  discard(): void {
    this.clear();
  }

  private async listTransforms(): Promise<void> {
    await this.attempt('list the transforms', async () => {
      const transforms = (await this.deps.scripts.list())
        .filter((script) => script.kind === 'transform' && script.enabled)
        .map((script) => ({ id: script.id, title: script.title, fileName: `${script.slug}.py` }));
      this.set({ transforms });
    });
  }

  private stopInFlight(): void {
    this.inFlight?.abort();
    this.inFlight = undefined;
  }

  private async transform(
    choice: TransformChoice,
    draft: TransformInput,
    signal: AbortSignal,
  ): Promise<TransformOutcome> {
    const failed = (message: string): TransformOutcome => ({
      ok: false,
      kind: 'worker-failed',
      script: choice.fileName,
      message,
    });
    try {
      const script = await this.deps.scripts.get(choice.id);
      if (!script) return failed(`${choice.fileName} was deleted`);
      return await this.deps.runtime.transformPost(script, draft, signal);
    } catch (error) {
      return failed(describeError(error));
    }
  }

  private clear(): void {
    this.latestCall++;
    this.stopInFlight();
    this.deps.forget();
    this.set({
      incoming: null,
      draft: null,
      transformId: null,
      transform: { kind: 'none' },
      deferred: false,
      edits: {},
    });
  }
}
