import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { loadPyodide, type PyodideAPI } from 'pyodide';
import {
  type AbiMedia,
  type AbiPost,
  type MacroContext,
  type MacroValue,
  parseMacroContext,
  siteSnapshotSchema,
} from '../../src/core/abi.ts';
import { createMacroEngine, type MacroEngine } from '../../src/runtime/macro-engine.ts';
import type { RenderedItem, WorkerRenderResult } from '../../src/runtime/protocol.ts';
import { encodeRenderBatch } from '../../src/runtime/render-batch.ts';
import { decodeRenderResult } from '../../src/runtime/render-result.ts';
import type { MacroScript, RenderItem } from '../../src/runtime/types.ts';

/** A real Pyodide with the macro engine, as the worker sets it up, and helpers to drive it. */
export interface MacroHarness {
  pyodide: PyodideAPI;
  engine: MacroEngine;
  /** Renders the items as one batch, as the client would send them, and decodes the results as it would. */
  renderBatch(items: RenderItem[]): WorkerRenderResult;
  /** Renders one item; throws if the batch was interrupted. */
  renderOne(script: MacroScript, context: MacroContext): RenderedItem;
  installSite(posts: AbiPost[], media?: AbiMedia[]): void;
}

export async function loadMacroHarness(): Promise<MacroHarness> {
  const indexURL = `${dirname(createRequire(import.meta.url).resolve('pyodide/package.json'))}/`;
  const pyodide = await loadPyodide({ indexURL });
  const engine = createMacroEngine(pyodide);
  const renderBatch = (items: RenderItem[]) =>
    decodeRenderResult(engine.render(encodeRenderBatch(items).text));
  return {
    pyodide,
    engine,
    renderBatch,
    renderOne(script, context) {
      const [item] = renderBatch([{ script, context }]).items;
      if (!item) throw new Error('the render was interrupted');
      return item;
    },
    installSite(posts, media) {
      engine.setSite(JSON.stringify(siteSnapshotSchema.parse(media ? { posts, media } : { posts })));
    },
  };
}

let postNumber = 0;
export function post(status: string, tags: string[]): AbiPost {
  postNumber += 1;
  return {
    id: `p${postNumber}`,
    title: `Post ${postNumber}`,
    slug: `post_${postNumber}`,
    status,
    tags,
    categories: [],
  };
}

export function typed(value: string | number | boolean): MacroValue {
  if (typeof value === 'string') return { type: 'str', value };
  if (typeof value === 'boolean') return { type: 'bool', value };
  return Number.isInteger(value) ? { type: 'int', value } : { type: 'float', value };
}

/** A context for `macro`, validated as the caller would. */
export function context(
  macro: string,
  params: Record<string, MacroValue> = {},
  args: MacroValue[] = [],
  onPost: AbiPost = post('published', []),
): MacroContext {
  const parsed = parseMacroContext({
    macro,
    params,
    args,
    env: { preview: false, language: 'en', base_url: 'https://blog.example/' },
    post: onPost,
  });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}
