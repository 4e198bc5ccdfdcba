import type { AbiMedia, AbiPost, MacroEnv, SiteSnapshot } from '../core/abi';
import { bytesKey, contentKey } from '../core/content-key';
import { withMacroAliases } from '../core/macro-aliases';
import { parseMacroDocument } from '../core/markdown-macros';
import type { ThumbnailMaker } from '../core/media';
import type { Post } from '../core/post';
import type { Script } from '../core/script';
import type { SiteSettings } from '../core/site-settings';
import {
  type MacroBatchRunner,
  PostRenderer,
  type RenderedPost,
  type RenderWarning,
  toAbiPost,
} from '../render/post-renderer';
import { sanitizeCss } from '../render/sanitize-css';
import { createHtmlSanitizer } from '../render/sanitize-html';
import { nameSiteData, siteVersionEntry, siteVersionHolds } from '../render/site-versions';
import {
  type BuildManifest,
  type BuildManifestStore,
  emptyManifest,
  loadManifest,
  type PostRecord,
  saveManifest,
} from './build-manifest';
import { atomFeed, type FeedPost, rssFeed, sitemap } from './feeds';
import { MacroBatcher, type MacroMemo, type RecordedFailure } from './macro-batcher';
import { publishMediaLinks } from './media-links';
import { MediaPublisher } from './media-publisher';
import {
  type PageOutcome,
  PageRenderer,
  type PageRendering,
  type PageRequest,
  type PageSetup,
  renderPagesInPlace,
} from './page-renderer';
import {
  type BuildProblem,
  bodyKey,
  likelyMacroCalls,
  postKey,
  type SiteProject,
  type SourcePost,
} from './project';
import { type SiteLocation, SiteUrls } from './site-urls';
import { defaultTheme } from './theme';

/** What the engine needs of Python: the runtime's one boundary (browser worker, Node worker pool, or in-process). */
export interface SiteRuntime extends MacroBatchRunner {
  setSiteData(snapshot: SiteSnapshot): void;
  /**
   * The build expects about `calls` macro calls to run: a runtime that starts lazily may start now.
   * A hint; `renderMany` must work without it.
   */
  prepare?(calls: number): void;
}

export interface BuildOptions {
  /**
   * Unknown macros (no enabled macro script of that name) stay in the page as their text, as the
   * reference app keeps them, each with a located warning (the default); `false` fails the build.
   */
  allowUnknownMacros?: boolean;
  onProgress?: (progress: BuildProgress) => void;
  /**
   * The files the output already holds, by path, with their SHA-256 (what `publishedFiles` reads of a
   * target). A page whose inputs did not change since the manifest's build, and whose file is there
   * with the bytes it was given then, is neither rendered nor returned with its bytes: it is listed
   * in `kept`. Without it, such a page's bytes come from the builder's memory of its last build, or
   * it is rendered.
   */
  published?: ReadonlyMap<string, string>;
}

export interface BuildProgress {
  phase: 'render' | 'pages';
  done: number;
  total: number;
}

export interface BuildStats {
  /** Published posts rendered. */
  posts: number;
  /** Drafts left out. */
  drafts: number;
  /** Macro calls in the published posts, and how many ran in Python (the rest came from the memo). */
  macroCalls: number;
  macrosRun: number;
  /** Files of the site. */
  files: number;
  /** Posts rendered (the others' last rendering still held), and pages rendered with Liquid. */
  postsRendered: number;
  pagesRendered: number;
}

export type BuildResult =
  | {
      ok: true;
      /** Every file of the site by path, in path order, but for those in `kept`. */
      files: Map<string, Uint8Array>;
      /** Pages unchanged since the last build, still on the target as `published` says: their SHA-256 by path. */
      kept: Map<string, string>;
      /** The SHA-256 of the pages in `files`, by path: hashed for the manifest, so the writer need not again. */
      hashes: Map<string, string>;
      /** Macro warnings and malformed macros: reported, never fatal. */
      warnings: BuildProblem[];
      stats: BuildStats;
    }
  | { ok: false; problems: BuildProblem[]; warnings: BuildProblem[]; stats: BuildStats };

/** Longest the build keeps the event loop while it starts rendering posts (see `#renderPosts`). */
const turnMs = 20;

/** Resolves in a later task of the event loop, after pending I/O callbacks and messages. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Feeds carry the newest posts only: a feed of a 10,000-post site with full HTML would be megabytes. */
export const feedPostCount = 20;

