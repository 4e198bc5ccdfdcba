import { type FilterImplOptions, Liquid, LiquidError } from 'liquidjs';
import type { SiteSettings } from '../core/site-settings';
import type { BuildProblem } from './project';
import { type SiteLocation, SiteUrls } from './site-urls';
import { defaultTheme } from './theme';

/** What every page of a build is rendered with: plain data, so a worker thread can render pages too. */
export interface PageSetup {
  /** The project's own templates by name (`post.liquid`, `partials/head.liquid`), over the theme's. */
  templates: ReadonlyMap<string, string>;
  settings: SiteSettings;
  /** The stylesheets' URLs, named by their content. */
  stylesheets: string[];
}

/** One page to render: its place, its template and what the template sees of it. */
export interface PageRequest {
  location: SiteLocation;
  template: string;
  scope: Record<string, unknown>;
}

/** A page's HTML, or the located template error that stops the build. */
export type PageOutcome = { html: string } | { problem: BuildProblem };

/**
 * Renders a build's pages: in place by default (`renderPagesInPlace`); the command line spreads a
 * large build's pages over worker threads, as Liquid is most of a full build's time after Python.
 */
export interface PageRendering {
  /** Each page's outcome, in the order of `pages`. */
  renderPages(setup: PageSetup, pages: readonly PageRequest[]): Promise<PageOutcome[]>;
  /** The build will render at least about `pages` pages: threads may start now, while Python runs. */
  prepare?(pages: number): void;
}

export const renderPagesInPlace: PageRendering = {
  renderPages: async (setup, pages) => {
    const renderer = new PageRenderer(setup);
    return pages.map((page) => renderer.render(page));
  },
};

/**
 * The Liquid engine of the last templates rendered, with them parsed and its dates remembered. A
 * build renders its pages in several requests (the early post pages, then the rest, with the
 * stylesheet's name now known), and a rebuild (`--watch`, the app) renders with the same templates
 * again: each request once made its own engine, parsing every template and formatting every date
 * anew. The engine reads nothing of a setup but its templates; the site's fields go with each page.
 */
let lastEngine: { templates: string; liquid: Liquid } | undefined;

/**
 * Liquid's `date` makes a new `Intl.DateTimeFormat` for every month or weekday name it prints, about
 * 0.2 ms each: a third of a 1,000-post build, where every post's date is printed on seven pages. The
 * same arguments always give the same text (the engine's locale and time zone are fixed), so each
 * distinct call runs once per build; and the calls that do run share one formatter per locale and
 * options (`withSharedDateFormats`), which alone was a fifth of each page thread's time.
 */
function memoizeDateFilter(liquid: Liquid): void {
  const builtin = liquid.filters.date;
  if (typeof builtin !== 'function') return;
  const known = new Map<string, unknown>();
  liquid.registerFilter(
    'date',
    function (this: ThisParameterType<FilterHandler>, value: unknown, ...args: unknown[]) {
      const format = () => withSharedDateFormats(() => builtin.call(this, value, ...args));
      const all = [value, ...args];
      if (!all.every((arg) => typeof arg === 'string' || typeof arg === 'number' || arg === undefined))
        return format();
      const key = JSON.stringify(all);
      if (!known.has(key)) known.set(key, format());
      return known.get(key);
    },
  );
}

const sharedDateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * Runs `work` with `Intl.DateTimeFormat` answering each locale and options with one formatter made
 * once. Liquid's dates look the constructor up as each is made and call it, with no `new`, for every
 * name they print; a formatter is immutable, so sharing it prints the same text. Synchronous, and put
 * back before it returns: nothing else in the thread sees the swap.
 */
function withSharedDateFormats<T>(work: () => T): T {
  const original = Intl.DateTimeFormat;
  const shared = (locales?: string | string[], options?: Intl.DateTimeFormatOptions) => {
    const key = JSON.stringify([locales, options]);
    let format = sharedDateFormats.get(key);
    if (!format) {
      format = original(locales, options);
      sharedDateFormats.set(key, format);
    }
    return format;
  };
  Intl.DateTimeFormat = Object.assign(shared, original) as typeof Intl.DateTimeFormat;
  try {
    return work();
  } finally {
    Intl.DateTimeFormat = original;
  }
}

