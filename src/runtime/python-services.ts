import type { PyodideAPI } from 'pyodide';
import type { PyCallable } from 'pyodide/ffi';
import { macroResultSize, sizeLimits } from '../core/size-limits';
import {
  ProtocolError,
  parseMessage,
  type RenderedItem,
  type SiteUpdate,
  scriptCheckSchema,
  type TransformResult,
  type WorkerScript,
  type WorkerTransformRequest,
} from './protocol';
import { interpreterIsolation } from './python-guard';
import { callForDict, pymarkPython } from './python-modules';
import { createPythonRunner } from './python-runner';
import { pythonSite } from './python-site';
import type { ScriptCheck } from './types';

/*
 * What the worker offers, over one booted Pyodide: the page-free halves of each call kind around
 * Pymark's Python modules. Free of worker and DOM APIs, so tests run them under Node with a real
 * Pyodide. Python runs synchronously, so each call blocks the calling thread; the interrupt buffer
 * ends it early. The client checks every answer where it arrives (call-executor.ts).
 */

/** The worker's Python, one service per call kind. */
export function createPythonServices(pyodide: PyodideAPI) {
  return {
    runner: createPythonRunner(pyodide),
    macros: createMacroEngine(pyodide),
    checker: createScriptChecker(pyodide),
    transforms: createTransformEngine(pyodide),
  };
}
export type PythonServices = ReturnType<typeof createPythonServices>;

/**
 * Calls a Python function that takes and returns JSON text, as `script`'s call (python-guard.ts:
 * the interpreter is put back first unless only `script` ran since), after `prepare` if given.
 * KeyboardInterrupt can land outside the function's own handling (e.g. while it parses its input):
 * then the answer is `interrupted`.
 */
function callWithText(
  pyodide: PyodideAPI,
  script: string | undefined,
  fn: PyCallable,
  text: string,
  file: string,
  interrupted: unknown,
  prepare?: () => void,
) {
  const isolation = interpreterIsolation(pyodide);
  isolation.enter(script);
  let answer: unknown;
  try {
    prepare?.();
    answer = fn(text);
  } catch (error) {
    if (!(error instanceof pyodide.ffi.PythonError && error.type === 'KeyboardInterrupt')) throw error;
    return JSON.stringify(interrupted);
  } finally {
    isolation.leave();
  }
  if (typeof answer !== 'string') throw new ProtocolError(`${file} returned no text`);
  return answer;
}

/** The key of syntax checks for python-guard.ts: no script's key (a JSON array) is ever this. */
const syntaxChecks = 'syntax checks';

/** Which script a call runs, for python-guard.ts: its id, version and code. */
function scriptKey({ id, version, code }: WorkerScript): string {
  return JSON.stringify([id, version, code]);
}

interface WireBatch {
  scripts: WorkerScript[];
  calls: { script: number }[];
}

/**
 * The batch as one batch per script, each holding that script's calls alone (the page sends each
 * script's calls together, render-call.ts): the interpreter is put back between them, and no
 * script's batch holds another's source. A batch of one script is passed on as it came.
 */
function batchesPerScript(batch: string): ScriptBatch[] {
  const whole = JSON.parse(batch) as WireBatch;
  if (whole.scripts.length === 1)
    return [{ script: scriptKey(whole.scripts[0]!), batch, calls: whole.calls.length }];
  const parts: ScriptBatch[] = [];
  let start = 0;
  whole.calls.forEach((call, index) => {
    const next = whole.calls[index + 1];
    if (next?.script === call.script) return;
    const script = whole.scripts[call.script]!;
    const calls = whole.calls.slice(start, index + 1).map((each) => ({ ...each, script: 0 }));
    const text = JSON.stringify({ ...whole, scripts: [script], calls });
    parts.push({ script: scriptKey(script), batch: text, calls: calls.length });
    start = index + 1;
  });
  return parts;
}

interface ScriptBatch {
  /** The script's key (`scriptKey`). */
  script: string;
  batch: string;
  calls: number;
}

interface BatchResults {
  items: unknown[];
  interrupted: unknown;
}

/**
 * One script's results, read; if a script broke how its own engine writes them, each of its calls
 * fails, and the other scripts of the batch keep theirs.
 */
function unreadableAsRaised(answer: string, calls: number): BatchResults {
  try {
    return JSON.parse(answer) as BatchResults;
  } catch {
    const message = 'The macro changed the interpreter so that its results could not be read';
    const item = { kind: 'raised', message, line: null, traceback: message, pythonMs: 0, reads: readNothing };
    return { items: Array.from({ length: calls }, () => item), interrupted: null };
  }
}

