import type { PyodideAPI } from 'pyodide';
import { createMacroEngine, type MacroEngine } from './macro-engine';
import { createPythonRunner, type PythonRunner } from './python-runner';
import { createScriptChecker, type ScriptChecker } from './script-checker';
import { createTransformEngine, type TransformEngine } from './transform-engine';

/** Everything the worker offers, over one booted Pyodide. */
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