type FilterHandler = Extract<FilterImplOptions, (...args: never[]) => unknown>;

/** Liquid over the theme's templates with the project's own in front, by name. */
export class PageRenderer {
  readonly #templates: Record<string, string> = {};
  /** Taken at the first page: a renderer asked only for its key parses nothing. */
  #liquid: Liquid | undefined;
  /** The templates as the engine's key (`lastEngine`). */
  readonly #templatesKey: string;
  readonly #site: Record<string, unknown>;
  /** Which file each template name came from, for error messages. */
  readonly #origin = new Map<string, string>();
  /** Everything every page is rendered with beside its own scope: the templates and the site's fields. */
  readonly key: string;

  constructor({ templates: projectTemplates, settings, stylesheets }: PageSetup) {
    const templates = this.#templates;
    for (const [name, text] of defaultTheme.templates) {
      templates[name] = text;
      this.#origin.set(name, `the default theme's ${name}`);
    }
    for (const [name, text] of projectTemplates) {
      templates[name] = text;
      this.#origin.set(name, `templates/${name}`);
    }
    const urls = new SiteUrls(settings.base_url);
    this.#site = {
      title: settings.title,
      description: settings.description,
      author: settings.author,
      language: settings.language,
      base_url: settings.base_url,
      home_url: urls.home(1).url,
      rss_url: urls.rss().url,
      atom_url: urls.atom().url,
      stylesheets,
    };
    this.#templatesKey = JSON.stringify(templates);
    // `JSON.stringify([templates, this.#site])`, the templates serialized once.
    this.key = `[${this.#templatesKey},${JSON.stringify(this.#site)}]`;
  }

  /** Synchronous: no filter or tag here waits on anything, and a thousand pages skip a thousand promises. */
  render({ template, location, scope }: PageRequest): PageOutcome {
    const page = { ...(scope.page as object), url: location.url, absolute_url: location.absolute };
    try {
      return { html: this.#engine().renderFileSync(template, { ...scope, site: this.#site, page }) };
    } catch (error) {
      return { problem: this.#locate(error, template, location) };
    }
  }

  #engine(): Liquid {
    if (this.#liquid) return this.#liquid;
    if (lastEngine?.templates !== this.#templatesKey) {
      const liquid = new Liquid({
        templates: this.#templates,
        extname: '.liquid',
        cache: true,
        // Titles and tags are text: escaped unless a template says `| raw` (as the post content is).
        outputEscape: 'escape',
        // Dates print the same wherever the site is built.
        timezoneOffset: 0,
        strictFilters: true,
      });
      memoizeDateFilter(liquid);
      lastEngine = { templates: this.#templatesKey, liquid };
    }
    this.#liquid = lastEngine.liquid;
    return this.#liquid;
  }

  #locate(error: unknown, template: string, location: SiteLocation): BuildProblem {
    if (error instanceof LiquidError) {
      const file = error.token?.file;
      const name = file ? file.replace(/^.*?([^/]+(?:\/[^/]+)?\.liquid)$/, '$1') : `${template}.liquid`;
      const [line, column] = error.token?.getPosition() ?? [];
      const origin = this.#origin.get(name) ?? this.#origin.get(`${template}.liquid`) ?? `${template}.liquid`;
      const message = (error.originalError?.message ?? error.message).replace(/, line:\d+, col:\d+$/, '');
      return {
        file: origin.startsWith('templates/') ? origin : `templates/${name}`,
        ...(line === undefined ? {} : { line }),
        ...(column === undefined ? {} : { column }),
        message: `${origin.startsWith('templates/') ? '' : `(${origin}) `}${message}, rendering ${location.file}`,
      };
    }
    return { file: `templates/${template}.liquid`, message: `${String(error)}, rendering ${location.file}` };
  }
}
