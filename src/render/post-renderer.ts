import type { AbiMedia, AbiPost, MacroContext, MacroEnv } from '../core/abi';
import { withMacroAliases } from '../core/macro-aliases';
import { checkArguments, type MacroDeclaration, readMacroDeclaration } from '../core/macro-params';
import { blockElementIn } from '../core/macro-placement';
import { type PlacedMacroCall, parseMacroDocument } from '../core/markdown-macros';
import type { Post } from '../core/post';
import { type Script, withoutFileName } from '../core/script';
import {
  formatCount,
  macroResultSize,
  oversizedCallMessage,
  shortenText,
  sizeLimits,
} from '../core/size-limits';
import type { PythonRuntime, RenderFailure, RenderItem, RenderOutcome } from '../runtime/types';
import { type BatchSanitizer, inPlace } from './batch-sanitizer';
import { sanitizeCss } from './sanitize-css';
import type { HtmlSanitizer } from './sanitize-html';
import {
  bothSiteReads,
  type SiteReads,
  type SiteVersionEntry,
  type SiteVersions,
  siteVersionEntry,
  siteVersionHolds,
} from './site-versions';

/** The worker side of rendering: every macro of a post in one round trip. */
export type MacroBatchRunner = Pick<PythonRuntime, 'renderMany'>;

/**
 * What a post is rendered with. Its `SiteVersions` name the data behind `from pymark import site`: a
 * result of a call that read some of it is reused only while those parts keep their names
 * (site-data.ts and the site build name them, and change a name only when its part changed).
 */
export interface SiteContext extends SiteVersions {
  /** All scripts of the project; a macro resolves to the enabled macro script whose slug is its name. */
  scripts: readonly Script[];
  env: MacroEnv;
  /** The project's images, newest first; each post's context carries those linked to it. */
  media?: readonly AbiMedia[];
  /**
   * How a call that reaches no macro shows: `marked` (the default, the preview) wraps its text in a
   * `pymark-macro-unknown` element with the reason; `text` keeps the text as written, as the reference
   * app's built pages do. Either way the call gets a warning.
   */
  unknownMacros?: 'marked' | 'text';
}

export interface RenderWarning {
  message: string;
  /**
   * A macro call that failed (`error`), or what a macro printed (`print`, for its author: at the call
   * that ran it, once however many identical calls reused the result); absent: a warning.
   */
  kind?: 'error' | 'print';
  line: number;
  column: number;
  /** Just past the macro call the warning is about, when the call is on one line. */
  endColumn?: number;
}

export interface RenderedPost {
  /** The Markdown this was rendered from: warnings point into it, and only into it. */
  body: string;
  html: string;
  /** By line and column. */
  warnings: RenderWarning[];
  /**
   * The styles the post's macros returned (ABI v1.1), sanitized, each distinct text once, in the
   * order of the calls: for a page to include once, beside `html`.
   */
  css: string[];
  /** Macro calls in the post, and how many of them had to run (the rest came from the memo). */
  macroCount: number;
  executed: number;
  /**
   * The names of the macros the post calls (lower case, each once), known or not: what a site build
   * records of a post, so a later change to one of those scripts re-renders it.
   */
  macroNames?: string[];
  /** The parts of the site data the macro results in `html` read, together (null: all of it, or one did not say). */
  siteReads?: SiteReads;
  /**
   * What each successful macro call put into `html`, with where the call is: the preview names the
   * macro behind a request its policy blocked (`blockedRequestWarning`). Absent: nothing to name.
   */
  macroOutputs?: MacroOutput[];
}

export interface MacroOutput {
  /** The script's slug. */
  macro: string;
  line: number;
  column: number;
  html: string;
}

/** The ABI's view of a post: its front matter as plain data, without the body. */
export function toAbiPost(post: Post): AbiPost {
  return {
    id: post.id,
    title: post.title,
    slug: post.slug,
    status: post.status,
    tags: [...post.tags],
    categories: [...post.categories],
    created_at: post.createdAt,
    updated_at: post.updatedAt,
    published_at: post.publishedAt,
  };
}

