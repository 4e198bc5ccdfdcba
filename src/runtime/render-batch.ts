import type { AbiPost, MacroContext, MacroEnv, MacroValue } from '../core/abi';
import type { BatchExtras, BatchItem, BatchScript, RenderBatch } from './protocol';
import type { SentScripts } from './sent-scripts';
import type { MacroScript, RenderItem } from './types';

export interface EncodedBatch {
  /** The JSON text of the `RenderBatch`. */
  text: string;
  /** Its scripts, in batch order: what the worker holds the code of once the batch has run. */
  scripts: MacroScript[];
}

/**
 * A `RenderBatch` for `items` (contexts already validated): each script, env and
 * post once, however many items share it, and params and args as bare values. Items usually share the very same objects (one post, one
 * env per document), so identity finds the repeats without comparing contents; a script passed as
 * two objects is still sent once, by id and version. A script `held` by the worker goes without its code.
 */
export function encodeRenderBatch(items: readonly RenderItem[], held?: SentScripts): EncodedBatch {
  const scripts = new Indexer<MacroScript>((script) => `${script.id}\0${script.version}`);
  const envs = new Indexer<MacroEnv>();
  const posts = new Indexer<AbiPost>();
  const batchItems = items.map(({ script, context }): BatchItem => {
    const item: BatchItem = [
      scripts.indexOf(script),
      context.macro,
      {},
      [],
      envs.indexOf(context.env),
      posts.indexOf(context.post),
    ];
    const [, , params, args] = item;
    const floatParams: string[] = [];
    const floatArgs: number[] = [];
    for (const [name, tagged] of Object.entries(context.params)) {
      params[name] = tagged.value;
      if (isWholeFloat(tagged)) floatParams.push(name);
    }
    context.args.forEach((tagged, index) => {
      args.push(tagged.value);
      if (isWholeFloat(tagged)) floatArgs.push(index);
    });
    const hasWholeFloats = floatParams.length > 0 || floatArgs.length > 0;
    const extras = contextExtras(context);
    if (hasWholeFloats || extras) item.push(hasWholeFloats ? [floatParams, floatArgs] : null);
    if (extras) item.push(extras);
    return item;
  });
  const batch: RenderBatch = {
    scripts: scripts.values.map((script) => toBatchScript(script, held?.has(script) ?? false)),
    envs: envs.values,
    posts: posts.values,
    items: batchItems,
  };
  return { text: JSON.stringify(batch), scripts: scripts.values };
}

/** The context's optional keys that are set, or undefined when none is. */
function contextExtras({ placement, body, body_html }: MacroContext): BatchExtras | undefined {
  if (placement === undefined && body === undefined && body_html === undefined) return undefined;
  return {
    ...(placement === undefined ? {} : { placement }),
    ...(body === undefined ? {} : { body }),
    ...(body_html === undefined ? {} : { body_html }),
  };
}

function isWholeFloat({ type, value }: MacroValue): boolean {
  return type === 'float' && Number.isInteger(value);
}

function toBatchScript({ id, version, slug, body, entrypoint }: MacroScript, held: boolean): BatchScript {
  const script: BatchScript = { id, version, fileName: scriptFileName(slug), entrypoint };
  if (!held) script.code = body;
  return script;
}

/** How errors and tracebacks name a script. */
export function scriptFileName(slug: string): string {
  return `${slug}.py`;
}

/** Numbers distinct values in order of first appearance: by identity, then by `key` if given. */
class Indexer<T extends object> {
  readonly values: T[] = [];
  readonly #byIdentity = new Map<T, number>();
  readonly #byKey = new Map<string, number>();
  readonly #key: ((value: T) => string) | undefined;

  constructor(key?: (value: T) => string) {
    this.#key = key;
  }

  indexOf(value: T): number {
    const known = this.#byIdentity.get(value);
    if (known !== undefined) return known;
    const key = this.#key?.(value);
    let index = key === undefined ? undefined : this.#byKey.get(key);
    if (index === undefined) {
      index = this.values.push(value) - 1;
      if (key !== undefined) this.#byKey.set(key, index);
    }
    this.#byIdentity.set(value, index);
    return index;
  }
}