const encoder = new TextEncoder();

/**
 * The site engine: from a project (published posts, scripts, templates, settings) every file of the
 * site, in memory, or the located problems that stop it. Pure TypeScript over the runtime's interface:
 * the CLI and the app run this same code, with the same renderer and sanitizer as the preview.
 * Writing the files is another step (site-writer.ts), taken only when the build succeeded.
 * Keep one builder for a series of builds (watch mode, the app): its memo makes rebuilds cheap.
 */
export class SiteBuilder {
  readonly batcher: MacroBatcher;
  #renderer: { embeds: string; renderer: PostRenderer } | undefined;
  #siteDataVersion: string | undefined;
  /**
   * The last build's site data posts by the post's key (its front matter and body): an unchanged post
   * is given to the runtime again as the same frozen object, which it neither checks nor serializes
   * again (runtime/site-sync.ts).
   */
  #sitePosts = new Map<string, AbiPost>();
  readonly #media: MediaPublisher;
  readonly #manifestStore: BuildManifestStore | undefined;
  /** What the last successful build rendered (loaded from the store before the first build). */
  #manifest: BuildManifest | undefined;
  /** The last successful build's pages, by path: what a page whose inputs did not change is again. */
  #pages = new Map<string, Uint8Array>();
  readonly #pageRendering: PageRendering;

  constructor(
    private readonly runtime: SiteRuntime,
    options: {
      memo?: MacroMemo;
      batchSize?: number;
      /** While the posts render, calls go out as soon as this many gathered (`MacroBatcherOptions`). */
      sendWhenHeld?: number;
      thumbnails?: ThumbnailMaker;
      /** Where the build manifest is kept between runs; without one it lives as long as the builder. */
      manifest?: BuildManifestStore;
      /** Renders the pages with Liquid; in place unless given (the command line uses worker threads). */
      pages?: PageRendering;
    } = {},
  ) {
    this.batcher = new MacroBatcher(runtime, options);
    this.#media = new MediaPublisher(options.thumbnails);
    this.#manifestStore = options.manifest;
    this.#pageRendering = options.pages ?? renderPagesInPlace;
  }

