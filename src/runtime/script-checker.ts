import type { PyodideAPI } from 'pyodide';
import { parseMessage, scriptCheckSchema } from './protocol';
import { callForDict, pymarkPython } from './python-modules';
import type { ScriptCheck } from './types';

export interface ScriptChecker {
  /** What Python's compiler says about `code`, without running it. */
  check(code: string, fileName: string): ScriptCheck;
}

export function createScriptChecker(pyodide: PyodideAPI): ScriptChecker {
  const checkScript = pymarkPython(pyodide)('_pymark_syntax', 'check_script');
  return {
    check(code, fileName) {
      return parseMessage(
        scriptCheckSchema,
        callForDict(checkScript, code, fileName),
        'result from script_syntax.py',
      );
    },
  };
}
