import { z } from 'zod';
import { type AbiPost, abiPostSchema, type SiteSnapshot, siteSnapshotSchema } from '../core/abi';
import { isRecord } from '../core/json-shape';
import type { SiteChanges, SiteUpdate } from './protocol';

/** A post as checked against the ABI, and its JSON: what its changes are found by. */
interface TakenPost {
  post: AbiPost;
  json: string;
}

/**
 * Frozen posts already taken, by the caller's object. A site build gives each unchanged post again as
 * the same frozen object, so a rebuild after one edit checks and serializes that post, not the
 * 10,000 bodies of a large site (half a second of each rebuild of a watching `pymark build`).
 */
const takenFrozen = new WeakMap<object, TakenPost>();

/** The site data with its posts left as given, so each keeps its identity. */
const givenSnapshotSchema = siteSnapshotSchema.extend({ posts: z.array(z.unknown()) });

/**
 * Keeps a worker's copy of the site data in step with the page's, sending only what changed: an
 * autosave changes one post of hundreds, and re-sending them all made every save cost the whole
 * site. A worker that has no copy (a new one, or one replaced meanwhile) gets all of it.
 */
export class SiteSync<Worker extends object> {
  /** Each post's JSON by id, in site order: what the changes are found against. */
  #posts = new Map<string, TakenPost>();
  #snapshot: SiteSnapshot | undefined;
  /** The snapshot's media and settings as JSON: they change rarely, and then the whole snapshot goes. */
  #rest: string | undefined;
  /** The worker that has the data as of `#pending`, and the changes it has not had yet. */
  #holder: Worker | undefined;
  #pending: SiteChanges | undefined;

  /**
   * Takes the site data; throws, naming what is wrong, when it is outside ABI v1. A post given as a
   * frozen object (frozen whole: its arrays and objects too) is taken to stay as it is, so giving the
   * same object again costs neither a check nor its JSON; any other post is checked and serialized
   * each time.
   */
  set(given: SiteSnapshot): void {
    const { snapshot, taken } = checkedSnapshot(given);
    const rest = JSON.stringify([snapshot.media ?? [], snapshot.settings ?? {}]);
    if (rest !== this.#rest) {
      // Changes carry posts only: a worker holding other media or settings must take everything again.
      this.#rest = rest;
      this.#holder = undefined;
    }
    const next = new Map(taken.map((post) => [post.post.id, post]));
    const upsert = snapshot.posts.filter(
      (post) => this.#posts.get(post.id)?.json !== next.get(post.id)?.json,
    );
    const previousOrder = [...this.#posts.keys()];
    const remove = previousOrder.filter((id) => !next.has(id));
    const orderChanged =
      next.size !== previousOrder.length || [...next.keys()].some((id, index) => previousOrder[index] !== id);
    this.#posts = next;
    this.#snapshot = snapshot;
    if (upsert.length === 0 && remove.length === 0 && !orderChanged) return;
    this.#pending = merge(this.#pending, { upsert, remove, order: orderChanged ? [...next.keys()] : null });
  }

  /** What `worker` needs before its next call, if anything; assumes the call will deliver it. */
  updateFor(worker: Worker): SiteUpdate | undefined {
    if (this.#snapshot === undefined) return undefined;
    if (worker !== this.#holder) {
      // A call lost with this leaves the worker replaced, and the next one gets everything again.
      this.#holder = worker;
      this.#pending = undefined;
      return { snapshot: this.#snapshot };
    }
    const changes = this.#pending;
    this.#pending = undefined;
    return changes && { changes };
  }
}

/** `later` applied after `earlier`, as one set of changes. */
function merge(earlier: SiteChanges | undefined, later: SiteChanges): SiteChanges {
  if (!earlier) return later;
  const upserted = new Map(earlier.upsert.map((post) => [post.id, post]));
  for (const post of later.upsert) upserted.set(post.id, post);
  for (const id of later.remove) upserted.delete(id);
  const removed = new Set([...earlier.remove, ...later.remove].filter((id) => !upserted.has(id)));
  return { upsert: [...upserted.values()], remove: [...removed], order: later.order ?? earlier.order };
}

/** `given`, checked against ABI v1, with each post's JSON. */
function checkedSnapshot(given: SiteSnapshot): { snapshot: SiteSnapshot; taken: TakenPost[] } {
  const { posts, ...rest } = givenSnapshotSchema.parse(given);
  const taken = posts.map((post, index) => {
    const known = isRecord(post) ? takenFrozen.get(post) : undefined;
    if (known) return known;
    const checked = abiPostSchema.safeParse(post);
    if (!checked.success) {
      const issues = checked.error.issues.map((issue) => ({
        ...issue,
        path: ['posts', index, ...issue.path],
      }));
      throw new z.ZodError(issues);
    }
    const fresh = { post: checked.data, json: JSON.stringify(checked.data) };
    if (isRecord(post) && Object.isFrozen(post)) takenFrozen.set(post, fresh);
    return fresh;
  });
  return { snapshot: { ...rest, posts: taken.map(({ post }) => post) }, taken };
}