  /** Saves the last successful build's manifest to the store: after its files were written. */
  async saveManifest(): Promise<void> {
    if (this.#manifestStore && this.#manifest) await saveManifest(this.#manifestStore, this.#manifest);
  }

  async build(project: SiteProject, options: BuildOptions = {}): Promise<BuildResult> {
    const { settings } = project;
    const urls = new SiteUrls(settings.base_url);
    const published = project.posts
      .filter(({ post }) => post.status === 'published')
      .sort((a, b) => compareNewestFirst(a.post, b.post));
    const stats: BuildStats = {
      posts: published.length,
      drafts: project.posts.length - published.length,
      macroCalls: 0,
      macrosRun: 0,
      files: 0,
      postsRendered: 0,
      pagesRendered: 0,
    };
    if (!this.#manifest && this.#manifestStore) this.#manifest = await loadManifest(this.#manifestStore);
    const previous = this.#manifest ?? emptyManifest();
    const next = emptyManifest();

    const media = this.#media.describe(project.media ?? [], urls);
    /** Each published post as the templates see it, known as its rendering is. */
    const posts: PostView[] = [];
    const early = new EarlyPostPages(this.#pageRendering, project, urls);
    const rendered = await this.#renderPosts(
      project,
      published,
      media,
      { previous, next, stats },
      urls,
      options,
      (index, post, freshly) => {
        const source = published[index]!.post;
        const record = next.posts.get(source.id)!;
        record.summary ??= summaryOf(post.html);
        const view = postView(source, post, record.summary, urls);
        posts[index] = view;
        if (!freshly) return;
        // Serialized once: its hash names the view in the page keys, its text shows any stand-in.
        const viewJson = JSON.stringify(view);
        record.view = contentKey(viewJson);
        early.add(postPageJob(view, source, urls), viewJson);
      },
    );
    stats.macroCalls = rendered.reduce((sum, post) => sum + post.macroCount, 0);
    stats.macrosRun = this.batcher.executed;
    const { problems, warnings } = this.#macroProblems(project, published, rendered, options);
    if (problems.length > 0) return { ok: false, problems, warnings, stats };

    const files = new Map<string, Uint8Array>();
    const kept = new Map<string, string>();
    const hashes = new Map<string, string>();
    const addText = (path: string, text: string) => files.set(path, encoder.encode(text));

    // Stylesheets are named by their content, so a browser may cache them for good.
    const stylesheets: string[] = [];
    for (const [name, css] of [
      ['pico', defaultTheme.picoCss],
      ['site', [defaultTheme.css, ...macroCss(rendered)].join('\n')],
    ] as const) {
      const bytes = encoder.encode(css);
      const location = stylesheetLocation(urls, name, bytesKey(bytes));
      files.set(location.file, bytes);
      stylesheets.push(location.url);
    }

    const setup: PageSetup = { templates: project.templates, settings, stylesheets };
    const jobs = pageJobs(published, posts, settings, urls);

    // A page is rendered again only when something it shows changed: its template set and site
    // settings (`pages.key`), its own fields, and every post it shows (each by its view's hash).
    // A post rendered again had its view hashed as it was rendered; one reused shows as it did.
    const postHashes = new Map<PostView, string>(
      posts.map((post, index) => [post, next.posts.get(published[index]!.post.id)!.view]),
    );
    const themeKey = contentKey(new PageRenderer(setup).key);
    const renderedPages = new Map<string, Uint8Array>();
    const keys = jobs.map((job) =>
      contentKey(
        `${themeKey}\0${JSON.stringify([job.template, job.location, job.scope], (_, value) => postHashes.get(value) ?? value)}`,
      ),
    );
    const reusable = jobs.map((job, index) => {
      const before = previous.pages.get(job.location.file);
      return before?.key === keys[index] ? before : undefined;
    });
    const needed = jobs.filter((job, index) => {
      const same = reusable[index];
      return !(
        same &&
        (this.#pages.has(job.location.file) || options.published?.get(job.location.file) === same.hash)
      );
    });
    stats.pagesRendered = needed.length;
    // Sent before the early pages are back: the threads take them as soon as they are free.
    const lateJobs = needed.filter((job) => !early.sent(job.location.file));
    const lateRendering = this.#pageRendering.renderPages(setup, lateJobs);
    // Awaited below; not an unhandled rejection while the early pages are awaited.
    lateRendering.catch(() => {});
    const outcomesByFile = await early.finish(stylesheets[1]!);
    // Early pages the stand-in showed through in go again, with the stylesheet named.
    const again = needed.filter(
      (job) => early.sent(job.location.file) && !outcomesByFile.has(job.location.file),
    );
    const [lateOutcomes, againOutcomes] = await Promise.all([
      lateRendering,
      again.length > 0 ? this.#pageRendering.renderPages(setup, again) : [],
    ]);
    for (const [sent, rendered] of [
      [lateJobs, lateOutcomes],
      [again, againOutcomes],
    ] as const) {
      sent.forEach((job, index) => {
        outcomesByFile.set(job.location.file, rendered[index]!);
      });
    }
    const outcomes = needed.map((job) => outcomesByFile.get(job.location.file)!);
    const templateProblems: BuildProblem[] = [];
    let rendering = 0;
    jobs.forEach((job, index) => {
      const path = job.location.file;
      const same = reusable[index];
      const known = same && this.#pages.get(path);
      if (same && known) {
        files.set(path, known);
        hashes.set(path, same.hash);
        renderedPages.set(path, known);
        next.pages.set(path, same);
      } else if (same && options.published?.get(path) === same.hash) {
        kept.set(path, same.hash);
        next.pages.set(path, same);
      } else {
        const outcome = outcomes[rendering++]!;
        if ('problem' in outcome) {
          templateProblems.push(outcome.problem);
        } else {
          const bytes = encoder.encode(outcome.html);
          const hash = bytesKey(bytes);
          files.set(path, bytes);
          hashes.set(path, hash);
          renderedPages.set(path, bytes);
          next.pages.set(path, { key: keys[index]!, hash });
        }
      }
      const done = index + 1;
      if (done % 50 === 0 || done === jobs.length)
        options.onProgress?.({ phase: 'pages', done, total: jobs.length });
    });
    if (templateProblems.length > 0) return { ok: false, problems: templateProblems, warnings, stats };

    const feedPosts: FeedPost[] = published.slice(0, feedPostCount).map((source, index) => ({
      title: source.post.title,
      absoluteUrl: urls.post(source.post.slug).absolute,
      published: publishedAt(source.post),
      updated: source.post.updatedAt,
      tags: source.post.tags,
      categories: source.post.categories,
      html: rendered[index]!.html,
      summary: posts[index]!.summary,
    }));
    addText(urls.rss().file, rssFeed(settings, urls, feedPosts));
    addText(urls.atom().file, atomFeed(settings, urls, feedPosts));
    addText(
      urls.sitemap().file,
      sitemap(
        jobs
          .filter((job) => job.template !== 'not_found')
          .map((job) => ({
            absoluteUrl: job.location.absolute,
            ...(job.updated ? { updated: job.updated } : {}),
          })),
      ),
    );
    for (const asset of project.assets) files.set(asset.path, asset.bytes);
    const mediaProblems: BuildProblem[] = [];
    for (const [path, bytes] of await this.#media.files(project.media ?? [], mediaProblems))
      files.set(path, bytes);
    if (mediaProblems.length > 0) return { ok: false, problems: mediaProblems, warnings, stats };

    this.#manifest = next;
    this.#pages = renderedPages;
    const sorted = new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    stats.files = sorted.size + kept.size;
    return { ok: true, files: sorted, kept, hashes, warnings, stats };
  }

  /**
   * Every published post's rendering, newest first: the record of the last build for a post whose
   * inputs did not change (its front matter and body, the render settings, the scripts of the macros
   * it calls, and the site data if one of them read it), the renderer's for the rest. Records the
   * new renderings in `next`.
   */
  async #renderPosts(
    project: SiteProject,
    published: SourcePost[],
    media: AbiMedia[],
    { previous, next, stats }: { previous: BuildManifest; next: BuildManifest; stats: BuildStats },
    urls: SiteUrls,
    options: BuildOptions,
    /** Called as each post's rendering is known (in `published` order's index), `freshly` when rendered now. */
    onRendered: (index: number, post: RenderedPost, freshly: boolean) => void,
  ): Promise<RenderedPost[]> {
    const { settings } = project;
    // Named by each post's key, not its body: a post whose file did not change is not read.
    const postKeys = published.map((source) => source.key ?? postKey(source.post));
    // With the bodies, as the preview's site data (site-data.ts), each read only if Python starts: a
    // rebuild that runs no macro reads no unchanged post. Drafts are not in it: a tag cloud built
    // from it counts published posts only.
    const sitePosts = new Map<string, AbiPost>();
    const snapshot: SiteSnapshot = {
      posts: published.map(({ post }, index) => {
        const key = postKeys[index]!;
        const sitePost =
          this.#sitePosts.get(key) ??
          frozenWhole({
            ...toAbiPost(post),
            get body() {
              return post.body;
            },
          });
        sitePosts.set(key, sitePost);
        return sitePost;
      }),
      media,
    };
    this.#sitePosts = sitePosts;
    // Each part named by its hash, as the preview names it by its changes: a call is keyed by the
    // parts it read, so a body edit or a new `updated_at` does not re-run a tag cloud. The bodies
    // are named by their own keys, so naming them reads no unchanged post.
    const hashName = (text: string) => contentKey(text).slice(0, 16);
    const bodyKeys = published.map((source) => source.bodyKey ?? bodyKey(source.post));
    const versions = nameSiteData(snapshot, (_, text) => hashName(text), hashName(bodyKeys.join('\n')));
    if (versions.dataVersion !== this.#siteDataVersion) {
      this.runtime.setSiteData(snapshot);
      this.#siteDataVersion = versions.dataVersion;
    }
    const env: MacroEnv = { preview: false, language: settings.language, base_url: settings.base_url };
    const renderer = this.#rendererFor(settings);
    this.batcher.resetBuild();
    this.batcher.siteVersions = versions;
    const settingsKey = JSON.stringify([env, settings.embeds, media]);
    const scriptsKey = scriptsKeyer(project.scripts);
    let done = 0;
    const total = published.length;
    const plans = published.map(({ post }, index) => {
      const input = contentKey(`${settingsKey}\0${postKeys[index]}`);
      const before = previous.posts.get(post.id);
      const reusable =
        before !== undefined &&
        before.input === input &&
        before.scripts === scriptsKey(before.macroNames) &&
        siteVersionHolds(before, versions)
          ? before
          : undefined;
      return { index, post, input, reusable };
    });
    // With nothing remembered, every call of a post rendered again runs: Python may start now, beside
    // the Markdown, rather than once the first batch is gathered.
    const fresh = plans.flatMap(({ post, reusable }) => (reusable ? [] : [post]));
    if (this.batcher.memo.size === 0) this.runtime.prepare?.(likelyMacroCalls(project.scripts, fresh));
    // Each post rendered again is a page to render again, and a place in lists.
    this.#pageRendering.prepare?.(fresh.length);
    const renderOne = async ({ index, post, input, reusable: before }: (typeof plans)[number]) => {
      let result: RenderedPost;
      if (before) {
        this.batcher.retain(before.callKeys);
        next.posts.set(post.id, before);
        result = {
          ...before,
          get body() {
            return post.body;
          },
          executed: 0,
          siteReads: before.siteReads ?? [],
        };
      } else {
        const fresh = await renderer.renderPost(post, {
          scripts: project.scripts,
          env,
          ...versions,
          media,
          unknownMacros: 'text',
        });
        stats.postsRendered += 1;
        result = { ...fresh, html: publishMediaLinks(fresh.html, media, urls) };
        const macroNames = fresh.macroNames ?? [];
        const record: PostRecord = {
          input,
          scripts: scriptsKey(macroNames),
          ...siteVersionEntry(fresh.siteReads ?? null, versions),
          callKeys: this.batcher.callKeysOf(post.id),
          html: result.html,
          css: result.css,
          warnings: result.warnings,
          macroCount: result.macroCount,
          macroNames,
          // Named as soon as the post's view is made (`onRendered`).
          view: '',
        };
        next.posts.set(post.id, record);
      }
      onRendered(index, result, before === undefined);
      done += 1;
      if (done % 25 === 0 || done === total) options.onProgress?.({ phase: 'render', done, total });
      return result;
    };
    // All at once: the batcher gathers the macros of every post into a few large batches. The event
    // loop gets a turn every few milliseconds meanwhile, for Python's boot (its messages, its snapshot
    // read); the batcher holds the calls until every post has asked.
    const renders: Promise<RenderedPost>[] = [];
    this.batcher.hold();
    try {
      let turn = performance.now();
      for (const plan of plans) {
        const rendering = renderOne(plan);
        // Awaited below, with the rest; not an unhandled rejection meanwhile.
        rendering.catch(() => {});
        renders.push(rendering);
        if (performance.now() - turn > turnMs) {
          await nextTask();
          turn = performance.now();
        }
      }
      // Each post's first calls are asked for within the microtasks its rendering started.
      await nextTask();
    } finally {
      this.batcher.release();
    }
    return Promise.all(renders);
  }

  /** One renderer per embed allowlist: its memo holds HTML sanitized with that list. */
  #rendererFor(settings: SiteSettings): PostRenderer {
    const embeds = JSON.stringify(settings.embeds);
    if (this.#renderer?.embeds !== embeds) {
      this.#renderer = {
        embeds,
        renderer: new PostRenderer(this.batcher, createHtmlSanitizer(settings.embeds)),
      };
    }
    return this.#renderer.renderer;
  }

  /** Failed macros and unknown macros are problems (each at its call); a macro's own warnings are warnings. */
  #macroProblems(
    project: SiteProject,
    published: SourcePost[],
    rendered: RenderedPost[],
    options: BuildOptions,
  ): { problems: BuildProblem[]; warnings: BuildProblem[] } {
    const problems: BuildProblem[] = [];
    const warnings: BuildProblem[] = [];
    const keepUnknown = options.allowUnknownMacros ?? true;
    const enabled = project.scripts.filter((script) => script.kind === 'macro' && script.enabled);
    const macros = withMacroAliases(new Map(enabled.map((script) => [script.slug, script])));
    published.forEach((source, index) => {
      const result = rendered[index]!;
      const failures = this.batcher.failures.get(source.post.id) ?? [];
      const calls =
        failures.length > 0 || (!keepUnknown && result.warnings.some(isUnknownMacroWarning))
          ? parseMacroDocument(source.post.body).calls
          : [];
      const at = (line: number, column: number) => ({
        file: source.file,
        line: source.bodyLine + line,
        column,
      });
      for (const call of calls) {
        if (macros.has(call.name.toLowerCase()) || keepUnknown) continue;
        problems.push({
          ...at(call.line, call.column),
          message: `unknown macro [[${call.name}]]: no enabled macro script is named ${call.name.toLowerCase()}.py`,
        });
      }
      for (const failure of dedupeFailures(failures)) {
        const matching = calls.filter((call) => sameCall(call, failure));
        for (const call of matching.length > 0 ? matching : [undefined]) {
          problems.push({
            ...(call ? at(call.line, call.column) : { file: source.file }),
            message: `[[${failure.item.context.macro}]] failed (${failure.failure.kind}): ${failure.failure.message}`,
            script: failure.failure.script,
            ...(failure.failure.line === undefined ? {} : { scriptLine: failure.failure.line }),
          });
        }
      }
      for (const warning of result.warnings) {
        // Failures (and unknown macros, when they fail the build) are reported above as problems.
        if (failures.length > 0) continue;
        if (!keepUnknown && isUnknownMacroWarning(warning)) continue;
        warnings.push({ ...at(warning.line, warning.column), message: warning.message });
      }
    });
    return { problems, warnings };
  }
}

