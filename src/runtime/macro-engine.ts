import type { PyodideAPI } from 'pyodide';
import type { AbiPost, MacroEnv } from '../core/abi';
import {
  ProtocolError,
  type SiteUpdate,
  type WorkerRenderAnswer,
  type WorkerRenderRequest,
} from './protocol';
import { pymarkPython } from './python-modules';

export interface MacroEngine {
  /** Installs, replaces or changes the data macros and transforms read through `from pymark import site`. */
  updateSite(update: SiteUpdate): void;
  /**
   * Renders the request's calls. Python runs synchronously, so this blocks the calling thread; the
   * interrupt buffer ends it early (→ `interrupted`).
   */
  render(request: WorkerRenderRequest): Omit<WorkerRenderAnswer, 'heapBytes'>;
}

const interruptedBeforeAnyCall = {
  items: [],
  interrupted: { message: 'KeyboardInterrupt', line: null, traceback: 'KeyboardInterrupt\n' },
};

/**
 * Prepares `pyodide` to render macros with macro_engine.py. Free of worker and DOM APIs so it runs
 * under Node with a real Pyodide in tests.
 */
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
    render(request) {
      let text: unknown;
      try {
        text = renderBatch(JSON.stringify(toBatch(request)));
      } catch (error) {
        // KeyboardInterrupt can also land outside the per-call try, e.g. while parsing the batch.
        if (!(error instanceof pyodide.ffi.PythonError && error.type === 'KeyboardInterrupt')) throw error;
        return interruptedBeforeAnyCall;
      }
      if (typeof text !== 'string') throw new ProtocolError('macro_engine.py returned no text');
      // Checked by the client, where the answer arrives (call-executor.ts).
      return JSON.parse(text) as Omit<WorkerRenderAnswer, 'heapBytes'>;
    },
  };
}

/**
 * The request as macro_engine.py reads it (wire.py, `Batch`): each env and post once, however many
 * calls share it. Calls of one post share its objects, so identity finds the repeats.
 */
function toBatch({ scripts, items }: WorkerRenderRequest) {
  const envs = new IdentityIndex<MacroEnv>();
  const posts = new IdentityIndex<AbiPost>();
  const calls = items.map(({ script, context }) => {
    const { macro, params, args, env, post, ...extras } = context;
    return {
      script,
      macro,
      params,
      args,
      env: envs.indexOf(env),
      post: posts.indexOf(post),
      // placement, body and body_html (ABI 1.1), when the context has them.
      ...(Object.keys(extras).length > 0 ? { extras } : {}),
    };
  });
  return { scripts, envs: envs.values, posts: posts.values, calls };
}

class IdentityIndex<T extends object> {
  readonly values: T[] = [];
  readonly #indexes = new Map<T, number>();

  indexOf(value: T): number {
    let index = this.#indexes.get(value);
    if (index === undefined) {
      index = this.values.push(value) - 1;
      this.#indexes.set(value, index);
    }
    return index;
  }
}
