import type { PyodideAPI } from 'pyodide';
import type { AbiPost } from '../core/abi';
import type { SiteUpdate } from './protocol';
import { interpreterIsolation } from './python-guard';
import { pymarkPython } from './python-modules';

/*
 * The data behind `from pymark import site` in one worker (docs/security.md, item 3). The interpreter
 * every script starts from (python-guard.ts) holds the published posts only: a macro sees what the
 * built site shows, and no draft is in its memory, whatever it changes or reads there. The drafts are
 * kept here, in the worker's JavaScript, which Python cannot reach (no global leads to them), and
 * are added within the calls that may see them: utilities and transforms, as before. The
 * interpreter is put back after such a call, before any other.
 */

interface PythonSite {
  /** Installs, replaces or changes the site data, drafts set aside. */
  update(update: SiteUpdate): void;
  /** Within a utility's or a transform's call, before its script's code: adds the drafts. */
  revealDrafts(): void;
}

const sites = new WeakMap<PyodideAPI, PythonSite>();

/** What the built site shows; the same test as the build's (build-site.ts). */
const isPublished = (post: AbiPost) => post.status === 'published';

export function pythonSite(pyodide: PyodideAPI): PythonSite {
  const known = sites.get(pyodide);
  if (known) return known;
  const python = pymarkPython(pyodide);
  const installSite = python('_pymark_site', 'install_site_module');
  const applySiteChanges = python('_pymark_site', 'apply_site_changes');
  const isolation = interpreterIsolation(pyodide);
  const drafts = new Map<string, AbiPost>();
  /** Every post's id in site order, drafts included. */
  let order: string[] = [];
  const publishedOrder = () => order.filter((id) => !drafts.has(id));
  const site: PythonSite = {
    update(update) {
      isolation.change(() => {
        if ('snapshot' in update) {
          const { posts } = update.snapshot;
          drafts.clear();
          for (const post of posts) if (!isPublished(post)) drafts.set(post.id, post);
          order = posts.map((post) => post.id);
          installSite(JSON.stringify({ ...update.snapshot, posts: posts.filter(isPublished) }));
          return;
        }
        const { upsert, remove } = update.changes;
        for (const id of remove) drafts.delete(id);
        const published: AbiPost[] = [];
        // A published post that became a draft leaves the interpreter's data.
        const unpublished: string[] = [];
        for (const post of upsert) {
          if (isPublished(post)) {
            drafts.delete(post.id);
            published.push(post);
          } else {
            drafts.set(post.id, post);
            unpublished.push(post.id);
          }
        }
        order = update.changes.order ?? order;
        // The order always goes: a draft that became published must find its place in it.
        const changes = { upsert: published, remove: [...remove, ...unpublished], order: publishedOrder() };
        applySiteChanges(JSON.stringify(changes));
      });
    },
    revealDrafts() {
      if (drafts.size === 0) return;
      isolation.reveal(() =>
        applySiteChanges(JSON.stringify({ upsert: [...drafts.values()], remove: [], order })),
      );
    },
  };
  sites.set(pyodide, site);
  return site;
}