/** A page of the site, and when it last changed for the sitemap. */
interface PageJob extends PageRequest {
  updated?: string;
}

/** Every page of the site: the posts', the paginated lists' (home, tags, categories, years, months), the 404. */
function pageJobs(
  published: SourcePost[],
  posts: PostView[],
  settings: SiteSettings,
  urls: SiteUrls,
): PageJob[] {
  const jobs: PageJob[] = posts.map((post, index) => postPageJob(post, published[index]!.post, urls));
  const lists: { kind: string; title: string; posts: PostView[]; at: (page: number) => SiteLocation }[] = [
    { kind: 'home', title: settings.title, posts, at: (page) => urls.home(page) },
  ];
  for (const [tag, tagged] of groupBy(posts, (post) => post.tags.map((term) => term.name))) {
    lists.push({ kind: 'tag', title: `Tag: ${tag}`, posts: tagged, at: (page) => urls.tag(tag, page) });
  }
  for (const [category, inCategory] of groupBy(posts, (post) => post.categories.map((term) => term.name))) {
    lists.push({
      kind: 'category',
      title: `Category: ${category}`,
      posts: inCategory,
      at: (page) => urls.category(category, page),
    });
  }
  for (const [year, ofYear] of groupBy(posts, (post) => [post.date.slice(0, 4)])) {
    lists.push({ kind: 'year', title: year, posts: ofYear, at: (page) => urls.year(year, page) });
  }
  for (const [month, ofMonth] of groupBy(posts, (post) => [post.date.slice(0, 7)])) {
    const [year = '', monthNumber = ''] = month.split('-');
    lists.push({
      kind: 'month',
      title: month,
      posts: ofMonth,
      at: (page) => urls.month(year, monthNumber, page),
    });
  }
  for (const list of lists) {
    const perPage = settings.posts_per_page;
    const pageCount = Math.max(1, Math.ceil(list.posts.length / perPage));
    for (let page = 1; page <= pageCount; page++) {
      jobs.push({
        location: list.at(page),
        template: 'list',
        scope: {
          posts: list.posts.slice((page - 1) * perPage, page * perPage),
          page: { kind: list.kind, title: page > 1 ? `${list.title} (page ${page})` : list.title },
          pagination: {
            page,
            pages: pageCount,
            previous_url: page > 1 ? list.at(page - 1).url : null,
            next_url: page < pageCount ? list.at(page + 1).url : null,
          },
        },
      });
    }
  }
  jobs.push({
    location: urls.notFound(),
    template: 'not_found',
    scope: { page: { kind: 'not_found', title: 'Page not found' } },
  });
  return jobs;
}

