import type { AbiPost, MacroContext, MacroEnv, MacroValue } from '../core/abi';
import { type MacroDeclaration, type MacroParam, readMacroDeclaration } from '../core/macro-params';
import { scanMacroAt } from '../core/macro-syntax';
import type { MacroPlacement } from '../core/markdown-macros';
import type { Post } from '../core/post';
import type { Script } from '../core/script';
import type { MacroScript, RenderOutcome } from '../runtime/types';

/*
 * Try a macro: its render() called with parameters from a small form, outside any post, and what
 * came of it shown three ways: the sanitized HTML as a post would show it, the raw HTML the macro
 * returned, and what it printed. The form is built from the macro's declaration (PARAMS); a macro
 * without one takes its parameters written as in a call.
 */

export interface MacroTrialDeps {
  renderMacro(script: MacroScript, context: MacroContext): Promise<RenderOutcome>;
  sanitize(html: string): string | Promise<string>;
  /** A body's Markdown as HTML, its macros rendered, as a paired call's `body_html` would be. */
  renderBody(markdown: string): Promise<string>;
}

/** What the form holds: a field per declared parameter (empty: not passed), or the parameters as written. */
export interface TrialInput {
  readonly fields: Readonly<Record<string, string | boolean>>;
  /** For a macro that declares no parameters: `a=1 b="x"`, as in a call. */
  readonly written: string;
  readonly placement: MacroPlacement;
  readonly body: string;
}

export type TrialResult =
  | {
      readonly ok: true;
      readonly html: string;
      readonly rawHtml: string;
      readonly printed: string;
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly message: string; readonly printed: string };

/** The sample the macro renders for: a draft post, in a preview. */
const samplePost: AbiPost = {
  id: '00000000-0000-4000-8000-000000000000',
  title: 'Sample post',
  slug: 'sample-post',
  status: 'draft',
  tags: [],
  categories: [],
};

/** The sample post with `body`, for rendering a tried macro's body as a post would be. */
export function samplePostWith(body: string): Post {
  const at = new Date(0).toISOString();
  return { ...samplePost, status: 'draft', body, createdAt: at, updatedAt: at, publishedAt: null };
}
const sampleEnv: MacroEnv = { preview: true, language: 'en', base_url: '/' };

export class MacroTrial {
  constructor(private readonly deps: MacroTrialDeps) {}

  declarationOf(code: string, entrypoint: string): MacroDeclaration {
    return readMacroDeclaration(code, entrypoint);
  }

  /** Calls the macro (as currently edited: `code`) with the form's input. */
  async try(script: Script, code: string, input: TrialInput): Promise<TrialResult> {
    const declaration = this.declarationOf(code, script.entrypoint);
    const params =
      declaration.params === null
        ? writtenParams(script.slug, input.written)
        : fieldParams(declaration.params, input.fields);
    if (!params.ok) return { ok: false, message: params.message, printed: '' };
    const context: MacroContext = {
      macro: script.slug,
      params: params.value,
      args: [],
      env: sampleEnv,
      post: samplePost,
      placement: input.placement,
    };
    if (declaration.takesBody) {
      context.body = input.body;
      context.body_html = await this.deps.sanitize(await this.deps.renderBody(input.body));
    }
    const outcome = await this.deps.renderMacro({ ...script, body: code }, context);
    const printed = outcome.printed ?? '';
    if (!outcome.ok) {
      const where = outcome.line === undefined ? '' : ` (line ${outcome.line})`;
      return { ok: false, message: `${outcome.message}${where}`, printed };
    }
    return {
      ok: true,
      html: await this.deps.sanitize(outcome.html),
      rawHtml: outcome.html,
      printed,
      warnings: outcome.warnings,
    };
  }
}

type ParamsRead = { ok: true; value: Record<string, MacroValue> } | { ok: false; message: string };

/** Typed values from the form: an empty field is a parameter not passed. */
function fieldParams(declared: readonly MacroParam[], fields: TrialInput['fields']): ParamsRead {
  const params: Record<string, MacroValue> = {};
  for (const param of declared) {
    const field = fields[param.name];
    if (field === undefined || field === '') continue;
    if (typeof field === 'boolean') {
      params[param.name] = { type: 'bool', value: field };
      continue;
    }
    const typed = typeField(param, field);
    if (typed === undefined) {
      return { ok: false, message: `${param.name} must be ${param.types.join(' or ')}: "${field}" is not` };
    }
    params[param.name] = typed;
  }
  return { ok: true, value: params };
}

function typeField(param: MacroParam, text: string): MacroValue | undefined {
  if (param.types.length === 0 || param.types.includes('str')) return { type: 'str', value: text };
  if (param.types.includes('int') && /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) {
    return { type: 'int', value: Number(text) };
  }
  // Finite, as ABI v1 requires (the page does not check a context's params again before rendering).
  if (param.types.includes('float') && /^-?\d+(\.\d+)?$/.test(text) && Number.isFinite(Number(text)))
    return { type: 'float', value: Number(text) };
  if (param.types.includes('bool') && (text === 'true' || text === 'false'))
    return { type: 'bool', value: text === 'true' };
  return undefined;
}

/** Parameters written as in a call, read by the same scanner as a post's calls. */
function writtenParams(name: string, written: string): ParamsRead {
  const call = `[[${name} ${written}]]`;
  const scan = scanMacroAt(call, 0);
  if (scan === null) return { ok: false, message: `${name} cannot be called: [[${name}]] reads as text` };
  if (!scan.ok) return { ok: false, message: scan.problem.message };
  return { ok: true, value: { ...scan.macro.params } };
}
