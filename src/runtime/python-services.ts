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
import { createPythonRunner, type PythonRunner } from './python-runner';
import type { ScriptCheck } from './types';

/*
 * What the worker offers, over one booted Pyodide: the page-free halves of each call kind around
 * Pymark's Python modules. Free of worker and DOM APIs, so tests run them under Node with a real
 * Pyodide. Python runs synchronously, so each call blocks the calling thread; the interrupt buffer
 * ends it early. The client checks every answer where it arrives (call-executor.ts).
 */

export interface MacroEngine {
  /** Installs, replaces or changes the data macros and transforms read through `from pymark import site`. */
  updateSite(update: SiteUpdate): void;
  /**
   * Renders the calls of `batch` (the JSON text of python/wire.py's `Batch`) and returns the JSON
   * text of its `BatchResults` (→ `interrupted` when the interrupt buffer ends it).
   */
  render(batch: string): string;
}

export interface TransformEngine {
  /** Calls the script's transform on the post (→ `interrupted` when the interrupt buffer ends it). */
  transform(request: Omit<WorkerTransformRequest, 'site'>): TransformResult;
}

export interface ScriptChecker {
  /** What Python's compiler says about `code`, without running it. */
  check(code: string, fileName: string): ScriptCheck;
}

export interface PythonServices {
  runner: PythonRunner;
  macros: MacroEngine;
  checker: ScriptChecker;
  transforms: TransformEngine;
}

export function createPythonServices(pyodide: PyodideAPI): PythonServices {
  return {
    runner: createPythonRunner(pyodide),
    macros: createMacroEngine(pyodide),
    checker: createScriptChecker(pyodide),
    transforms: createTransformEngine(pyodide),
  };
}

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

export function createMacroEngine(pyodide: PyodideAPI): MacroEngine {
  const python = pymarkPython(pyodide);
  const renderBatch = python('_pymark_macro_engine', 'render_batch');
  const installSite = python('_pymark_site', 'install_site_module');
  const applySiteChanges = python('_pymark_site', 'apply_site_changes');
  return {
    updateSite(update) {
      if ('snapshot' in update) installSite(JSON.stringify(update.snapshot));
      else applySiteChanges(JSON.stringify(update.changes));
    },
    render: (batch) =>
      refuseOversized(
        callWithText(pyodide, renderBatch, batch, 'macro_engine.py', {
          items: [],
          interrupted: { message: 'KeyboardInterrupt', line: null, traceback: 'KeyboardInterrupt\n' },
        }),
      ),
  };
}

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

export function createTransformEngine(pyodide: PyodideAPI): TransformEngine {
  const transformPost = pymarkPython(pyodide)('_pymark_transform_engine', 'transform_post');
  return {
    transform: (request) =>
      JSON.parse(
        callWithText(pyodide, transformPost, JSON.stringify(request), 'transform_engine.py', {
          kind: 'interrupted',
        }),
      ) as TransformResult,
  };
}

export function createScriptChecker(pyodide: PyodideAPI): ScriptChecker {
  const checkScript = pymarkPython(pyodide)('_pymark_syntax', 'check_script');
  return {
    check: (code, fileName) =>
      parseMessage(
        scriptCheckSchema,
        callForDict(checkScript, code, fileName),
        'result from script_syntax.py',
      ),
  };
}
