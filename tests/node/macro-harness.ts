import type { PyodideAPI } from 'pyodide';
import {
  type AbiMedia,
  type AbiPost,
  type MacroContext,
  type MacroValue,
  parseMacroContext,
  parseMacroResult,
  siteSnapshotSchema,
} from '../../src/core/abi.ts';
import { oversizedCallMessage } from '../../src/core/size-limits.ts';
import { type PythonException, parseMessage, workerRenderAnswerSchema } from '../../src/runtime/protocol.ts';
import type { PythonRunner, ScriptRun } from '../../src/runtime/python-runner.ts';
import { createMacroEngine, type MacroEngine } from '../../src/runtime/python-services.ts';
import { prepareRender, scriptFileName } from '../../src/runtime/render-call.ts';
import type { CallReads, MacroScript, RenderItem } from '../../src/runtime/types.ts';
import { bootSharedPython } from './python-snapshot.ts';

/** One finished call, as the tests read it: its result checked against the ABI as the client does. */
export type RenderedItem = (
  | { kind: 'ok'; html: string; warnings: string[] }
  | { kind: 'exception' | 'invalid-result'; message: string; line?: number; traceback?: string }
) & { pythonMs: number; reads: CallReads; printed?: string };

export interface WorkerRenderResult {
  items: RenderedItem[];
  interrupted: PythonException | null;
}

/** A real Pyodide with the macro engine, as the worker sets it up, and helpers to drive it. */
export interface MacroHarness {
  pyodide: PyodideAPI;
  engine: MacroEngine;
  /**
   * Renders the items as one batch, as the client would send them, and decodes the results as it
   * would: the calls that finished, in the order of `items`.
   */
  renderBatch(items: RenderItem[]): WorkerRenderResult;
  /** Renders one item; throws if the batch was interrupted. */
  renderOne(script: MacroScript, context: MacroContext): RenderedItem;
  installSite(posts: AbiPost[], media?: AbiMedia[]): void;
}

export async function loadMacroHarness(): Promise<MacroHarness> {
  const pyodide = await bootSharedPython();
  const engine = createMacroEngine(pyodide);
  const renderBatch = (items: RenderItem[]): WorkerRenderResult => {
    const { request, sent } = prepareRender(items);
    const { results: texts } = parseMessage(
      workerRenderAnswerSchema,
      { results: engine.render(request.batch), heapBytes: 0 },
      'answer',
    );
    const results = texts.map((part) => {
      if ('unreadable' in part) throw new Error(part.unreadable);
      return part;
    });
    // The request holds a batch per script; the finished calls go back in the order of `items`.
    const finished = new Map<number, RenderedItem>();
    const answers = results.flatMap(({ items: answered, reads }, part) =>
      answered.map((item, position) => ({ item, reads: reads[item.reads]!, index: sent[part]![position]! })),
    );
    answers.forEach(({ item, reads, index }) => {
      const common = {
        pythonMs: item.pythonNs / 1e6,
        reads,
        ...(item.printed === undefined ? {} : { printed: item.printed }),
      };
      if (item.kind === 'raised') {
        const line = item.line === null ? {} : { line: item.line };
        finished.set(index, {
          kind: 'exception',
          message: item.message,
          traceback: item.traceback,
          ...line,
          ...common,
        });
        return;
      }
      const fileName = scriptFileName(items[index]!.script.slug);
      if (item.kind === 'oversized') {
        finished.set(index, {
          kind: 'invalid-result',
          message: oversizedCallMessage(fileName, item.size),
          ...common,
        });
        return;
      }
      const result = parseMacroResult(item.result, fileName);
      finished.set(
        index,
        result.ok
          ? { kind: 'ok', ...result.value, ...common }
          : { kind: 'invalid-result', message: result.error, ...common },
      );
    });
    return {
      interrupted: results.find((part) => part.interrupted !== null)?.interrupted ?? null,
      items: [...finished.keys()].sort((a, b) => a - b).map((index) => finished.get(index)!),
    };
  };
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
      engine.updateSite({ snapshot: siteSnapshotSchema.parse(media ? { posts, media } : { posts }) });
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

/** Runs a utility with `runner`, and keeps all it printed, in order. */
export function runCollectingOutput(runner: PythonRunner, script: Omit<ScriptRun, 'onOutput'>) {
  let printed = '';
  const result = runner.run({
    ...script,
    onOutput: (chunks) => {
      printed += chunks.map((chunk) => chunk.text).join('');
    },
  });
  return { result, printed };
}