const readNothing = { site: false, post: [] };

/**
 * Macro calls: `render` renders the calls of `batch` (the JSON text of python/wire.py's `Batch`) and
 * returns the JSON text of its `BatchResults` (→ `interrupted` when the interrupt buffer ends it);
 * `updateSite` installs, replaces or changes the data behind `from pymark import site`.
 */
export function createMacroEngine(pyodide: PyodideAPI) {
  const python = pymarkPython(pyodide);
  const renderBatch = python('_pymark_macro_engine', 'render_batch');
  const site = pythonSite(pyodide);
  const interrupted = {
    items: [],
    interrupted: { message: 'KeyboardInterrupt', line: null, traceback: 'KeyboardInterrupt\n' },
  };
  return {
    updateSite(update: SiteUpdate): void {
      // On the interpreter every script starts from, which then holds it without the drafts.
      site.update(update);
    },
    render(batch: string): string {
      const parts = batchesPerScript(batch);
      const render = ({ script, batch }: (typeof parts)[number]) =>
        callWithText(pyodide, script, renderBatch, batch, 'macro_engine.py', interrupted);
      if (parts.length === 1) return refuseOversized(render(parts[0]!));
      const results: BatchResults = { items: [], interrupted: null };
      for (const part of parts) {
        const answer = unreadableAsRaised(render(part), part.calls);
        results.items = results.items.concat(answer.items);
        results.interrupted = answer.interrupted;
        // KeyboardInterrupt (the time limit) ends the whole batch, not only this script's calls.
        if (answer.interrupted !== null) break;
      }
      return refuseOversized(JSON.stringify(results));
    },
  };
}
export type MacroEngine = ReturnType<typeof createMacroEngine>;

/**
 * The results with each call's result over the per-call limit refused, here in the worker: sending
 * megabytes of HTML to the page only to refuse them there held its thread for hundreds of
 * milliseconds (issue 14). No result can hold more characters than the whole text, so a text under
 * the limit (every batch of ordinary macros) is passed on without being read.
 */
function refuseOversized(results: string): string {
  if (results.length <= sizeLimits.macroHtmlPerCall) return results;
  const { items, ...rest } = JSON.parse(results) as { items: RenderedItem[] };
  const checked = items.map(refusedWhenOversized);
  return checked.every((item, index) => item === items[index])
    ? results
    : JSON.stringify({ ...rest, items: checked });
}

/** The item, or an `oversized` one in its place if its result is over the per-call limit. */
function refusedWhenOversized(item: RenderedItem): RenderedItem {
  if (item.kind !== 'returned') return item;
  const size = macroResultSize(item.result);
  if (size <= sizeLimits.macroHtmlPerCall) return item;
  const { result: _refused, ...rest } = item;
  return { ...rest, kind: 'oversized', size };
}

/**
 * Calls a script's transform on a post (→ `interrupted` when the interrupt buffer ends it). A
 * transform sees the drafts, as a utility does (python-site.ts).
 */
export function createTransformEngine(pyodide: PyodideAPI) {
  const transformPost = pymarkPython(pyodide)('_pymark_transform_engine', 'transform_post');
  const site = pythonSite(pyodide);
  return {
    transform: (request: Omit<WorkerTransformRequest, 'site'>): TransformResult =>
      JSON.parse(
        callWithText(
          pyodide,
          scriptKey(request.script),
          transformPost,
          JSON.stringify(request),
          'transform_engine.py',
          { kind: 'interrupted' },
          site.revealDrafts,
        ),
      ) as TransformResult,
  };
}
export type TransformEngine = ReturnType<typeof createTransformEngine>;

/** What Python's compiler says about a script, without running it. */
export function createScriptChecker(pyodide: PyodideAPI) {
  const checkScript = pymarkPython(pyodide)('_pymark_syntax', 'check_script');
  return {
    check: (code: string, fileName: string): ScriptCheck => {
      // Runs no script's code, so checks in a row share the interpreter; but a script that ran
      // before could have patched compile(), and the text read here is not left for one that runs next.
      interpreterIsolation(pyodide).enter(syntaxChecks);
      return parseMessage(
        scriptCheckSchema,
        callForDict(checkScript, code, fileName),
        'result from script_syntax.py',
      );
    },
  };
}
export type ScriptChecker = ReturnType<typeof createScriptChecker>;
