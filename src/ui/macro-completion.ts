import {
  autocompletion,
  type Completion,
  type CompletionContext,
  type CompletionResult,
  pickedCompletion,
} from '@codemirror/autocomplete';
import type { Extension } from '@codemirror/state';
import { EditorView, hoverTooltip, type Tooltip } from '@codemirror/view';
import { callAt, innermostOpenCall, macroCursor } from '../core/macro-cursor';
import {
  formatParamValue,
  type MacroDeclaration,
  type MacroParam,
  type ParamValue,
  readMacroDeclaration,
} from '../core/macro-params';
import type { Script } from '../core/script';

/*
 * Editor intelligence for macro calls in the Markdown editor: completion of macro names after
 * `[[`, of a call's parameter names and declared values, and of the closing call after `[[/`; and
 * a hover card with the macro's title, parameters, docstring and a link that opens its script.
 * What a macro takes comes from its declaration (core/macro-params.ts), read without running it.
 */

/** A macro a post can call: an enabled macro script, and what it declares. */
export interface MacroInfo {
  readonly name: string;
  readonly title: string;
  readonly scriptId: string;
  readonly declaration: MacroDeclaration;
}

const declarations = new WeakMap<Script, MacroDeclaration>();

/** The macros of a project's scripts, by slug; a script's declaration is read once per version. */
export function macroInfos(scripts: readonly Script[]): MacroInfo[] {
  return scripts
    .filter((script) => script.kind === 'macro' && script.enabled)
    .map((script) => {
      let declaration = declarations.get(script);
      if (declaration === undefined) {
        declaration = readMacroDeclaration(script.body, script.entrypoint);
        declarations.set(script, declaration);
      }
      return { name: script.slug, title: script.title, scriptId: script.id, declaration };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Completion and hover for the macros `macros()` returns at the time; `openScript` is called with
 * a script id when the hover card's link is followed.
 */
export function macroIntelligence(
  macros: () => readonly MacroInfo[],
  openScript: (scriptId: string) => void,
): Extension {
  return [
    // Its own keymap (Enter accepts, Escape closes) comes with it, ahead of the editor's. The list
    // only opens inside `[[`, where Enter is rarely meant as a line break, so it accepts at once
    // rather than after the default 75 ms, which let a quick Enter break the line instead.
    autocompletion({
      override: [(context) => completeMacro(context, macros())],
      icons: false,
      interactionDelay: 0,
    }),
    hoverTooltip((view, position) => macroHover(view, position, macros(), openScript)),
    completionTheme,
  ];
}

function completeMacro(context: CompletionContext, macros: readonly MacroInfo[]): CompletionResult | null {
  const text = context.state.sliceDoc(0, context.pos);
  const cursor = macroCursor(text, context.pos);
  if (cursor === null) return null;
  const byName = (name: string) => macros.find((macro) => macro.name === name);
  switch (cursor.kind) {
    case 'name':
      return {
        from: cursor.from,
        options: macros.map((macro) => nameCompletion(macro)),
        validFor: /^\w*$/,
      };
    case 'closing': {
      const paired = (name: string) =>
        byName(name)?.declaration.takesBody ?? context.state.doc.toString().includes(`[[/${name}]]`);
      const open = innermostOpenCall(text, context.pos, paired);
      if (open === undefined) return null;
      return {
        from: cursor.from,
        options: [
          {
            label: `${open}]]`,
            displayLabel: `[[/${open}]]`,
            detail: 'closes the open call',
            apply: closeWith(`${open}]]`),
          },
        ],
        validFor: /^\w*$/,
      };
    }
    case 'param': {
      const params = byName(cursor.macro)?.declaration.params ?? [];
      const options = params.filter((param) => !cursor.given.includes(param.name)).map(paramCompletion);
      return options.length === 0 ? null : { from: cursor.from, options, validFor: /^[\w-]*$/ };
    }
    case 'value': {
      const param = byName(cursor.macro)?.declaration.params?.find(
        (candidate) => candidate.name === cursor.param,
      );
      if (param === undefined) return null;
      const options = suggestedValues(param).map((value) => valueCompletion(value, cursor.quoted));
      return options.length === 0 ? null : { from: cursor.from, options, validFor: /^[^\s"']*$/ };
    }
  }
}

/**
 * `youtube id=""]]` with the cursor in the first required value, or for a macro that takes a
 * body, the pair around an empty line for it. A `]]` already after the cursor (closeBrackets
 * writes one) is kept rather than doubled.
 */
function nameCompletion(macro: MacroInfo): Completion {
  const required = (macro.declaration.params ?? []).filter((param) => param.required);
  return {
    label: macro.name,
    detail: macro.title,
    info: firstParagraph(macro.declaration.doc) || undefined,
    type: 'function',
    apply(view, completion, from, to) {
      const closed = view.state.sliceDoc(to, to + 2) === ']]';
      const params = required.map((param) => ` ${param.name}=${isStringy(param) ? '""' : ''}`).join('');
      const opening = `${macro.name}${params}]]`;
      const body = macro.declaration.takesBody ? `\n\n[[/${macro.name}]]` : '';
      const insert = `${opening}${body}`;
      const firstValue = required[0];
      const cursor =
        firstValue === undefined
          ? from + opening.length + (body ? 1 : 0)
          : from + macro.name.length + ` ${firstValue.name}=`.length + (isStringy(firstValue) ? 1 : 0);
      view.dispatch({
        changes: { from, to: closed ? to + 2 : to, insert },
        selection: { anchor: cursor },
        annotations: pickedCompletion.of(completion),
      });
    },
  };
}

function paramCompletion(param: MacroParam): Completion {
  const quoted = isStringy(param);
  return {
    label: param.name,
    detail: describeType(param),
    info: paramSummary(param) || undefined,
    type: 'property',
    boost: param.required ? 1 : 0,
    apply(view, completion, from, to) {
      const insert = `${param.name}=${quoted ? '""' : ''}`;
      view.dispatch({
        changes: { from, to, insert },
        selection: { anchor: from + insert.length - (quoted ? 1 : 0) },
        annotations: pickedCompletion.of(completion),
      });
    },
  };
}

function valueCompletion(value: ParamValue, quoted: boolean): Completion {
  const written = quoted || typeof value !== 'string' ? String(value) : formatParamValue(value);
  return { label: String(value), apply: written, type: 'constant' };
}

function closeWith(insert: string): Completion['apply'] {
  return (view, completion, from, to) => {
    const closed = view.state.sliceDoc(to, to + 2) === ']]';
    view.dispatch({
      changes: { from, to: closed ? to + 2 : to, insert },
      selection: { anchor: from + insert.length },
      annotations: pickedCompletion.of(completion),
    });
  };
}

function suggestedValues(param: MacroParam): ParamValue[] {
  const values = [...param.values];
  if (param.default !== undefined && !values.includes(param.default)) values.push(param.default);
  if (param.types.length === 1 && param.types[0] === 'bool') {
    for (const value of [true, false]) if (!values.includes(value)) values.push(value);
  }
  return values;
}

/** A value the author writes in quotes: a str, or a parameter whose type is not declared. */
function isStringy(param: MacroParam): boolean {
  return param.types.length === 0 || param.types.includes('str');
}

function describeType(param: MacroParam): string {
  const type = param.types.length === 0 ? 'any' : param.types.join(' | ');
  return param.required ? `${type}, required` : type;
}

function paramSummary(param: MacroParam): string {
  const parts = [param.doc];
  if (param.default !== undefined) parts.push(`Default: ${formatParamValue(param.default)}`);
  if (param.values.length > 0) parts.push(`Values: ${param.values.map(formatParamValue).join(', ')}`);
  return parts.filter(Boolean).join('\n');
}

function firstParagraph(doc: string): string {
  return doc.split(/\n\s*\n/)[0] ?? '';
}

function macroHover(
  view: EditorView,
  position: number,
  macros: readonly MacroInfo[],
  openScript: (scriptId: string) => void,
): Tooltip | null {
  const line = view.state.doc.lineAt(position);
  // A call may span lines: look from a few lines up.
  const start = view.state.doc.line(Math.max(1, line.number - 10)).from;
  const text = view.state.sliceDoc(start, line.to);
  const call = callAt(text, position - start);
  if (call === undefined) return null;
  const macro = macros.find((candidate) => candidate.name === call.name);
  return {
    pos: start + call.from,
    end: start + call.to,
    above: true,
    create: () => ({ dom: macro ? macroCard(macro, openScript) : unknownCard(call.name) }),
  };
}

function macroCard(macro: MacroInfo, openScript: (scriptId: string) => void): HTMLElement {
  const card = element('div', 'cm-macro-card');
  card.setAttribute('role', 'tooltip');
  const heading = element('div', 'cm-macro-card-title', macro.title);
  const link = element('button', 'cm-macro-card-link', `Open ${macro.name}.py`);
  link.type = 'button';
  link.addEventListener('click', () => openScript(macro.scriptId));
  heading.append(' ', link);
  card.append(heading);
  const { params, doc, takesBody } = macro.declaration;
  if (params === null) {
    card.append(element('p', 'cm-macro-card-note', 'Declares no parameters (no PARAMS): any are passed on.'));
  } else if (params.length > 0) {
    const list = element('dl', 'cm-macro-card-params');
    for (const param of params) {
      list.append(element('dt', '', `${param.name}: ${describeType(param)}`));
      const summary = paramSummary(param);
      if (summary) list.append(element('dd', '', summary));
    }
    card.append(list);
  }
  if (takesBody)
    card.append(element('p', 'cm-macro-card-note', `Takes a body: [[${macro.name}]] … [[/${macro.name}]]`));
  if (doc) card.append(element('pre', 'cm-macro-card-doc', doc));
  return card;
}

function unknownCard(name: string): HTMLElement {
  return element('div', 'cm-macro-card', `No enabled macro script is named ${name}.py`);
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const completionTheme = EditorView.theme({
  '.cm-macro-card': { maxWidth: '28rem', padding: '0.4rem 0.6rem', fontSize: '13px', lineHeight: '1.4' },
  '.cm-macro-card-title': { fontWeight: '600', marginBottom: '0.3rem' },
  '.cm-macro-card-link': {
    font: 'inherit',
    fontWeight: 'normal',
    border: 'none',
    background: 'none',
    padding: '0',
    color: 'var(--accent, #1d4ed8)',
    textDecoration: 'underline',
    cursor: 'pointer',
  },
  '.cm-macro-card-params': { margin: '0.2rem 0' },
  '.cm-macro-card-params dt': { fontFamily: 'ui-monospace, monospace' },
  '.cm-macro-card-params dd': { margin: '0 0 0.2rem 1rem', whiteSpace: 'pre-wrap' },
  '.cm-macro-card-note': { margin: '0.2rem 0', color: 'var(--muted, #555)' },
  '.cm-macro-card-doc': { margin: '0.3rem 0 0', whiteSpace: 'pre-wrap', fontFamily: 'inherit' },
});