/** The post with the images linked to it, when the site has any: an additive field of ABI v1. */
export function withLinkedMedia(post: AbiPost, media: readonly AbiMedia[] | undefined): AbiPost {
  if (media === undefined) return post;
  return { ...post, media: media.filter((item) => item.linked_post_ids.includes(post.id)) };
}

/**
 * Enough for every macro result of a site of a few thousand posts, so re-rendering the whole site
 * reuses them; at a few hundred bytes to a few kilobytes each, that is tens of megabytes at worst.
 */
const defaultMemoLimit = 20_000;

/**
 * What a remembered result was made from beyond the script and the arguments in its key: the post's
 * keys the call read (null: all of it) and their values then (`postFacts`), and the parts of the site
 * data it read with their names then. The preview's memo and the site build's (macro-batcher.ts)
 * keep these, so a result is reused on the same terms.
 */
export interface MemoTerms extends SiteVersionEntry {
  postKeys: string[] | null;
  post: string;
}

/**
 * The terms of a result whose call read `reads` of `post` (null: all of it) and of the site data
 * named by `site` (null: all of it).
 */
export function memoTerms(
  reads: { site: SiteReads; post: string[] | null },
  post: AbiPost,
  site: SiteVersions,
): MemoTerms {
  return { postKeys: reads.post, post: postFacts(post, reads.post), ...siteVersionEntry(reads.site, site) };
}

/** Whether a result remembered on `terms` holds for `post` and the site data named by `site`. */
export function memoTermsHold(terms: MemoTerms, post: AbiPost, site: SiteVersions): boolean {
  return siteVersionHolds(terms, site) && postFacts(post, terms.postKeys) === terms.post;
}

/** A remembered result, with what it was made from. */
interface MemoEntry extends MemoTerms {
  outcome: RenderOutcome;
}

/**
 * The one renderer: Markdown through markdown-it, the macros of the post to the worker in one
 * `renderMany` per nesting level (one in all for a post without paired calls), deepest first so a
 * paired call gets its body's HTML, sanitized results spliced in. The live preview and site
 * generation both call it.
 *
 * Results are memoized by script version, typed arguments, placement and body, and reused while
 * what the call read stays the same: the keys of its post it read and the parts of `pymark.site` it
 * read. So an autosave, which changes the post's `updated_at` in it and in the site data, re-runs
 * only the macros that read that. A failure is remembered too (a looping macro must not re-run on every
 * keystroke) until its script or arguments change; only a cancelled or crashed call is tried again.
 */
export class PostRenderer {
  /** By script version and arguments: the results made from different posts or site data. */
  readonly #memo = new Map<string, MemoEntry[]>();

  readonly #sanitizer: BatchSanitizer;

  /** `sanitizer`: the app passes one that works off the page thread; a plain function runs in place. */
  constructor(
    private readonly runner: MacroBatchRunner,
    sanitizer: HtmlSanitizer | BatchSanitizer,
    private readonly memoLimit = defaultMemoLimit,
  ) {
    this.#sanitizer = typeof sanitizer === 'function' ? inPlace(sanitizer) : sanitizer;
  }

