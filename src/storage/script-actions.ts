import type { Post } from '../core/post';
import { describeAction, type ScriptAction } from '../core/script-actions';
import type { PostChanges, PostStore } from './post-store';

/*
 * Applies what a utility run asked for (src/core/script-actions.ts) through the post store, so each
 * change is validated by the store, announced to its subscribers (the folder sync among them) and
 * can be undone. Either every action applies or, when one fails, those before it are undone.
 */

export interface AppliedActions {
  /** One line per action, for the run's output. */
  lines: string[];
  /** Reverts every applied action, last first: created posts go, deleted ones come back, changes revert. */
  undo(): Promise<void>;
}

export class ScriptActionError extends Error {
  constructor(
    readonly action: ScriptAction,
    reason: string,
  ) {
    super(`${describeAction(action)}: ${reason}; no change was kept`);
  }
}

type Undo = () => Promise<unknown>;

export async function applyScriptActions(
  store: PostStore,
  actions: readonly ScriptAction[],
): Promise<AppliedActions> {
  const undos: Undo[] = [];
  const undo = async () => {
    for (const step of undos.splice(0).reverse()) await step();
  };
  for (const action of actions) {
    try {
      // Each step is recorded as soon as it is made, so a failure halfway through an action is undone too.
      await apply(store, action, undos);
    } catch (error) {
      await undo();
      throw new ScriptActionError(action, error instanceof Error ? error.message : String(error));
    }
  }
  return { lines: actions.map(describeAction), undo };
}

async function findPost(store: PostStore, idOrSlug: string): Promise<Post> {
  const posts = await store.list();
  const post = posts.find((candidate) => candidate.id === idOrSlug) ?? posts.find((p) => p.slug === idOrSlug);
  if (!post) throw new Error(`there is no post with the id or slug ${JSON.stringify(idOrSlug)}`);
  return post;
}

/** Saves `changes` to `post` and returns the step that puts the old values back. */
async function change(store: PostStore, post: Post, changes: PostChanges): Promise<Undo> {
  const before: PostChanges = {};
  for (const key of Object.keys(changes) as (keyof PostChanges)[])
    Object.assign(before, { [key]: post[key] });
  await store.save(post.id, changes);
  return () => store.save(post.id, before);
}

/** Replaces `from` by `to` (or removes it when `to` is undefined) in a list, keeping each name once. */
function replaced(list: readonly string[], from: string, to: string | undefined): string[] {
  const mapped = list.flatMap((item) => (item.trim() === from ? (to === undefined ? [] : [to]) : [item]));
  return [...new Set(mapped)];
}

async function relabel(
  store: PostStore,
  field: 'tags' | 'categories',
  from: string,
  to: string | undefined,
  undos: Undo[],
): Promise<void> {
  for (const post of await store.list()) {
    if (!post[field].some((item) => item.trim() === from)) continue;
    undos.push(await change(store, post, { [field]: replaced(post[field], from, to) }));
  }
}

async function apply(store: PostStore, action: ScriptAction, undos: Undo[]): Promise<void> {
  switch (action.type) {
    case 'create-post': {
      const { title, body, tags, categories, status } = action;
      const created = await store.create({ title, body, tags, categories });
      undos.push(async () => {
        await store.delete(created.id);
        await store.purge(created.id);
      });
      if (status !== 'draft') await store.save(created.id, { status });
      return;
    }
    case 'update-post': {
      const { type: _, post: ref, title, ...fields } = action;
      const post = await findPost(store, ref);
      if (title !== undefined && title !== post.title) {
        await store.rename(post.id, title);
        undos.push(() => store.rename(post.id, post.title));
      }
      if (Object.keys(fields).length > 0) undos.push(await change(store, post, fields));
      return;
    }
    case 'delete-post': {
      const post = await findPost(store, action.post);
      await store.delete(post.id);
      undos.push(() => store.restore(post.id));
      return;
    }
    case 'rename-tag':
      return relabel(store, 'tags', action.from, action.to, undos);
    case 'delete-tag':
      return relabel(store, 'tags', action.name, undefined, undos);
    case 'rename-category':
      return relabel(store, 'categories', action.from, action.to, undos);
    case 'delete-category':
      return relabel(store, 'categories', action.name, undefined, undos);
  }
}