function postPageJob(view: PostView, post: Post, urls: SiteUrls): PageJob {
  return {
    location: urls.post(view.slug),
    template: 'post',
    scope: { post: view, page: { kind: 'post', title: view.title, description: view.summary } },
    updated: post.updatedAt,
  };
}

/** A stylesheet's place, named by (the start of) its content's SHA-256. */
function stylesheetLocation(urls: SiteUrls, name: string, hash: string): SiteLocation {
  return urls.file(`theme/${name}.${hash.slice(0, 12)}.css`);
}

/**
 * The site stylesheet's hash while its CSS is not known yet: as long as a real one, and no hex, so it
 * is never a real one.
 */
const pendingStylesheetHash = 'pendingstyle';

/** Post pages sent to render at once, while Python still runs other posts' macros. */
const earlyPagesPerRequest = 200;

/**
 * Renders the pages of freshly rendered posts while the rest of the posts still wait for their macros,
 * rather than after the last macro call: a post page shows only its own post. The one thing such a
 * page cannot know yet is the site stylesheet's name, a hash of every macro's CSS; it is rendered with
 * a stand-in of the same length, put in place (a string replace) once the CSS is known, so the page
 * has the very bytes a late rendering would give. Templates that change the stylesheet's URL beyond
 * printing it (the stand-in shows through) and posts or templates that hold the stand-in themselves
 * are rendered late, as before.
 */