  /**
   * `signal`: a newer render made this one moot. Its macro calls still waiting for the worker are
   * dropped (they end as `cancelled`, not remembered); a call the worker already has finishes, and
   * its results are memoized for the newer render.
   */
  async renderPost(post: Post, site: SiteContext, signal?: AbortSignal): Promise<RenderedPost> {
    const macros = resolveMacros(site.scripts);
    const document = parseMacroDocument(post.body, {
      takesBody: (name) => declarationOf(macros.get(name.toLowerCase()))?.takesBody ?? false,
    });
    const warnings: RenderWarning[] = document.warnings.map(({ message, line, column }) => ({
      message,
      line,
      column,
    }));
    const abiPost = withLinkedMedia(toAbiPost(post), site.media);

    // Calls past the limit are not run. The calls are in the order they appear, and a paired call's
    // inner calls come after it, so nothing inside a call that does not run runs either.
    const runnable = Math.min(document.calls.length, sizeLimits.macroCallsPerPost);
    const firstRefused = document.calls[runnable];
    if (firstRefused)
      warnings.push({
        message: tooManyCalls(firstRefused, document.calls.length),
        ...callSpan(firstRefused),
      });

    // Inner calls first: a paired call's context carries its body's HTML with them in place.
    const outputs: string[] = [];
    const into: OutputSink = {
      scripts: site.scripts,
      unknownMacros: site.unknownMacros ?? 'marked',
      warnings,
      css: new Set<string>(),
      macroOutputs: [],
      printedBy: new Set<string>(),
      htmlLeft: sizeLimits.macroHtmlPerPost,
    };
    const renderBody = (index: number) => document.renderBody(index, (_, inner) => outputs[inner]!);
    let executed = 0;
    let siteReads: SiteReads = [];
    for (const level of levelsDeepestFirst(document.calls)) {
      for (const index of level.filter((index) => index >= runnable)) {
        const call = document.calls[index]!;
        // Nothing a macro returned is inside (see above), and Markdown's own HTML is escaped.
        outputs[index] = asWritten(call, call.body === undefined ? '' : renderBody(index));
      }
      const running = level.filter((index) => index < runnable);
      const bodies = await this.sanitizeBodies(running, document.calls, renderBody);
      const keys = new Map<number, string>();
      const pending = new Map<string, RenderItem>();
      for (const index of running) {
        const call = document.calls[index]!;
        const script = macros.get(call.name.toLowerCase());
        if (!script) continue;
        const context = contextFor(call, site.env, abiPost, bodies.get(index));
        const key = `${script.id}@${script.version}|${JSON.stringify([
          call.name,
          context.params,
          context.args,
          site.env,
          context.placement,
          context.body,
          context.body_html,
        ])}`;
        keys.set(index, key);
        if (!this.#recall(key, abiPost, site)) pending.set(key, { script, context });
      }
      const fresh = await this.runPending(pending, abiPost, site, signal);
      executed += pending.size;
      for (const index of running) {
        const call = document.calls[index]!;
        const key = keys.get(index);
        const response =
          key === undefined ? undefined : (fresh.get(key) ?? this.#recall(key, abiPost, site)?.outcome);
        if (response?.ok) siteReads = bothSiteReads(siteReads, response.reads?.site ?? null);
        outputs[index] = this.outputFor(
          call,
          macros.get(call.name.toLowerCase()),
          response,
          bodies.get(index) ?? '',
          key,
          into,
        );
      }
    }
    const html = document.render((_, index) => outputs[index]!);
    warnings.sort((a, b) => a.line - b.line || a.column - b.column);
    return {
      body: post.body,
      html,
      warnings,
      css: [...into.css],
      macroOutputs: into.macroOutputs,
      macroCount: document.calls.length,
      executed,
      macroNames: [...new Set(document.calls.map((call) => call.name.toLowerCase()))],
      siteReads,
    };
  }

  /** The body HTML of each paired call among `indexes`, sanitized in one batch. */
  private async sanitizeBodies(
    indexes: readonly number[],
    calls: readonly PlacedMacroCall[],
    renderBody: (index: number) => string,
  ): Promise<Map<number, string>> {
    const paired = indexes.filter((index) => calls[index]!.body !== undefined);
    if (paired.length === 0) return new Map();
    const htmls = await this.#sanitizer.sanitizeMany(paired.map(renderBody));
    return new Map(paired.map((index, position) => [index, htmls[position]!]));
  }

  /**
   * Runs the calls not in the memo in one batch, and sanitizes what they returned in one batch. What
   * is not remembered (a cancelled or crashed call) is kept for this render only.
   */
  private async runPending(
    pending: ReadonlyMap<string, RenderItem>,
    post: AbiPost,
    site: SiteContext,
    signal: AbortSignal | undefined,
  ): Promise<Map<string, RenderOutcome>> {
    const fresh = new Map<string, RenderOutcome>();
    if (pending.size === 0) return fresh;
    const items = [...pending.values()];
    const responses = await this.runner.renderMany(items, signal, 'queued');
    // An oversized result is refused before any of it is parsed.
    const checked = items.map((item, index) =>
      withinCallLimit(responses[index] ?? missingOutcome(item), item),
    );
    const sanitized = await this.#sanitizer.sanitizeMany(
      checked.flatMap((outcome) => (outcome.ok ? [outcome.html] : [])),
    );
    let next = 0;
    [...pending.keys()].forEach((key, index) => {
      const response = checked[index]!;
      const outcome = response.ok ? withSafeCss({ ...response, html: sanitized[next++]! }) : response;
      fresh.set(key, outcome);
      if (outcome.ok || (outcome.kind !== 'cancelled' && outcome.kind !== 'worker-failed'))
        this.remember(key, memoEntry(outcome, post, site));
    });
    return fresh;
  }

  /** A call's HTML in the page, with its warnings, styles and output added to `into`. */
  private outputFor(
    call: PlacedMacroCall,
    script: Script | undefined,
    response: RenderOutcome | undefined,
    /** A paired call's body, rendered and sanitized ('' for a single call). */
    bodyHtml: string,
    /** This call's memo key. */
    key: string | undefined,
    into: OutputSink,
  ): string {
    const at = callSpan(call);
    const written = asWritten(call, bodyHtml);
    const warn = (message: string, kind?: RenderWarning['kind']) =>
      into.warnings.push({ message: shortened(message), ...at, ...(kind ? { kind } : {}) });
    if (!script) {
      warn(whyUnknown(call, into.scripts));
      if (into.unknownMacros === 'text') return asText(call, bodyHtml);
      return unknownMacro(call, into.scripts, written);
    }
    if (!response) return macroError(call, script, missingOutcome(undefined));
    const named = (message: string) => namingScript(message, script.slug, call.name);
    const declaration = declarationOf(script);
    if (declaration) for (const message of checkArguments(call.name, call.params, declaration)) warn(message);
    // What a macro prints is for its author: shown where the call is, never in the page.
    const firstPrint = key === undefined || !into.printedBy.has(key);
    if (response.printed && firstPrint) {
      if (key !== undefined) into.printedBy.add(key);
      warn(`${script.slug}.py printed: ${response.printed}`, 'print');
    }
    if (!response.ok) {
      warn(named(response.message), 'error');
      return macroError(call, script, response);
    }
    if (response.html.length > into.htmlLeft) {
      const failure = overPostLimit(script);
      warn(failure.message, 'error');
      return macroError(call, script, failure);
    }
    into.htmlLeft -= response.html.length;
    for (const message of response.warnings) warn(named(message));
    if (response.css) into.css.add(response.css);
    into.macroOutputs.push({ macro: script.slug, line: at.line, column: at.column, html: response.html });
    const block = call.placement === 'inline' ? blockElementIn(response.html) : undefined;
    if (block === undefined) return response.html;
    // A block inside <p> would end the paragraph early and leave the rest of it outside.
    const message = `[[${call.name}]] returned a block (<${block}>) inside a paragraph: put the call on a line of its own`;
    warn(message);
    return placementProblem(message, written);
  }

  /** Forgets everything, e.g. after the runtime was replaced. */
  clear(): void {
    this.#memo.clear();
  }

  private remember(key: string, entry: MemoEntry): void {
    // A newer result for the same inputs replaces the older; one made from other inputs joins it.
    const others = (this.#memo.get(key) ?? []).filter(
      (kept) => kept.post !== entry.post || kept.siteVersion !== entry.siteVersion,
    );
    this.#memo.delete(key);
    this.#memo.set(key, [entry, ...others].slice(0, maxEntriesPerCall));
    if (this.#memo.size > this.memoLimit) {
      const oldest = this.#memo.keys().next().value;
      if (oldest !== undefined) this.#memo.delete(oldest);
    }
  }

  /** The remembered result for `key` that still holds for this post and site data, if any. */
  #recall(key: string, post: AbiPost, site: SiteContext): MemoEntry | undefined {
    const entry = this.#memo.get(key)?.find((kept) => memoTermsHold(kept, post, site));
    if (entry) {
      // Least recently used goes first: re-inserting moves the key to the end.
      const entries = this.#memo.get(key)!;
      this.#memo.delete(key);
      this.#memo.set(key, entries);
    }
    return entry;
  }
}

