import type { PyodideAPI } from 'pyodide';
import { checkedSiteJson, ProtocolError } from './protocol';
import { pymarkPython } from './python-modules';

export interface MacroEngine {
  /**
   * Installs, or replaces, the data macros and transforms read through `from pymark import site`
   * (JSON text of a SiteSnapshot), checked against the ABI first: it crossed from the page.
   */
  setSite(snapshotJson: string): void;
  /**
   * Renders a batch (JSON text of a `RenderBatch`) and returns the JSON text of its results, as
   * `workerRenderAnswerSchema` describes it, for the main thread to decode. Python runs
   * synchronously, so this blocks the calling thread; the interrupt buffer ends it early.
   */
  render(batchJson: string): string;
}

/** The results of a batch that KeyboardInterrupt ended before its first item. */
const interruptedBeforeAnyItem = JSON.stringify({
  outcomes: [],
  micros: [],
  interrupted: { message: 'KeyboardInterrupt', line: null, traceback: 'KeyboardInterrupt\n' },
});

/**
 * Prepares `pyodide` to render macros with macro_engine.py. Free of worker and DOM APIs so it runs
 * under Node with a real Pyodide in tests.
 */
export function createMacroEngine(pyodide: PyodideAPI): MacroEngine {
  const python = pymarkPython(pyodide);
  const renderBatch = python('_pymark_macro_engine', 'render_batch');
  const installSite = python('_pymark_site', 'install_site_module');
  return {
    setSite(snapshotJson) {
      installSite(checkedSiteJson(snapshotJson));
    },
    render(batchJson) {
      let text: unknown;
      try {
        text = renderBatch(batchJson);
      } catch (error) {
        // KeyboardInterrupt can also land outside the per-item try, e.g. while parsing the batch.
        if (!(error instanceof pyodide.ffi.PythonError && error.type === 'KeyboardInterrupt')) throw error;
        return interruptedBeforeAnyItem;
      }
      if (typeof text !== 'string') throw new ProtocolError('macro_engine.py returned no text');
      return text;
    },
  };
}
