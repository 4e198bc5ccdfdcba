import type { FileProblem } from './front-matter';
import type { ScriptKind } from './script';
import { slugify } from './slug';

/*
 * Files written by another editor (VS Code, Obsidian) have no metadata block. Such a file is adopted
 * as it is: what the block would hold is derived from the file, and the block is written only when
 * the item is next saved from the app (docs/file-format.md, "Plain files").
 */

const slugPattern = /^[a-z0-9_]+$/;

/** A file name (without extension) that cannot be a slug, reported as such before anything else. */
export function fileNameProblem(name: string, fallback: 'script' | 'post'): FileProblem | undefined {
  if (slugPattern.test(name)) return undefined;
  return {
    reason: `the file name “${name}” is not a slug (lower-case a-z, 0-9 and _ only); rename it, e.g. to “${slugify(name, fallback)}”`,
  };
}

/**
 * The id of an adopted file: derived from its kind and file name, so every sync, tab and device
 * adopting the same file agrees on it until the block that records it is written. A UUID of version
 * 8 (RFC 9562, custom), from a 128-bit hash; uniqueness within one folder is all it needs.
 */
export function adoptedId(kind: 'script' | 'post', slug: string): string {
  const words = hash128(`pymark:${kind}:${slug}`);
  const hex = words.map((word) => word.toString(16).padStart(8, '0')).join('');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** cyrb128: four 32-bit lanes of a fast non-cryptographic string hash. */
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = h2 ^ Math.imul(h1 ^ code, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ code, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ code, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ code, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** `tag_cloud` → `Tag cloud`. */
export function titleFromSlug(slug: string): string {
  const words = slug.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The text of the first `# heading` (ATX, level 1) of a Markdown text, outside code fences. */
export function firstHeading(markdown: string): string | undefined {
  let fence: string | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const fenceMark = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fenceMark && (fence === undefined || fenceMark.startsWith(fence))) {
      fence = fence === undefined ? fenceMark : undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = /^ {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line)?.[1]?.trim();
    if (heading) return heading;
  }
  return undefined;
}

/** The kind a plain Python file is taken for: by the entry point it defines, else a utility. */
export function kindOfPlainScript(body: string): ScriptKind {
  if (/^(async[ \t]+)?def[ \t]+render[ \t]*\(/m.test(body)) return 'macro';
  if (/^(async[ \t]+)?def[ \t]+transform[ \t]*\(/m.test(body)) return 'transform';
  return 'utility';
}
