import type { AbiMedia, AbiPost, MacroContext, MacroEnv } from '../core/abi';
import { withMacroAliases } from '../core/macro-aliases';
import { checkArguments, type MacroDeclaration, readMacroDeclaration } from '../core/macro-params';
import { blockElementIn } from '../core/macro-placement';
import { type PlacedMacroCall, parseMacroDocument } from '../core/markdown-macros';
import type { Post } from '../core/post';
import { type Script, withoutFileName } from '../core/script';
import type { PythonRuntime, RenderFailure, RenderItem, RenderOutcome } from '../runtime/types';
import { sanitizeCss } from './sanitize-css';
import type { HtmlSanitizer } from './sanitize-html';

/** The worker side of rendering: every macro of a post in one round trip. */
export type MacroBatchRunner = Pick<PythonRuntime, 'renderMany'>;

export interface SiteContext {
  /** All scripts of the project; a macro resolves to the enabled macro script whose slug is its name. */
  scripts: readonly Script[];
  env: MacroEnv;
  /**
   * Names the data behind `from pymark import site`: a result of a call that read it is reused only
   * while the name stays the same (site-data.ts changes it only when the data changed).
   */
  dataVersion: string;
  /** The project's images, newest first; each post's context carries those linked to it. */
  media?: readonly AbiMedia[];
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

/** A remembered result, and what it was made from beyond the script and the arguments in its key. */
interface MemoEntry {
  outcome: RenderOutcome;
  /** The post's keys the call read (null: all of it), and their values then (`postFacts`). */
  postKeys: string[] | null;
  post: string;
  /** The site data's name, when the call read it. */
  siteVersion?: string;
}

/**
 * The one renderer: Markdown through markdown-it, the macros of the post to the worker in one
 * `renderMany` per nesting level (one in all for a post without paired calls), deepest first so a
 * paired call gets its body's HTML, sanitized results spliced in. The live preview and site
 * generation both call it.
 *
 * Results are memoized by script version, typed arguments, placement and body, and reused while
 * what the call read stays the same: the keys of its post it read and, if it read `pymark.site`, the
 * site data. So an autosave, which changes the post's `updated_at` and the site data, re-runs only
 * the macros that read them. A failure is remembered too (a looping macro must not re-run on every
 * keystroke) until its script or arguments change; only a cancelled or crashed call is tried again.
 */
export class PostRenderer {
  /** By script version and arguments: the results made from different posts or site data. */
  readonly #memo = new Map<string, MemoEntry[]>();

  constructor(
    private readonly runner: MacroBatchRunner,
    private readonly sanitize: HtmlSanitizer,
    private readonly memoLimit = defaultMemoLimit,
  ) {}

  /** `signal`: a newer render made this one moot (its calls stop, or never start). */
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

