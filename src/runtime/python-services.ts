import type { PyodideAPI } from 'pyodide';
import type { PyProxy } from 'pyodide/ffi';
import { sizeLimits } from '../core/size-limits';
import {
  ProtocolError,
  type ScriptBatch,
  type SiteUpdate,
  type TransformResult,
  type WorkerScript,
  type WorkerTransformRequest,
} from './protocol';
import { interpreterIsolation, isolatedCall } from './python-guard';
import { callForDict, pymarkPython } from './python-modules';
import { createPythonRunner } from './python-runner';
import { pythonSite } from './python-site';

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

/** Calls a Python function that returns JSON text, as `script`'s call (isolatedCall, python-guard.ts). */
function callForText(
  pyodide: PyodideAPI,
  script: string,
  call: () => unknown,
  file: string,
  interrupted: string,
): string {
  const answer = isolatedCall(pyodide, script, call, interrupted);
  if (typeof answer !== 'string') throw new ProtocolError(`${file} returned no text`);
  return answer;
}

/** The key of syntax checks for python-guard.ts: no script's key (a JSON array) is ever this. */
const syntaxChecks = 'syntax checks';

/** Which script a call runs, for python-guard.ts: its id, version and code. */
function scriptKey({ id, version, code }: WorkerScript): string {
  return JSON.stringify([id, version, code]);
}

/** KeyboardInterrupt as python/errors.py describes it, when it landed outside a script's own call. */
const keyboardInterrupt = { message: 'KeyboardInterrupt', line: null, traceback: 'KeyboardInterrupt\n' };

/** How macro_engine.py ends a results text when no KeyboardInterrupt ended its batch. */
const notInterrupted = '"interrupted": null}';

/**
 * Macro calls: `render` renders each script's batch in turn (its calls as the JSON text of
 * python/wire.py's `Batch`) and returns the JSON text of each one's `BatchResults`, as Python wrote
 * it: the page parses and checks them (call-executor.ts). A KeyboardInterrupt (the time limit) ends
 * the whole render, not only one script's calls: the scripts after it get no results text.
 * `updateSite` installs, replaces or changes the data behind `from pymark import site`.
 */
export function createMacroEngine(pyodide: PyodideAPI) {
  const python = pymarkPython(pyodide);
  const renderBatch = python('_pymark_macro_engine', 'render_batch');
  const site = pythonSite(pyodide);
  const interrupted = JSON.stringify({ items: [], reads: [], interrupted: keyboardInterrupt });
  const utf8 = new TextEncoder();
  const renderScriptBatch = ({ script, calls }: ScriptBatch) => {
    // As bytes: Pyodide copies them into Python at once, where it converts a string char by char.
    const bytes = utf8.encode(calls);
    const render = () => {
      // Made after the interpreter was put back (callForText), which would take it back too.
      const pythonScript: PyProxy = pyodide.toPy(script);
      try {
        return renderBatch(pythonScript, bytes, sizeLimits.macroHtmlPerCall);
      } finally {
        pythonScript.destroy();
      }
    };
    return callForText(pyodide, scriptKey(script), render, 'macro_engine.py', interrupted);
  };
  return {
    updateSite(update: SiteUpdate): void {
      // On the interpreter every script starts from, which then holds it without the drafts.
      site.update(update);
    },
    render(batches: readonly ScriptBatch[]): string[] {
      const results: string[] = [];
      for (const batch of batches) {
        const answer = renderScriptBatch(batch);
        results.push(answer);
        // Read at its end only: a text that says otherwise, or that a script garbled, ends the render.
        if (!answer.endsWith(notInterrupted)) break;
      }
      return results;
    },
  };
}
export type MacroEngine = ReturnType<typeof createMacroEngine>;

const interruptedTransform = JSON.stringify({ kind: 'interrupted', ...keyboardInterrupt });

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
        callForText(
          pyodide,
          scriptKey(request.script),
          () => {
            // After the restore: the checkpoint every call starts from holds no draft.
            site.revealDrafts();
            return transformPost(JSON.stringify(request));
          },
          'transform_engine.py',
          interruptedTransform,
        ),
      ) as TransformResult,
  };
}
export type TransformEngine = ReturnType<typeof createTransformEngine>;

/**
 * What Python's compiler says about a script, without running it, as script_syntax.py returns it:
 * the page checks it where it arrives (`workerCheckAnswerSchema`).
 */
export function createScriptChecker(pyodide: PyodideAPI) {
  const checkScript = pymarkPython(pyodide)('_pymark_syntax', 'check_script');
  return {
    check: (code: string, fileName: string): unknown => {
      // Runs no script's code, so checks in a row share the interpreter; but a script that ran
      // before could have patched compile(), and the text read here is not left for one that runs next.
      interpreterIsolation(pyodide).enter(syntaxChecks);
      return callForDict(checkScript, code, fileName);
    },
  };
}
export type ScriptChecker = ReturnType<typeof createScriptChecker>;
