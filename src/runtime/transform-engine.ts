import type { PyodideAPI } from 'pyodide';
import { ProtocolError, type WorkerTransformRequest } from './protocol';
import { pymarkPython } from './python-modules';

export interface TransformEngine {
  /**
   * Calls the script's transform on the post and returns the JSON text of a `WorkerTransformAnswer`
   * for the main thread to check. Blocks the calling thread; the interrupt buffer ends it early.
   */
  transform(request: WorkerTransformRequest): string;
}

const interrupted = JSON.stringify({ kind: 'interrupted' });

/** Prepares `pyodide` to run transforms with transform_engine.py; free of worker and DOM APIs. */
export function createTransformEngine(pyodide: PyodideAPI): TransformEngine {
  const transformPost = pymarkPython(pyodide)('_pymark_transform_engine', 'transform_post');
  return {
    transform(request) {
      let text: unknown;
      try {
        text = transformPost(JSON.stringify(request));
      } catch (error) {
        if (!(error instanceof pyodide.ffi.PythonError && error.type === 'KeyboardInterrupt')) throw error;
        return interrupted;
      }
      if (typeof text !== 'string') throw new ProtocolError('transform_engine.py returned no text');
      return text;
    },
  };
}
