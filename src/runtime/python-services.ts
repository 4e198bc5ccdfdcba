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
  type WorkerTransformRequest,
} from './protocol';
import { interpreterIsolation } from './python-guard';
import { callForDict, pymarkPython } from './python-modules';
import { createPythonRunner } from './python-runner';
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
 * Calls a Python function that takes and returns JSON text. KeyboardInterrupt can land outside the
 * function's own handling (e.g. while it parses its input): then the answer is `interrupted`.
 */
function callWithText(pyodide: PyodideAPI, fn: PyCallable, text: string, file: string, interrupted: unknown) {
  let answer: unknown;
  try {
    answer = fn(text, interpreterIsolation(pyodide).reset);
  } catch (error) {
    if (!(error instanceof pyodide.ffi.PythonError && error.type === 'KeyboardInterrupt')) throw error;
    return JSON.stringify(interrupted);
  }
  if (typeof answer !== 'string') throw new ProtocolError(`${file} returned no text`);
  return answer;
}

/**
 * Macro calls: `render` renders the calls of `batch` (the JSON text of python/wire.py's `Batch`) and
 * returns the JSON text of its `BatchResults` (→ `interrupted` when the interrupt buffer ends it);
 * `updateSite` installs, replaces or changes the data behind `from pymark import site`.
 */
export function createMacroEngine(pyodide: PyodideAPI) {
  const python = pymarkPython(pyodide);
  const renderBatch = python('_pymark_macro_engine', 'render_batch');
  const installSite = python('_pymark_site', 'install_site_module');
  const applySiteChanges = python('_pymark_site', 'apply_site_changes');
  return {
    updateSite(update: SiteUpdate): void {
      if ('snapshot' in update) installSite(JSON.stringify(update.snapshot));
      else applySiteChanges(JSON.stringify(update.changes));
    },
    render: (batch: string): string =>
      refuseOversized(
        callWithText(pyodide, renderBatch, batch, 'macro_engine.py', {
          items: [],
          interrupted: { message: 'KeyboardInterrupt', line: null, traceback: 'KeyboardInterrupt\n' },
        }),
      ),
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

/** Calls a script's transform on a post (→ `interrupted` when the interrupt buffer ends it). */
export function createTransformEngine(pyodide: PyodideAPI) {
  const transformPost = pymarkPython(pyodide)('_pymark_transform_engine', 'transform_post');
  return {
    transform: (request: Omit<WorkerTransformRequest, 'site'>): TransformResult =>
      JSON.parse(
        callWithText(pyodide, transformPost, JSON.stringify(request), 'transform_engine.py', {
          kind: 'interrupted',
        }),
      ) as TransformResult,
  };
}
export type TransformEngine = ReturnType<typeof createTransformEngine>;

/** What Python's compiler says about a script, without running it. */
export function createScriptChecker(pyodide: PyodideAPI) {
  const checkScript = pymarkPython(pyodide)('_pymark_syntax', 'check_script');
  return {
    check: (code: string, fileName: string): ScriptCheck =>
      parseMessage(
        scriptCheckSchema,
        callForDict(checkScript, code, fileName),
        'result from script_syntax.py',
      ),
  };
}
export type ScriptChecker = ReturnType<typeof createScriptChecker>;
