/*
 * Where every page of a built site lives (docs/site.md lists them). Each page is `index.html` in its
 * folder; `url` is the link to it, root-relative under `base_url`'s path, so a site served from
 * `https://user.github.io/blog/` links to `/blog/posts/x/`; `absolute` is the full URL that feeds and
 * the sitemap need.
 */

export interface SiteLocation {
  /** The file, relative to the output folder: `posts/hello/index.html`. */
  file: string;
  /** The link to it: `/blog/posts/hello/`. */
  url: string;
  /** The full URL: `https://example.com/blog/posts/hello/`. */
  absolute: string;
}

export class SiteUrls {
  readonly #origin: string;
  /** The path of `base_url`, with a trailing `/`. */
  readonly basePath: string;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.#origin = url.origin;
    this.basePath = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  }

  /** A folder page: `path` is relative to the site root, `''` for the home page, else ending with `/`. */
  page(path: string): SiteLocation {
    return this.file(`${path}index.html`, path);
  }

  /** Any other file: `link` is what the link names (for a page, its folder). */
  file(file: string, link = file): SiteLocation {
    const url = this.basePath + encodePath(link);
    return { file, url, absolute: this.#origin + url };
  }

  home(pageNumber: number): SiteLocation {
    return this.page(paged('', pageNumber));
  }

  post(slug: string): SiteLocation {
    return this.page(`posts/${slug}/`);
  }

  tag(tag: string, pageNumber = 1): SiteLocation {
    return this.page(paged(`tag/${termSegment(tag)}/`, pageNumber));
  }

  category(category: string, pageNumber = 1): SiteLocation {
    return this.page(paged(`category/${termSegment(category)}/`, pageNumber));
  }

  year(year: string, pageNumber = 1): SiteLocation {
    return this.page(paged(`${year}/`, pageNumber));
  }

  month(year: string, month: string, pageNumber = 1): SiteLocation {
    return this.page(paged(`${year}/${month}/`, pageNumber));
  }

  readonly rss = () => this.file('rss.xml');
  readonly atom = () => this.file('atom.xml');
  readonly sitemap = () => this.file('sitemap.xml');
  readonly notFound = () => this.file('404.html');
}

/** Page 1 is the list's own folder; page n is `page/<n>/` below it. */
function paged(path: string, pageNumber: number): string {
  return pageNumber <= 1 ? path : `${path}page/${pageNumber}/`;
}

/**
 * A tag or category as one folder name: kept as written (the tag cloud links to
 * `/tag/<encodeURIComponent(tag)>/`), except for what a file system or a URL path cannot hold in one
 * segment: `/` and `\` become `-`, and a leading `.` (hidden, or `..`) gets a `_` before it.
 */
export function termSegment(term: string): string {
  const folded = term.trim().replace(/[/\\]/g, '-');
  return folded.startsWith('.') ? `_${folded}` : folded;
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}