/** Results kept per script version and arguments, e.g. for as many posts that call it alike. */
const maxEntriesPerCall = 64;

/**
 * What `outcome` depends on beyond its script and arguments. A call that ran to an end says what it
 * read; one that did not (it ran past its time limit) is remembered until its script or arguments
 * change, so a looping macro is not run again on every keystroke.
 */
function memoEntry(outcome: RenderOutcome, post: AbiPost, site: SiteContext): MemoEntry {
  return { outcome, ...memoTerms(outcome.reads ?? { site: [], post: [] }, post, site) };
}

/** The values of `post`'s `keys` (all of it for null), as one comparable text. */
function postFacts(post: AbiPost, keys: readonly string[] | null): string {
  if (keys === null) return JSON.stringify(post);
  return JSON.stringify(keys.map((key) => (post[key] === undefined ? [] : [post[key]])));
}

function contextFor(
  call: PlacedMacroCall,
  env: MacroEnv,
  post: AbiPost,
  bodyHtml: string | undefined,
): MacroContext {
  const context: MacroContext = {
    macro: call.name,
    params: { ...call.params },
    args: [...call.args],
    env,
    post,
    placement: call.placement,
  };
  if (call.body === undefined) return context;
  return { ...context, body: call.body.source, body_html: bodyHtml ?? '' };
}

