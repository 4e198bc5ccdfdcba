import MiniSearch from 'minisearch';
import type { Post } from '../core/post';
import type { Script } from '../core/script';

/** One thing a search found: which item, and a bit of its text around the first match. */
export interface SearchHit {
  kind: 'script' | 'post';
  id: string;
  title: string;
  /** E.g. `hello.py · utility` or `draft · python, blogging`. */
  meta: string;
  /** Up to about 80 characters of the body around the first matched word; empty when only the title matched. */
  excerpt: string;
}

interface Indexed {
  /** `script:<id>` or `post:<id>`: scripts and posts share one index. */
  key: string;
  kind: SearchHit['kind'];
  id: string;
  title: string;
  meta: string;
  body: string;
  /** Tags and categories, or a script's slug and kind. */
  labels: string;
}

/**
 * Search across posts and scripts: titles, bodies, tags and categories, as you type (prefix and
 * fuzzy matching, titles weigh most). The index is built from the lists the workspaces hold, again
 * only when one of them changed since the last search.
 */
export class SearchIndex {
  private index: MiniSearch<Indexed> | undefined;
  private documents = new Map<string, Indexed>();
  private scripts: readonly Script[] = [];
  private posts: readonly Post[] = [];

  /** Gives the current lists; cheap, the index is rebuilt lazily. */
  update(scripts: readonly Script[], posts: readonly Post[]): void {
    if (scripts === this.scripts && posts === this.posts) return;
    this.scripts = scripts;
    this.posts = posts;
    this.index = undefined;
  }

  search(query: string, limit = 20): SearchHit[] {
    if (query.trim() === '') return [];
    const index = this.index ?? this.build();
    return index
      .search(query, {
        prefix: true,
        fuzzy: (term) => (term.length > 3 ? 0.2 : false),
        boost: { title: 3, labels: 2 },
        combineWith: 'AND',
      })
      .slice(0, limit)
      .flatMap((result) => {
        const document = this.documents.get(String(result.id));
        if (!document) return [];
        const { kind, id, title, meta, body } = document;
        return [{ kind, id, title, meta, excerpt: excerptAround(body, result.terms) }];
      });
  }

  private build(): MiniSearch<Indexed> {
    const documents: Indexed[] = [
      ...this.scripts.map((script) => ({
        key: `script:${script.id}`,
        kind: 'script' as const,
        id: script.id,
        title: script.title,
        meta: `${script.slug}.py · ${script.kind}`,
        body: script.body,
        labels: `${script.slug} ${script.kind}`,
      })),
      ...this.posts.map((post) => ({
        key: `post:${post.id}`,
        kind: 'post' as const,
        id: post.id,
        title: post.title,
        meta: [post.status, ...post.tags].join(' · '),
        body: post.body,
        labels: [...post.tags, ...post.categories].join(' '),
      })),
    ];
    const index = new MiniSearch<Indexed>({ idField: 'key', fields: ['title', 'body', 'labels'] });
    index.addAll(documents);
    this.documents = new Map(documents.map((document) => [document.key, document]));
    this.index = index;
    return index;
  }
}

/** The body's text around the first of `terms` it contains, on one line. */
function excerptAround(body: string, terms: readonly string[]): string {
  const lower = body.toLowerCase();
  const at = terms
    .map((term) => lower.indexOf(term.toLowerCase()))
    .filter((position) => position >= 0)
    .reduce((first, position) => Math.min(first, position), Number.POSITIVE_INFINITY);
  if (at === Number.POSITIVE_INFINITY) return '';
  const start = Math.max(0, at - 30);
  const text = body
    .slice(start, at + 50)
    .replace(/\s+/g, ' ')
    .trim();
  return `${start > 0 ? '…' : ''}${text}${at + 50 < body.length ? '…' : ''}`;
}