class EarlyPostPages {
  readonly #setup: PageSetup;
  readonly #pending: string;
  readonly #enabled: boolean;
  #held: PageRequest[] = [];
  /** The files of the pages sent to render early. */
  readonly #sent = new Set<string>();
  readonly #requests: Promise<[PageRequest[], PageOutcome[]]>[] = [];

  constructor(
    private readonly rendering: PageRendering,
    project: SiteProject,
    urls: SiteUrls,
  ) {
    const pico = stylesheetLocation(urls, 'pico', bytesKey(encoder.encode(defaultTheme.picoCss)));
    this.#pending = stylesheetLocation(urls, 'site', pendingStylesheetHash).url;
    this.#setup = {
      templates: project.templates,
      settings: project.settings,
      stylesheets: [pico.url, this.#pending],
    };
    this.#enabled = !JSON.stringify([...project.templates, project.settings]).includes(pendingStylesheetHash);
  }

  /** `viewJson`: the page's post view as JSON, all its scope holds (the page's title and description are the view's). */
  add(job: PageRequest, viewJson: string): void {
    if (!this.#enabled || viewJson.includes(pendingStylesheetHash)) return;
    this.#held.push(job);
    if (this.#held.length >= earlyPagesPerRequest) this.#send();
  }

  #send(): void {
    const pages = this.#held;
    this.#held = [];
    for (const page of pages) this.#sent.add(page.location.file);
    const request = this.rendering.renderPages(this.#setup, pages).then((outcomes) => [pages, outcomes]);
    // Awaited in `finish`; not an unhandled rejection meanwhile.
    request.catch(() => {});
    this.#requests.push(request as Promise<[PageRequest[], PageOutcome[]]>);
  }

  /** Whether the page of `file` was sent to render early: pages held back (too few to send) were not. */
  sent(file: string): boolean {
    return this.#sent.has(file);
  }

  /**
   * The early pages' outcomes by file, their stylesheet now `siteStylesheet`; a page the stand-in
   * shows through in is left out. Pages held back (too few to send) are left for the late rendering.
   */
  async finish(siteStylesheet: string): Promise<Map<string, PageOutcome>> {
    this.#held = [];
    const done = new Map<string, PageOutcome>();
    for (const [pages, outcomes] of await Promise.all(this.#requests)) {
      pages.forEach((page, index) => {
        const outcome = outcomes[index]!;
        if ('problem' in outcome) {
          done.set(page.location.file, outcome);
          return;
        }
        const html = outcome.html.replaceAll(this.#pending, siteStylesheet);
        if (!html.toLowerCase().includes(pendingStylesheetHash)) done.set(page.location.file, { html });
      });
    }
    return done;
  }
}

/**
 * Names the scripts behind a post's macro calls as they are now, from the calls' names: the script
 * each name reaches (through aliases), its version and body, and any script of that name that is not
 * an enabled macro (its kind and state make the page's text for the call).
 */
function scriptsKeyer(scripts: readonly Script[]): (names: readonly string[]) => string {
  const enabled = scripts.filter((script) => script.kind === 'macro' && script.enabled);
  const macros = withMacroAliases(new Map(enabled.map((script) => [script.slug, script])));
  const bodies = new Map<Script, string>();
  for (const script of scripts) bodies.set(script, contentKey(script.body).slice(0, 16));
  // Each name's key once: a build asks for every post's names, a few names thousands of times.
  const keys = new Map<string, string>();
  const keyOf = (name: string) => {
    let key = keys.get(name);
    if (key === undefined) {
      const macro = macros.get(name);
      key = JSON.stringify([
        name,
        macro ? [macro.id, macro.version, bodies.get(macro)] : null,
        scripts
          .filter((script) => script.slug === name)
          .map((script) => [script.id, script.kind, script.enabled, script.version, bodies.get(script)]),
      ]);
      keys.set(name, key);
    }
    return key;
  };
  return (names) => names.map(keyOf).join('\n');
}

/** The renderer's warning for a call that reaches no enabled macro script. */
function isUnknownMacroWarning(warning: RenderWarning): boolean {
  return /^Unknown macro|is not a macro|is not called/.test(warning.message);
}

/** A post as the templates see it. */
export interface PostView {
  title: string;
  slug: string;
  url: string;
  absolute_url: string;
  /** ISO date-time it was published (or created, for a post that never recorded it). */
  date: string;
  updated: string;
  tags: { name: string; url: string }[];
  categories: { name: string; url: string }[];
  summary: string;
  content: string;
}

function postView(post: Post, rendered: RenderedPost, summary: string, urls: SiteUrls): PostView {
  const location = urls.post(post.slug);
  return {
    title: post.title,
    slug: post.slug,
    url: location.url,
    absolute_url: location.absolute,
    date: publishedAt(post),
    updated: post.updatedAt,
    tags: post.tags.map((name) => ({ name, url: urls.tag(name).url })),
    categories: post.categories.map((name) => ({ name, url: urls.category(name).url })),
    summary,
    content: rendered.html,
  };
}

function publishedAt(post: Post): string {
  return post.publishedAt ?? post.createdAt;
}

function compareNewestFirst(a: Post, b: Post): number {
  // ISO dates in UTC compare as strings; plain comparison, not localeCompare: same order everywhere, and fast.
  const [dateA, dateB] = [publishedAt(a), publishedAt(b)];
  if (dateA !== dateB) return dateA < dateB ? 1 : -1;
  return a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0;
}

/** Lists by key, keys sorted, each list keeping the posts' order (newest first). */
function groupBy(posts: PostView[], keysOf: (post: PostView) => string[]): [string, PostView[]][] {
  const groups = new Map<string, PostView[]>();
  for (const post of posts) {
    for (const key of new Set(
      keysOf(post)
        .map((term) => term.trim())
        .filter((term) => term !== ''),
    )) {
      const list = groups.get(key) ?? [];
      list.push(post);
      groups.set(key, list);
    }
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const entities: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

/** The first paragraph's text, at most 50 words: what a list shows of a post. */
function summaryOf(html: string): string {
  const paragraph = /<p>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '';
  const text = paragraph
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => entities[entity] ?? entity)
    .replace(/\s+/g, ' ')
    .trim();
  const words = text.split(' ');
  return words.length > 50 ? `${words.slice(0, 50).join(' ')}…` : text;
}

/**
 * The CSS macros returned, each distinct piece once, in the order the posts first used it, sanitized.
 * A renderer that does not return CSS yet (before the runtime's `css` results) contributes none.
 */
function macroCss(rendered: readonly RenderedPost[]): string[] {
  const seen = new Set<string>();
  for (const post of rendered) {
    const css = (post as RenderedPost & { css?: string | readonly string[] }).css;
    for (const piece of typeof css === 'string' ? [css] : (css ?? [])) {
      if (piece.trim() !== '') seen.add(piece);
    }
  }
  return [...seen].map(sanitizeCss);
}

function dedupeFailures(failures: readonly RecordedFailure[]): RecordedFailure[] {
  const seen = new Set<string>();
  return failures.filter((failure) => {
    const key = JSON.stringify([
      failure.item.script.id,
      failure.item.context.macro,
      failure.item.context.params,
      failure.item.context.args,
    ]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sameCall(
  call: ReturnType<typeof parseMacroDocument>['calls'][number],
  failure: RecordedFailure,
): boolean {
  const { context } = failure.item;
  return (
    call.name === context.macro &&
    JSON.stringify(call.params) === JSON.stringify(context.params) &&
    JSON.stringify(call.args) === JSON.stringify(context.args)
  );
}

/**
 * `value` frozen with every object it holds, as the runtime expects of a post it is given again
 * (site-sync.ts); a getter's value (a post's unread body) is left unread.
 */
function frozenWhole<T extends object>(value: T): T {
  for (const { value: held } of Object.values(Object.getOwnPropertyDescriptors(value)))
    if (typeof held === 'object' && held !== null) frozenWhole(held);
  return Object.freeze(value);
}