/** What the calls of one render add up to, beside their HTML. */
interface OutputSink {
  scripts: readonly Script[];
  unknownMacros: 'marked' | 'text';
  warnings: RenderWarning[];
  css: Set<string>;
  macroOutputs: MacroOutput[];
  /** The memo keys whose print is already listed: identical calls share one result and one print. */
  printedBy: Set<string>;
  /** How many more characters of HTML the post's macros may return (`sizeLimits.macroHtmlPerPost`). */
  htmlLeft: number;
}

/** A macro's output with its styles made safe to gather, when it has any; its HTML is sanitized apart. */
function withSafeCss(output: RenderOutcome & { ok: true }): RenderOutcome {
  const { css, ...rest } = output;
  const safeCss = css === undefined ? '' : sanitizeCss(css).trim();
  return safeCss ? { ...rest, css: safeCss } : rest;
}

/** `outcome`, or a refusal naming the script when its HTML, CSS and warnings are over the limit per call. */
function withinCallLimit(outcome: RenderOutcome, item: RenderItem): RenderOutcome {
  if (!outcome.ok) return outcome;
  const script = `${item.script.slug}.py`;
  const size = macroResultSize(outcome);
  if (size <= sizeLimits.macroHtmlPerCall) return outcome;
  const { printed, reads } = outcome;
  return {
    ok: false,
    kind: 'invalid-result',
    script,
    message: oversizedCallMessage(script, size),
    ...(printed === undefined ? {} : { printed }),
    ...(reads === undefined ? {} : { reads }),
  };
}

function overPostLimit(script: Script): RenderFailure {
  return {
    ok: false,
    kind: 'invalid-result',
    script: `${script.slug}.py`,
    message:
      `${script.slug}.py: not shown: the macros of this post returned more than the ` +
      `${formatCount(sizeLimits.macroHtmlPerPost)} characters of HTML a post may hold`,
  };
}

function tooManyCalls(first: PlacedMacroCall, total: number): string {
  const after = total - sizeLimits.macroCallsPerPost - 1;
  return (
    `[[${first.name}]] and the ${formatCount(after)} macro calls after it are shown as written, not run: ` +
    `this post has ${formatCount(total)}, and a post may hold ${formatCount(sizeLimits.macroCallsPerPost)}`
  );
}

function shortened(message: string): string {
  return shortenText(message, sizeLimits.shownMessage);
}

/**
 * A message about what a macro did, naming its script as a traceback would: `youtube.py: …`. A
 * macro's own `youtube: …` (its call's name, as the built-ins write) becomes the script's name.
 */
function namingScript(message: string, slug: string, callName: string): string {
  if (message.startsWith(`${slug}.py`)) return message;
  const ownPrefix = [slug, callName].map((name) => `${name}: `).find((prefix) => message.startsWith(prefix));
  return `${slug}.py: ${ownPrefix ? message.slice(ownPrefix.length) : message}`;
}

function missingOutcome(item: RenderItem | undefined): RenderFailure {
  const script = item ? `${item.script.slug}.py` : 'macro';
  return {
    ok: false,
    kind: 'worker-failed',
    script,
    message: 'the worker returned no result for this macro',
  };
}

