import { z } from 'zod';
import { postStatuses } from './post';

/*
 * What a utility may change in the project (its allowlist), as the worker reports it after a run:
 * src/runtime/python/script_actions.py records the calls, src/storage/script-actions.ts applies
 * them through the stores. Checked here again: the list crossed from the worker.
 */

const name = z.string().trim().min(1, 'must not be empty');
/** As for a transform's post: a body a page renders in a moment. */
const body = z.string().max(1_000_000);
const names = z.array(z.string());
/** A post by id or slug, as the script named it. */
const postRef = z.string().min(1);

export const scriptActionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('create-post'),
    title: name,
    body,
    tags: names,
    categories: names,
    status: z.enum(postStatuses),
  }),
  z.strictObject({
    type: z.literal('update-post'),
    post: postRef,
    title: name.optional(),
    body: body.optional(),
    tags: names.optional(),
    categories: names.optional(),
    status: z.enum(postStatuses).optional(),
  }),
  z.strictObject({ type: z.literal('delete-post'), post: postRef }),
  z.strictObject({ type: z.literal('rename-tag'), from: name, to: name }),
  z.strictObject({ type: z.literal('delete-tag'), name }),
  z.strictObject({ type: z.literal('rename-category'), from: name, to: name }),
  z.strictObject({ type: z.literal('delete-category'), name }),
]);

export type ScriptAction = z.infer<typeof scriptActionSchema>;

/** At most this many per run, as script_actions.py enforces where the script makes them. */
export const maxActionsPerRun = 1000;

export const scriptActionsSchema = z.array(scriptActionSchema).max(maxActionsPerRun);

/** One line for the run's output: what the action does, in the words of its Python call. */
export function describeAction(action: ScriptAction): string {
  switch (action.type) {
    case 'create-post':
      return `create post ${JSON.stringify(action.title)}${action.status === 'published' ? ' (published)' : ''}`;
    case 'update-post': {
      const fields = (['title', 'body', 'tags', 'categories', 'status'] as const).filter(
        (field) => action[field] !== undefined,
      );
      return `update post ${JSON.stringify(action.post)}: ${fields.join(', ')}`;
    }
    case 'delete-post':
      return `move post ${JSON.stringify(action.post)} to the trash`;
    case 'rename-tag':
      return `rename tag ${JSON.stringify(action.from)} to ${JSON.stringify(action.to)}`;
    case 'delete-tag':
      return `remove tag ${JSON.stringify(action.name)}`;
    case 'rename-category':
      return `rename category ${JSON.stringify(action.from)} to ${JSON.stringify(action.to)}`;
    case 'delete-category':
      return `remove category ${JSON.stringify(action.name)}`;
  }
}
