import type { PyodideAPI } from 'pyodide';
import { ProtocolError, type TransformResult, type WorkerTransformRequest } from './protocol';
import { pymarkPython } from './python-modules';

export interface TransformEngine {
  /**
   * Calls the script's transform on the post. Blocks the calling thread; the interrupt buffer ends
   * it early (→ `interrupted`). The client checks the result (call-executor.ts, transform-call.ts).
   */
  transform(request: Omit<WorkerTransformRequest, 'site'>): TransformResult;
}

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
        return { kind: 'interrupted' };
      }
      if (typeof text !== 'string') throw new ProtocolError('transform_engine.py returned no text');
      return JSON.parse(text) as TransformResult;
    },
  };
}
