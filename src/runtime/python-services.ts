import type { PyodideAPI } from 'pyodide';
import type { PyCallable } from 'pyodide/ffi';
import type { AbiPost, MacroEnv } from '../core/abi';
import { macroResultSize, sizeLimits } from '../core/size-limits';
import {
  ProtocolError,
  parseMessage,
  type RenderedItem,
  type SiteUpdate,
  scriptCheckSchema,
  type TransformResult,
  type WorkerRenderAnswer,
  type WorkerRenderRequest,
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
  /** Renders the request's calls (→ `interrupted` when the interrupt buffer ends it). */
  render(request: WorkerRenderRequest): Omit<WorkerRenderAnswer, 'heapBytes'>;
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
function callWithJson<T>(
  pyodide: PyodideAPI,
  fn: PyCallable,
  request: unknown,
  file: string,
  interrupted: T,
): T {
  let text: unknown;
  try {
    text = fn(JSON.stringify(request), interpreterIsolation(pyodide).reset);
  } catch (error) {
    if (!(error instanceof pyodide.ffi.PythonError && error.type === 'KeyboardInterrupt')) throw error;
    return interrupted;
  }
  if (typeof text !== 'string') throw new ProtocolError(`${file} returned no text`);
  return JSON.parse(text) as T;
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
    render: (request) => {
      const answer = callWithJson(pyodide, renderBatch, toBatch(request), 'macro_engine.py', {
        items: [],
        interrupted: { message: 'KeyboardInterrupt', line: null, traceback: 'KeyboardInterrupt\n' },
      });
      return { ...answer, items: answer.items.map(refusedWhenOversized) };
    },
  };
}

/**
 * A call's result over the per-call limit is refused here, in the worker: sending megabytes of HTML
 * to the page only to refuse them there held its thread for hundreds of milliseconds (issue 14).
 */
function refusedWhenOversized(item: RenderedItem): RenderedItem {
  if (item.kind !== 'returned') return item;
  const size = macroResultSize(item.result);
  if (size <= sizeLimits.macroHtmlPerCall) return item;
  const { result: _refused, ...rest } = item;
  return { ...rest, kind: 'oversized', size };
}

/**
 * The request as macro_engine.py reads it (wire.py, `Batch`): each env and post once, however many
 * calls share it. Calls of one post share its objects, so identity finds the repeats.
 */
function toBatch({ scripts, items }: WorkerRenderRequest) {
  const [envs, posts]: [MacroEnv[], AbiPost[]] = [[], []];
  const [envIndexes, postIndexes] = [new Map<MacroEnv, number>(), new Map<AbiPost, number>()];
  const calls = items.map(({ script, context }) => {
    const { macro, params, args, env, post, ...extras } = context;
    return {
      script,
      macro,
      params,
      args,
      env: indexIn(envs, envIndexes, env),
      post: indexIn(posts, postIndexes, post),
      // placement, body and body_html (ABI 1.1), when the context has them.
      ...(Object.keys(extras).length > 0 ? { extras } : {}),
    };
  });
  return { scripts, envs, posts, calls };
}

/** The position of `value` in `values`, appended on first sight. */
function indexIn<T>(values: T[], indexes: Map<T, number>, value: T): number {
  const known = indexes.get(value);
  if (known !== undefined) return known;
  indexes.set(value, values.length);
  return values.push(value) - 1;
}

export function createTransformEngine(pyodide: PyodideAPI): TransformEngine {
  const transformPost = pymarkPython(pyodide)('_pymark_transform_engine', 'transform_post');
  return {
    transform: (request) =>
      callWithJson<TransformResult>(pyodide, transformPost, request, 'transform_engine.py', {
        kind: 'interrupted',
      }),
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