    // Inner calls first: a paired call's context carries its body's HTML with them in place.
    const outputs: string[] = [];
    const css = new Set<string>();
    const macroOutputs: MacroOutput[] = [];
    const printedBy = new Set<string>();
    let executed = 0;
    for (const level of levelsDeepestFirst(document.calls)) {
      const keys = new Map<number, string>();
      const pending = new Map<string, RenderItem>();
      for (const index of level) {
        const call = document.calls[index]!;
        const script = macros.get(call.name.toLowerCase());
        if (!script) continue;
        const context = this.contextFor(call, site.env, abiPost, () =>
          document.renderBody(index, (_, inner) => outputs[inner]!),
        );
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
      for (const index of level) {
        const call = document.calls[index]!;
        const key = keys.get(index);
        const response =
          key === undefined ? undefined : (fresh.get(key) ?? this.#recall(key, abiPost, site)?.outcome);
        outputs[index] = this.outputFor(call, macros.get(call.name.toLowerCase()), response, {
          scripts: site.scripts,
          warnings,
          css,
          macroOutputs,
          printedBy,
          key,
          written: () =>
            asWritten(call, () => this.sanitize(document.renderBody(index, (_, inner) => outputs[inner]!))),
        });
      }
    }
    const html = document.render((_, index) => outputs[index]!);
    warnings.sort((a, b) => a.line - b.line || a.column - b.column);
    return {
      body: post.body,
      html,
      warnings,
      css: [...css],
      macroOutputs,
      macroCount: document.calls.length,
      executed,
    };
  }

  private contextFor(
    call: PlacedMacroCall,
    env: MacroEnv,
    post: AbiPost,
    bodyHtml: () => string,
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
    return { ...context, body: call.body.source, body_html: this.sanitize(bodyHtml()) };
  }

  /**
   * Runs the calls not in the memo in one batch. What is not remembered (a cancelled or crashed
   * call) is kept for this render only.
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
    const responses = await this.runner.renderMany(items, signal);
    [...pending.keys()].forEach((key, index) => {
      const response = responses[index] ?? missingOutcome(items[index]);
      const outcome = response.ok ? sanitizedOutput(response, this.sanitize) : response;
      fresh.set(key, outcome);
      if (outcome.ok || (outcome.kind !== 'cancelled' && outcome.kind !== 'worker-failed'))
        this.remember(key, memoEntry(outcome, post, site));
    });
    return fresh;
  }

  /** A call's HTML in the page, with its warnings added to `into.warnings` and its styles to `into.css`. */
  private outputFor(
    call: PlacedMacroCall,
    script: Script | undefined,
    response: RenderOutcome | undefined,
    into: {
      scripts: readonly Script[];
      warnings: RenderWarning[];
      css: Set<string>;
      macroOutputs: MacroOutput[];
      /** The memo keys whose print is already listed: identical calls share one result and one print. */
      printedBy: Set<string>;
      /** This call's memo key. */
      key: string | undefined;
      /** The call as written, escaped, a paired call's body rendered in it: to show it marked. */
      written: () => string;
    },
  ): string {
    const at = callSpan(call);
    const warn = (message: string, kind?: RenderWarning['kind']) =>
      into.warnings.push({ message, ...at, ...(kind ? { kind } : {}) });
    if (!script) {
      warn(whyUnknown(call, into.scripts));
      return unknownMacro(call, into.scripts, into.written());
    }
    if (!response) return macroError(call, script, missingOutcome(undefined));
    const named = (message: string) => namingScript(message, script.slug, call.name);
    const declaration = declarationOf(script);
    if (declaration) for (const message of checkArguments(call.name, call.params, declaration)) warn(message);
    // What a macro prints is for its author: shown where the call is, never in the page.
    const firstPrint = into.key === undefined || !into.printedBy.has(into.key);
    if (response.printed && firstPrint) {
      if (into.key !== undefined) into.printedBy.add(into.key);
      warn(`${script.slug}.py printed: ${response.printed}`, 'print');
    }
    if (!response.ok) {
      warn(named(response.message), 'error');
      return macroError(call, script, response);
    }
    for (const message of response.warnings) warn(named(message));
    if (response.css) into.css.add(response.css);
    into.macroOutputs.push({ macro: script.slug, line: at.line, column: at.column, html: response.html });
    const block = call.placement === 'inline' ? blockElementIn(response.html) : undefined;
    if (block === undefined) return response.html;
    // A block inside <p> would end the paragraph early and leave the rest of it outside.
    const message = `[[${call.name}]] returned a block (<${block}>) inside a paragraph: put the call on a line of its own`;
    warn(message);
    return placementProblem(message, into.written());
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
    const entry = this.#memo
      .get(key)
      ?.find(
        (kept) =>
          (kept.siteVersion === undefined || kept.siteVersion === site.dataVersion) &&
          postFacts(post, kept.postKeys) === kept.post,
      );
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
  const reads = outcome.reads ?? { site: false, post: [] };
  return {
    outcome,
    postKeys: reads.post,
    post: postFacts(post, reads.post),
    ...(reads.site ? { siteVersion: site.dataVersion } : {}),
  };
}

/** The values of `post`'s `keys` (all of it for null), as one comparable text. */
function postFacts(post: AbiPost, keys: readonly string[] | null): string {
  if (keys === null) return JSON.stringify(post);
  return JSON.stringify(keys.map((key) => (post[key] === undefined ? [] : [post[key]])));
}

/** A macro's output made safe to splice in: its HTML, and its styles when it has any. */
function sanitizedOutput(output: RenderOutcome & { ok: true }, sanitize: HtmlSanitizer): RenderOutcome {
  const { css, ...rest } = output;
  const safe = { ...rest, html: sanitize(output.html) };
  const safeCss = css === undefined ? '' : sanitizeCss(css).trim();
  return safeCss ? { ...safe, css: safeCss } : safe;
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
function asWritten(call: PlacedMacroCall, bodyHtml: () => string): string {
  if (call.body === undefined) return escapeHtml(call.source);
  return `${escapeHtml(call.source)}${bodyHtml()}${escapeHtml(`[[/${call.name}]]`)}`;
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
    `<strong>${escapeHtml(where)}</strong>: ${escapeHtml(withoutFileName(failure.message, `${script.slug}.py`))}</${tag}>`
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
