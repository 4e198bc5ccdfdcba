import {
  Document,
  isMap,
  isNode,
  isScalar,
  LineCounter,
  parseDocument,
  type ToStringOptions,
  visit,
} from 'yaml';
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

/**
 * Whether `text` opens with the fence's opening lines. A file that does not has no metadata block at
 * all (a plain file, adopted as it is); one that does must hold a valid block.
 */
export function hasMetadataBlock(text: string, fence: FrontMatterFence): boolean {
  const lines = linesOf(text.slice(0, 64));
  return fence.open.every((expected, index) => withoutEol(lines[index] ?? '') === expected);
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

/**
 * Bounds on the YAML of one front matter, so a hostile file costs little to refuse and the page never
 * waits long on one. Real front matter is a dozen keys in well under a kilobyte; these leave room for
 * hundreds of tags while keeping the parse of one file to some tens of milliseconds.
 */
export const frontMatterLimits = {
  /** Characters of YAML; parsing is linear but not cheap (about 2 ms per KiB on a slow machine). */
  characters: 32 * 1024,
  /** Keys and list items, nested ones included. */
  entries: 1000,
  /** Each alias can repeat a whole subtree; a few let a file expand exponentially (a "billion laughs"). */
  aliases: 10,
} as const;

/**
 * What the YAML library would check for us in quadratic time (duplicate keys, compared pairwise) or
 * only while converting (aliases), checked here in one walk over the document.
 */
function checkYamlShape(doc: Document, lines: LineCounter, yamlLine: number): FileProblem | undefined {
  let entries = 0;
  let aliases = 0;
  let found: FileProblem | undefined;
  const at = (offset: number | undefined): Pick<FileProblem, 'line' | 'column'> => {
    if (offset === undefined) return { line: yamlLine };
    const position = lines.linePos(offset);
    return { line: yamlLine - 1 + position.line, column: position.col };
  };
  visit(doc, {
    Map(_, map) {
      const keys = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (keys.has(key)) {
          found = {
            reason: `front matter repeats the key ${String(key)}`,
            ...at(isNode(pair.key) ? pair.key.range?.[0] : undefined),
          };
          return visit.BREAK;
        }
        keys.add(key);
      }
      return undefined;
    },
    Pair() {
      entries += 1;
      return entries > frontMatterLimits.entries ? visit.BREAK : undefined;
    },
    Seq(_, seq) {
      entries += seq.items.length;
      return entries > frontMatterLimits.entries ? visit.BREAK : undefined;
    },
    Alias(_, alias) {
      aliases += 1;
      if (aliases > frontMatterLimits.aliases) {
        found = {
          reason: `front matter uses more than ${frontMatterLimits.aliases} YAML aliases (*name)`,
          ...at(alias.range?.[0]),
        };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (found) return found;
  if (entries > frontMatterLimits.entries) {
    return {
      reason: `front matter has more than ${frontMatterLimits.entries} keys and list items`,
      line: yamlLine,
    };
  }
  return undefined;
}

function parseYaml(split: SplitFile): Parsed<{ doc: Document; lines: LineCounter }> {
  if (split.yaml.length > frontMatterLimits.characters) {
    return problem(
      `front matter is longer than ${frontMatterLimits.characters} characters (${split.yaml.length})`,
      split.yamlLine,
      1,
    );
  }
  const lines = new LineCounter();
  // `uniqueKeys: false`: the library compares every key with every other; `checkYamlShape` does it in
  // linear time.
  const doc = parseDocument(split.yaml, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const [error] = doc.errors;
  if (error) {
    const position = error.linePos?.[0];
    const where = position ? split.yamlLine - 1 + position.line : split.yamlLine;
    return problem(`front matter is not valid YAML: ${error.message.split('\n')[0]}`, where, position?.col);
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    return problem('front matter must be a mapping of keys to values', split.yamlLine, 1);
  }
  const shape = checkYamlShape(doc, lines, split.yamlLine);
  if (shape) return { ok: false, problem: shape };
  return { ok: true, value: { doc, lines } };
}

/** The front matter as plain data; aliases were bounded by `checkYamlShape`, and the library checks again. */
function dataOf(doc: Document): Parsed<Record<string, unknown>> {
  try {
    return {
      ok: true,
      value: (doc.toJS({ maxAliasCount: frontMatterLimits.aliases }) ?? {}) as Record<string, unknown>,
    };
  } catch (error) {
    return problem(`front matter cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
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

/** `key: value` on one line, the key a plain word (not one YAML reads as null or a boolean). */
const plainLine = /^([A-Za-z_][A-Za-z0-9_-]*): (.+?)\r?$/;
const yamlWords = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;
/** Values whose JSON reading is their YAML reading: double-quoted strings, null, booleans, integers. */
const jsonScalar =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a JSON string holds no raw control characters.
  /^(?:"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"|null|true|false|-?(?:0|[1-9][0-9]{0,14}))$/;

/**
 * The front matter as plain data when every line is `key: value` with a value whose JSON reading is
 * also its YAML reading (the scalars above, or a flow list of them): what Pymark itself writes. A
 * build reads a thousand posts, and the YAML library took most of a rebuild's time on them. Anything
 * else (comments, blank lines, block lists, repeated keys, other scalars) is left to the YAML parser,
 * as is every file whose data the schema refuses, so a problem is still reported at its line.
 */
function plainFrontMatter(yaml: string): Record<string, unknown> | undefined {
  if (yaml.length > frontMatterLimits.characters) return undefined;
  const data: Record<string, unknown> = {};
  let entries = 0;
  for (const line of yaml.split('\n')) {
    if (line === '') continue;
    const match = plainLine.exec(line);
    if (!match) return undefined;
    const [, key = '', text = ''] = match;
    if (yamlWords.test(key) || key === '__proto__' || Object.hasOwn(data, key)) return undefined;
    let value: unknown;
    if (text.startsWith('[') && text.endsWith(']')) {
      const inner = text.slice(1, -1).trim();
      const items = inner === '' ? [] : inner.split(/\s*,\s*/);
      // A comma inside a quoted item splits it wrongly: such a list goes to the YAML parser.
      if (!items.every((item) => jsonScalar.test(item))) return undefined;
      value = items.map((item) => JSON.parse(item));
      entries += items.length;
    } else if (jsonScalar.test(text)) {
      value = JSON.parse(text);
    } else {
      return undefined;
    }
    entries += 1;
    data[key] = value;
  }
  return entries > frontMatterLimits.entries ? undefined : data;
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
  const plain = plainFrontMatter(parts.value.yaml);
  const checked = plain && schema.safeParse(plain);
  if (plain && checked?.success) {
    return {
      ok: true,
      value: { header: parts.value.header, data: plain, body: parts.value.body, fields: checked.data },
    };
  }
  const yaml = parseYaml(parts.value);
  if (!yaml.ok) return yaml;
  const { doc, lines } = yaml.value;
  const converted = dataOf(doc);
  if (!converted.ok) return converted;
  const data = converted.value;
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
      data,
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
    const converted = dataOf(doc);
    const data = converted.ok ? converted.value : {};
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
