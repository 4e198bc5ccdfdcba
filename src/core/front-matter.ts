import { Document, isMap, isScalar, LineCounter, parseDocument, type ToStringOptions } from 'yaml';
import type { z } from 'zod';

/**
 * The lines that open and close a front-matter block. Scripts wrap the `---` fences in a module
 * docstring so the file stays valid Python; posts use the bare fences.
 */
export interface FrontMatterFence {
  readonly open: readonly string[];
  readonly close: readonly string[];
}

/** Why a file could not be read, located where that helps the user find it. */
export interface FileProblem {
  reason: string;
  /** 1-based, in the whole file. */
  line?: number;
  column?: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: FileProblem };

export interface FrontMatterFile {
  /** Everything before the body, byte for byte: reused on rewrite when nothing in it changed. */
  header: string;
  /** The front matter as plain data, unknown keys included. */
  data: Record<string, unknown>;
  body: string;
}

interface SplitFile {
  header: string;
  yaml: string;
  /** 1-based file line of the first YAML line. */
  yamlLine: number;
  eol: string;
  body: string;
}

// Strings double-quoted: in a Python docstring a YAML double-quoted scalar escapes `\` and `"` itself,
// so no title can end the docstring early or form an invalid escape sequence.
const yamlOutput: ToStringOptions = {
  defaultStringType: 'QUOTE_DOUBLE',
  defaultKeyType: 'PLAIN',
  lineWidth: 0,
};

function problem(reason: string, line?: number, column?: number): { ok: false; problem: FileProblem } {
  return {
    ok: false,
    problem: { reason, ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column }) },
  };
}

/** Lines with their line endings attached, so joining them gives back the exact text. */
function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function withoutEol(line: string): string {
  return line.replace(/\r?\n$/, '');
}

function split(text: string, fence: FrontMatterFence): Parsed<SplitFile> {
  const lines = linesOf(text);
  const eol = lines[0]?.endsWith('\r\n') ? '\r\n' : '\n';
  const opening = fence.open.join(' then ');
  for (const [index, expected] of fence.open.entries()) {
    if (withoutEol(lines[index] ?? '') !== expected) {
      return problem(
        `no metadata block: the file must start with ${opening}, each on its own line`,
        index + 1,
        1,
      );
    }
  }
  const closeAt = lines.findIndex(
    (_, index) =>
      index >= fence.open.length &&
      fence.close.every((expected, offset) => withoutEol(lines[index + offset] ?? '') === expected),
  );
  if (closeAt === -1) {
    return problem(
      `the metadata block opened on line 1 is never closed with ${fence.close.join(' then ')}`,
      1,
      1,
    );
  }
  const headerEnd = closeAt + fence.close.length;
  return {
    ok: true,
    value: {
      header: lines.slice(0, headerEnd).join(''),
      yaml: lines.slice(fence.open.length, closeAt).join(''),
      yamlLine: fence.open.length + 1,
      eol,
      body: lines.slice(headerEnd).join(''),
    },
  };
}

function parseYaml(split: SplitFile): Parsed<{ doc: Document; lines: LineCounter }> {
  const lines = new LineCounter();
  const doc = parseDocument(split.yaml, { lineCounter: lines, prettyErrors: false });
  const [error] = doc.errors;
  if (error) {
    const position = error.linePos?.[0];
    const where = position ? split.yamlLine - 1 + position.line : split.yamlLine;
    return problem(`front matter is not valid YAML: ${error.message.split('\n')[0]}`, where, position?.col);
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    return problem('front matter must be a mapping of keys to values', split.yamlLine, 1);
  }
  return { ok: true, value: { doc, lines } };
}

/** The file line of `key` in the front matter, so a schema error points at the line to fix. */
function lineOfKey(
  doc: Document,
  lines: LineCounter,
  yamlLine: number,
  key: PropertyKey | undefined,
): number {
  if (isMap(doc.contents) && typeof key === 'string') {
    const pair = doc.contents.items.find((item) => isScalar(item.key) && item.key.value === key);
    const offset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
    if (offset !== undefined) return yamlLine - 1 + lines.linePos(offset).line;
  }
  return yamlLine;
}

/**
 * Splits `text` into header, front matter and body and validates the front matter with `schema`.
 * The body is never decoded or normalised, so it round-trips byte for byte.
 */
export function readFrontMatter<T>(
  text: string,
  fence: FrontMatterFence,
  schema: z.ZodType<T>,
): Parsed<FrontMatterFile & { fields: T }> {
  const parts = split(text, fence);
  if (!parts.ok) return parts;
  const yaml = parseYaml(parts.value);
  if (!yaml.ok) return yaml;
  const { doc, lines } = yaml.value;
  const data: unknown = doc.toJS() ?? {};
  const result = schema.safeParse(data);
  if (!result.success) {
    const [issue] = result.error.issues;
    const key = issue?.path[0];
    const field = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return problem(
      `front matter ${field}${issue?.message ?? 'is invalid'}`,
      lineOfKey(doc, lines, parts.value.yamlLine, key),
    );
  }
  return {
    ok: true,
    value: {
      header: parts.value.header,
      data: data as Record<string, unknown>,
      body: parts.value.body,
      fields: result.data,
    },
  };
}

/** Validates an item assembled from a file; its only unchecked part is the slug from the file name. */
export function checkItem<T>(schema: z.ZodType<T>, value: unknown): Parsed<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const [issue] = result.error.issues;
  return problem(`${issue?.path.join('.') || 'item'}: ${issue?.message ?? 'is invalid'}`);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The header for `fields`. Given the header the file had, it is kept byte for byte when every field
 * already holds that value; otherwise only the fields are set in it, so unknown keys, their order,
 * comments and line endings survive the rewrite.
 */
export function writeFrontMatter(
  fence: FrontMatterFence,
  fields: Record<string, unknown>,
  previousHeader?: string,
): string {
  const previous = previousHeader === undefined ? undefined : split(previousHeader, fence);
  const yaml = previous?.ok ? parseYaml(previous.value) : undefined;
  if (previous?.ok && yaml?.ok) {
    const { doc } = yaml.value;
    const data = (doc.toJS() ?? {}) as Record<string, unknown>;
    if (Object.entries(fields).every(([key, value]) => sameValue(data[key], value))) return previousHeader!;
    for (const [key, value] of Object.entries(fields)) doc.set(key, doc.createNode(value, { flow: true }));
    return render(fence, doc, previous.value.eol);
  }
  const doc = new Document({});
  for (const [key, value] of Object.entries(fields)) doc.set(key, doc.createNode(value, { flow: true }));
  return render(fence, doc, '\n');
}

function render(fence: FrontMatterFence, doc: Document, eol: string): string {
  const yaml = doc.toString(yamlOutput).replaceAll('\n', eol);
  return [...fence.open, ''].join(eol) + yaml + [...fence.close, ''].join(eol);
}
