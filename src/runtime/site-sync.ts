import type { AbiPost, SiteSnapshot } from '../core/abi';
import type { SiteChanges, SiteUpdate } from './protocol';

/**
 * Keeps a worker's copy of the site data in step with the page's, sending only what changed: an
 * autosave changes one post of hundreds, and re-sending them all made every save cost the whole
 * site. A worker that has no copy (a new one, or one replaced meanwhile) gets all of it.
 */
export class SiteSync<Worker extends object> {
  /** Each post's JSON by id, in site order: what the changes are found against. */
  #posts = new Map<string, { post: AbiPost; json: string }>();
  #snapshot: SiteSnapshot | undefined;
  /** The snapshot's media and settings as JSON: they change rarely, and then the whole snapshot goes. */
  #rest: string | undefined;
  /** The worker that has the data as of `#pending`, and the changes it has not had yet. */
  #holder: Worker | undefined;
  #pending: SiteChanges | undefined;

  set(snapshot: SiteSnapshot): void {
    const rest = JSON.stringify([snapshot.media ?? [], snapshot.settings ?? {}]);
    if (rest !== this.#rest) {
      // Changes carry posts only: a worker holding other media or settings must take everything again.
      this.#rest = rest;
      this.#holder = undefined;
    }
    const next = new Map(snapshot.posts.map((post) => [post.id, { post, json: JSON.stringify(post) }]));
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
