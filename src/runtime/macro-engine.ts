import type { PyodideAPI } from 'pyodide';
import { z } from 'zod';
import { parseMacroResult } from '../core/abi';
import { parseMessage, type RenderedItem, type WorkerRenderResult } from './protocol';
import { pymarkPython } from './python-modules';

export interface MacroEngine {
  /** Installs, or replaces, the data macros read through `from pymark import site` (JSON text of a SiteSnapshot). */
  setSite(snapshotJson: string): void;
  /**
   * Renders a batch (JSON text of a `RenderBatch`). Python runs synchronously, so this blocks the
   * calling thread; the interrupt buffer ends it early (→ `interrupted`).
   */
  render(batchJson: string): WorkerRenderResult;
}

/*
 * What macro_engine.py's render_batch returns, one entry per finished item; the last element of
 * each is the item's time in Python (ms). `invalid` is a result outside the fast lane, as JSON data.
 */
const pythonMs = z.number().nonnegative();
const pythonEntrySchema = z.union([
  z.tuple([z.literal('ok'), z.string(), z.array(z.string()), pythonMs]),
  z.tuple([z.literal('invalid'), z.string(), z.unknown(), pythonMs]),
  z.tuple([z.literal('error'), z.string(), z.number().int().positive().nullable(), z.string(), pythonMs]),
]);
const pythonExceptionSchema = z.object({
  message: z.string(),
  line: z.number().int().positive().nullable(),
  traceback: z.string(),
});
const pythonBatchResultSchema = z.object({
  results: z.array(pythonEntrySchema),
  interrupted: pythonExceptionSchema.nullable(),
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
      installSite(snapshotJson);
    },
    render(batchJson) {
      let text: unknown;
      try {
        text = renderBatch(batchJson);
      } catch (error) {
        // KeyboardInterrupt can also land outside the per-item try, e.g. while parsing the batch.
        if (!(error instanceof pyodide.ffi.PythonError && error.type === 'KeyboardInterrupt')) throw error;
        return { items: [], interrupted: { message: 'KeyboardInterrupt', traceback: 'KeyboardInterrupt\n' } };
      }
      const parsed = parseMessage(
        pythonBatchResultSchema,
        JSON.parse(z.string().parse(text)),
        'result from macro_engine.py',
      );
      const items = parsed.results.map(toRenderedItem);
      if (!parsed.interrupted) return { items };
      const { line, ...interrupted } = parsed.interrupted;
      return { items, interrupted: line === null ? interrupted : { ...interrupted, line } };
    },
  };
}

function toRenderedItem(entry: z.infer<typeof pythonEntrySchema>): RenderedItem {
  switch (entry[0]) {
    case 'ok':
      return { kind: 'ok', html: entry[1], warnings: entry[2], pythonMs: entry[3] };
    case 'invalid': {
      // The ABI's own schema decides and words what is wrong; Python only took the fast lane.
      const result = parseMacroResult(entry[2], entry[1]);
      const pythonMs = entry[3];
      return result.ok
        ? { kind: 'ok', ...result.value, pythonMs }
        : { kind: 'invalid-result', message: result.error, pythonMs };
    }
    case 'error': {
      const [, message, line, traceback, pythonMs] = entry;
      return line === null
        ? { kind: 'exception', message, traceback, pythonMs }
        : { kind: 'exception', message, line, traceback, pythonMs };
    }
  }
}
