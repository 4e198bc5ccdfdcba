import type { AbiMedia, AbiPost, MacroContext, MacroEnv } from '../core/abi';
import { withMacroAliases } from '../core/macro-aliases';
import { type PlacedMacroCall, parseMacroDocument } from '../core/markdown-macros';
import type { Post } from '../core/post';
import { type Script, withoutFileName } from '../core/script';
import type { PythonRuntime, RenderFailure, RenderItem, RenderOutcome } from '../runtime/types';
import type { HtmlSanitizer } from './sanitize-html';

/** The worker side of rendering: every macro of a post in one round trip. */
export type MacroBatchRunner = Pick<PythonRuntime, 'renderMany'>;

export interface SiteContext {
  /** All scripts of the project; a macro resolves to the enabled macro script whose slug is its name. */
  scripts: readonly Script[];
  env: MacroEnv;
  /** Changes whenever the data behind `from pymark import site` changes, so memoized output goes stale. */
  dataVersion: string;
  /** The project's images, newest first; each post's context carries those linked to it. */
  media?: readonly AbiMedia[];
}

export interface RenderWarning {
  message: string;
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
  /** Macro calls in the post, and how many of them had to run (the rest came from the memo). */
  macroCount: number;
  executed: number;
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
 * The one renderer: Markdown through markdown-it, every macro of the post to the worker in a single
 * `renderMany`, sanitized results spliced in. The live preview and site generation both call it.
 * Results are memoized by script version, typed arguments, the post's front matter and the site
 * data, so a preview re-render only runs the macros whose inputs changed.
 */
export class PostRenderer {
  readonly #memo = new Map<string, RenderOutcome>();

  constructor(
    private readonly runner: MacroBatchRunner,
    private readonly sanitize: HtmlSanitizer,
    private readonly memoLimit = defaultMemoLimit,
  ) {}

  async renderPost(post: Post, site: SiteContext): Promise<RenderedPost> {
    const document = parseMacroDocument(post.body);
    const warnings: RenderWarning[] = document.warnings.map(({ message, line, column }) => ({
      message,
      line,
      column,
    }));
    const macros = resolveMacros(site.scripts);
    const abiPost = withLinkedMedia(toAbiPost(post), site.media);
    const postKey = JSON.stringify(abiPost);

    const keys: (string | undefined)[] = [];
    const pending = new Map<string, RenderItem>();
    for (const call of document.calls) {
      const script = macros.get(call.name.toLowerCase());
      if (!script) {
        keys.push(undefined);
        continue;
      }
      const context: MacroContext = {
        macro: call.name,
        params: { ...call.params },
        args: [...call.args],
        env: site.env,
        post: abiPost,
      };
      const key = `${script.id}@${script.version}|${site.dataVersion}|${postKey}|${JSON.stringify([
        call.name,
        context.params,
        context.args,
        site.env,
      ])}`;
      keys.push(key);
      if (!this.#memo.has(key)) pending.set(key, { script, context });
    }

    // Failures are kept for this render only: a timeout may not repeat, so it must not stick.
    const fresh = new Map<string, RenderOutcome>();
    if (pending.size > 0) {
      const items = [...pending.values()];
      const responses = await this.runner.renderMany(items);
      [...pending.keys()].forEach((key, index) => {
        const response = responses[index] ?? missingOutcome(items[index]);
        if (!response.ok) {
          fresh.set(key, response);
          return;
        }
        const sanitized = { ...response, html: this.sanitize(response.html) };
        fresh.set(key, sanitized);
        this.remember(key, sanitized);
      });
    }

    const html = document.render((call, index) => {
      const key = keys[index];
      const script = macros.get(call.name.toLowerCase());
      const at = callSpan(call);
      if (key === undefined || !script) {
        warnings.push({ message: whyUnknown(call, site.scripts), ...at });
        return unknownMacro(call, site.scripts);
      }
      const response = fresh.get(key) ?? this.recall(key);
      if (!response) return macroError(call, script, missingOutcome(undefined));
      const warn = (message: string) => warnings.push({ message, ...at });
      // What a macro prints is for its author: shown where the call is, never in the page.
      if (response.printed) warn(`${script.slug}.py printed: ${response.printed}`);
      if (!response.ok) {
        const named = response.message.startsWith(`${script.slug}.py`);
        warn(named ? response.message : `${script.slug}.py: ${response.message}`);
        return macroError(call, script, response);
      }
      for (const message of response.warnings) warn(message);
      return response.html;
    });
    warnings.sort((a, b) => a.line - b.line || a.column - b.column);
    return { body: post.body, html, warnings, macroCount: document.calls.length, executed: pending.size };
  }

  /** Forgets everything, e.g. after the runtime was replaced. */
  clear(): void {
    this.#memo.clear();
  }

  private remember(key: string, response: RenderOutcome): void {
    this.#memo.delete(key);
    this.#memo.set(key, response);
    if (this.#memo.size > this.memoLimit) {
      const oldest = this.#memo.keys().next().value;
      if (oldest !== undefined) this.#memo.delete(oldest);
    }
  }

  private recall(key: string): RenderOutcome | undefined {
    const response = this.#memo.get(key);
    if (response) {
      // Least recently used goes first: re-inserting moves the key to the end.
      this.#memo.delete(key);
      this.#memo.set(key, response);
    }
    return response;
  }
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
function unknownMacro(call: PlacedMacroCall, scripts: readonly Script[]): string {
  const tag = wrapper(call);
  const title = whyUnknown(call, scripts);
  return `<${tag} class="pymark-macro-unknown" title="${escapeHtml(title)}">${escapeHtml(call.source)}</${tag}>`;
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
