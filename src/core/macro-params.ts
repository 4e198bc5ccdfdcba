import type { MacroValue } from './abi';
import { type PythonLiteral, readPythonLiteral } from './python-literal';

/*
 * What a macro script declares about how it is called, read from its source without running it
 * (docs/macros.md, "Declaring parameters"): a module-level `PARAMS` mapping of parameter name to
 * {"type", "required", "default", "values", "doc"}, `TAKES_BODY = True` for a macro whose call
 * encloses a body, and its entrypoint's docstring. Editor completion and hover, the Try-a-macro
 * form and the argument warnings of the renderer all read this one declaration.
 */

export type ParamType = MacroValue['type'];
export type ParamValue = MacroValue['value'];

export interface MacroParam {
  readonly name: string;
  /** The types a value may have; empty when the declaration names none (any type). */
  readonly types: readonly ParamType[];
  readonly required: boolean;
  readonly default?: ParamValue;
  /** Values to offer; a macro may accept others (aliases, say). */
  readonly values: readonly ParamValue[];
  readonly doc: string;
}

export interface DeclarationProblem {
  /** 1-based line in the script. */
  readonly line: number;
  readonly message: string;
}

export interface MacroDeclaration {
  /** Null when the script has no `PARAMS`: any parameter is accepted and none is offered. */
  readonly params: readonly MacroParam[] | null;
  readonly takesBody: boolean;
  /** The entrypoint's docstring, else the `#` comment lines that open the script; may be empty. */
  readonly doc: string;
  /** Why (part of) `PARAMS` could not be read. */
  readonly problems: readonly DeclarationProblem[];
}

const paramTypes: readonly ParamType[] = ['str', 'int', 'float', 'bool'];
const paramsAssignment = /^PARAMS[ \t]*(?::[^=\n]*)?=[ \t]*/m;
const takesBodyAssignment = /^TAKES_BODY[ \t]*(?::[^=\n]*)?=[ \t]*True\b/m;
const entryKeys = new Set(['type', 'required', 'default', 'values', 'doc']);

export function readMacroDeclaration(code: string, entrypoint = 'render'): MacroDeclaration {
  const problems: DeclarationProblem[] = [];
  return {
    params: readParams(code, problems),
    takesBody: takesBodyAssignment.test(code),
    doc: entrypointDocstring(code, entrypoint) ?? leadingComments(code),
    problems,
  };
}

function readParams(code: string, problems: DeclarationProblem[]): MacroParam[] | null {
  const assignment = paramsAssignment.exec(code);
  if (assignment === null) return null;
  const at = assignment.index + assignment[0].length;
  const lineOf = (offset: number) => code.slice(0, offset).split('\n').length;
  const read = readPythonLiteral(code, at);
  if (!read.ok) {
    problems.push({ line: lineOf(read.offset), message: `PARAMS: ${read.message}` });
    return [];
  }
  const mapping = read.value;
  if (mapping.kind !== 'dict') {
    problems.push({ line: lineOf(at), message: 'PARAMS must be a dict of parameter name to a dict' });
    return [];
  }
  const params: MacroParam[] = [];
  for (const [key, entry] of mapping.entries) {
    const line = lineOf(key.offset);
    if (typeof key.value !== 'string') {
      problems.push({ line, message: 'PARAMS: each key must be a parameter name in quotes' });
      continue;
    }
    const param = readParam(key.value, entry, (message) =>
      problems.push({ line, message: `PARAMS["${key.value}"]: ${message}` }),
    );
    if (param) params.push(param);
  }
  return params;
}

function readParam(
  name: string,
  entry: PythonLiteral,
  problem: (message: string) => void,
): MacroParam | undefined {
  if (entry.kind !== 'dict') {
    problem('must be a dict such as {"type": "str", "doc": "…"}');
    return undefined;
  }
  const fields = new Map<string, PythonLiteral>();
  for (const [key, value] of entry.entries) {
    if (typeof key.value === 'string' && entryKeys.has(key.value)) fields.set(key.value, value);
    else problem(`unknown key ${JSON.stringify(key.value)}; use type, required, default, values, doc`);
  }
  const types = readTypes(fields.get('type'), problem);
  const required = fields.get('required');
  const defaultValue = fields.get('default');
  const values = fields.get('values');
  const doc = fields.get('doc');
  return {
    name,
    types,
    required: required?.kind === 'scalar' && required.value === true,
    ...(defaultValue?.kind === 'scalar' && defaultValue.value !== null
      ? { default: defaultValue.value }
      : {}),
    values:
      values?.kind === 'list'
        ? values.items.flatMap((item) => (item.kind === 'scalar' && item.value !== null ? [item.value] : []))
        : [],
    doc: doc?.kind === 'scalar' && typeof doc.value === 'string' ? doc.value : '',
  };
}

