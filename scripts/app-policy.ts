import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/*
 * The app page's Content-Security-Policy (docs/security.md, "The app page's own policy"), sent as a
 * header by `npm start`, `npm run dev` and the e2e server (vite.config.ts), kept with the page in the
 * service worker's precache, and written into index.html as a `<meta>` for hosts that cannot set
 * headers. The two frames the page makes are `srcdoc` documents, which inherit this policy on top of
 * their own, so it must allow what they need: their inline scripts (by hash; the scripts are fixed
 * text, inlined as written), the sandbox's blob: worker and its WebAssembly, the preview's inline
 * styles and the players it embeds (its own policy names them).
 */

/** The frames' inline scripts, hashed from the files the app inlines with `?raw`. */
const frameScripts = ['../src/runtime/sandbox-frame.inline.js', '../src/render/preview-frame.inline.js'];

/** A CSP hash source for an inline script's text. */
export function scriptHashSource(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

const frameScriptHashes = frameScripts.map((path) =>
  scriptHashSource(readFileSync(new URL(path, import.meta.url), 'utf8')),
);

/** The directives a `<meta>` may carry; `frame-ancestors` is honoured only in a header. */
export const appPolicyDirectives: readonly string[] = [
  "default-src 'self'",
  // Pyodide compiles WebAssembly (in the sandbox's worker, which inherits this policy).
  `script-src 'self' 'wasm-unsafe-eval' ${frameScriptHashes.join(' ')}`,
  // The page's own workers come from its files; the sandbox frame starts its worker from a Blob
  // (a worker loaded from a URL would take its policy from the response instead of inheriting the
  // frame's, and be left without one on a host that cannot set headers).
  "worker-src 'self' blob:",
  // Inline styles: CodeMirror's and the preview frame's own <style> elements (macro CSS).
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' data: blob:",
  // The page frames only its own documents; https: is for the players in the preview frame, whose
  // own policy names the ones a post may embed.
  "frame-src 'self' https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
];

/** The policy as a header. */
export const appPolicy: string = [...appPolicyDirectives, "frame-ancestors 'none'"].join('; ');

/** The policy as a `<meta>` (without `frame-ancestors`, which a meta cannot set). */
export const appPolicyMeta: string = appPolicyDirectives.join('; ');