function resolveMacros(scripts: readonly Script[]): Map<string, Script> {
  const macros = new Map<string, Script>();
  for (const script of scripts) {
    if (script.kind === 'macro' && script.enabled) macros.set(script.slug, script);
  }
  return withMacroAliases(macros);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function wrapper(call: PlacedMacroCall): 'div' | 'span' {
  return call.placement === 'block' ? 'div' : 'span';
}

/** Where a warning about `call` points: its `[[`, and its `]]` too when the call is on one line. */
function callSpan(call: PlacedMacroCall): Pick<RenderWarning, 'line' | 'column' | 'endColumn'> {
  const { line, column, source } = call;
  return source.includes('\n') ? { line, column } : { line, column, endColumn: column + source.length };
}

/** The macro's own text stays visible, marked, so nothing the author wrote silently disappears. */
function unknownMacro(call: PlacedMacroCall, scripts: readonly Script[], written: string): string {
  const tag = wrapper(call);
  const title = whyUnknown(call, scripts);
  return `<${tag} class="pymark-macro-unknown" title="${escapeHtml(title)}">${written}</${tag}>`;
}

/** A call's text, escaped; a paired call's with its body's HTML and its closing call, so none of it is lost. */
function asWritten(call: PlacedMacroCall, bodyHtml: string): string {
  if (call.body === undefined) return escapeHtml(call.source);
  return `${escapeHtml(call.source)}${bodyHtml}${escapeHtml(`[[/${call.name}]]`)}`;
}

/**
 * A call's text, escaped, as Markdown would have shown it: a call alone on its line (or a paired
 * call's opening and closing lines) as paragraphs, with a paired call's body rendered between.
 */
function asText(call: PlacedMacroCall, bodyHtml: string): string {
  const line = (text: string) =>
    call.placement === 'block' ? `<p>${escapeHtml(text)}</p>\n` : escapeHtml(text);
  if (call.body === undefined) return line(call.source);
  return `${line(call.source)}${bodyHtml}${line(`[[/${call.name}]]`)}`;
}

/** Why a call reaches no macro: most often a typo, but the script may be of another kind, or disabled. */
function whyUnknown(call: PlacedMacroCall, scripts: readonly Script[]): string {
  const slug = call.name.toLowerCase();
  const script = scripts.find((candidate) => candidate.slug === slug);
  if (script && script.kind !== 'macro')
    return `[[${call.name}]] is not a macro: ${slug}.py is a ${script.kind}`;
  if (script) return `[[${call.name}]] is not called: ${slug}.py is disabled`;
  return `Unknown macro [[${call.name}]]: no macro script is named ${slug}.py`;
}

function macroError(call: PlacedMacroCall, script: Script, failure: RenderFailure): string {
  const tag = wrapper(call);
  const where = failure.line === undefined ? `${script.slug}.py` : `${script.slug}.py, line ${failure.line}`;
  const lineAttribute = failure.line === undefined ? '' : ` data-line="${failure.line}"`;
  return (
    `<${tag} class="pymark-macro-error" role="note" data-open-script="${escapeHtml(script.id)}"${lineAttribute}>` +
    `<strong>${escapeHtml(where)}</strong>: ${escapeHtml(shortened(withoutFileName(failure.message, `${script.slug}.py`)))}</${tag}>`
  );
}

/** The call as written, marked, where its block HTML would have broken the paragraph. */
function placementProblem(message: string, written: string): string {
  return `<span class="pymark-macro-placement" title="${escapeHtml(message)}">${written}</span>`;
}

/** Each script's declaration, read once per version (a new version is a new `Script` object). */
const declarations = new WeakMap<Script, MacroDeclaration>();

function declarationOf(script: Script | undefined): MacroDeclaration | undefined {
  if (script === undefined) return undefined;
  let declaration = declarations.get(script);
  if (declaration === undefined) {
    declaration = readMacroDeclaration(script.body, script.entrypoint);
    declarations.set(script, declaration);
  }
  return declaration;
}

/** Indexes of the calls, grouped by nesting depth, deepest first. */
function levelsDeepestFirst(calls: readonly PlacedMacroCall[]): number[][] {
  const levels: number[][] = [];
  calls.forEach((call, index) => {
    const level = levels[call.depth] ?? [];
    level.push(index);
    levels[call.depth] = level;
  });
  return levels.reverse();
}