/** `"int"`, or a union written `"str | int"`. */
function readTypes(written: PythonLiteral | undefined, problem: (message: string) => void): ParamType[] {
  if (written === undefined) return [];
  if (written.kind !== 'scalar' || typeof written.value !== 'string') {
    problem('"type" must be a string such as "str", "int", "float", "bool" or "str | int"');
    return [];
  }
  const types: ParamType[] = [];
  for (const part of written.value.split('|').map((type) => type.trim())) {
    const type = paramTypes.find((known) => known === part);
    if (type) types.push(type);
    else problem(`unknown type "${part}"; use str, int, float or bool`);
  }
  return types;
}

/** The docstring of the top-level function `name`, cleaned as Python's inspect.cleandoc does. */
function entrypointDocstring(code: string, name: string): string | undefined {
  const escaped = name.replace(/[^A-Za-z0-9_]/g, '');
  const definition = new RegExp(
    `^(?:async[ \\t]+)?def[ \\t]+${escaped}[ \\t]*\\([^)]*\\)[^:\\n]*:[ \\t]*\\n(?:[ \\t]*\\n)*[ \\t]+[rRuU]?("""|''')([\\s\\S]*?)\\1`,
    'm',
  );
  const match = definition.exec(code);
  return match ? cleanDoc(match[2]!) : undefined;
}

/** `#` comment lines that open the script, after its metadata docstring (docs/file-format.md). */
function leadingComments(code: string): string {
  const lines = code.replace(/^\s*("""|''')[\s\S]*?\1\s*\n/, '').split('\n');
  const comments: string[] = [];
  for (const line of lines) {
    if (!line.startsWith('#')) break;
    comments.push(line.replace(/^#\s?/, ''));
  }
  return comments.join('\n').trim();
}

function cleanDoc(doc: string): string {
  const lines = doc.replace(/\t/g, '    ').split('\n');
  const indents = lines
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.length - line.trimStart().length);
  const indent = indents.length > 0 ? Math.min(...indents) : 0;
  return [lines[0]!.trim(), ...lines.slice(1).map((line) => line.slice(indent).trimEnd())].join('\n').trim();
}

/** How a value reads in a message or in the editor: as the author would write it in a call. */
export function formatParamValue(value: ParamValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * Warnings about a call's named arguments against its macro's declaration: parameters it does not
 * declare, and values of a type it does not accept (an int is accepted for a float). A missing
 * required one is the macro's to report, as the built-ins do. Nothing when it declares no `PARAMS`.
 */
export function checkArguments(
  macro: string,
  params: Readonly<Record<string, MacroValue>>,
  declaration: MacroDeclaration,
): string[] {
  if (declaration.params === null) return [];
  const declared = new Map(declaration.params.map((param) => [param.name, param]));
  const warnings: string[] = [];
  const accepted = declaration.params.map((param) => param.name).join(', ') || 'no parameters';
  for (const [name, value] of Object.entries(params)) {
    const param = declared.get(name);
    if (param === undefined) {
      warnings.push(`[[${macro}]] has no parameter "${name}"; it takes ${accepted}`);
      continue;
    }
    const fits =
      param.types.length === 0 ||
      param.types.includes(value.type) ||
      (value.type === 'int' && param.types.includes('float'));
    if (!fits) {
      const hint = param.types.includes('str') ? ' (quote it to pass a str)' : '';
      warnings.push(
        `[[${macro}]]: ${name} should be ${param.types.join(' or ')}, not ${value.type} ${formatParamValue(value.value)}${hint}`,
      );
    }
  }
  return warnings;
}
