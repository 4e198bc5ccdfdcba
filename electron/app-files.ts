import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { appHost } from './app-urls';
import { isWithin } from './confined-path';

/**
 * Cross-origin isolation, as vite.config.ts serves the web build: without it there is no
 * SharedArrayBuffer, and the Stop button cannot interrupt Python. CORP lets the isolated page
 * (and the sandbox frame's workers) load these files.
 */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/** What the built app holds; `application/wasm` matters: streaming compilation refuses anything else. */
const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.zip': 'application/zip',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

function status(code: number, text: string): Response {
  return new Response(text, { status: code, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** The file of `dist/` a URL names, or `undefined` when it names none (another host, a path out of `dist/`). */
export function appFileOf(distDir: string, url: string): string | undefined {
  const parsed = new URL(url);
  if (parsed.host !== appHost) return undefined;
  let path: string;
  try {
    // Custom schemes keep `%2e%2e` and `%2f` encoded in the URL: only the decoded path says where it leads.
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return undefined;
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = resolve(distDir, `.${path}`);
  return path.includes('\0') || !isWithin(distDir, file) ? undefined : file;
}

/** Answers one request of the app's scheme from `distDir` (absolute), for `protocol.handle`. */
export async function serveAppFile(distDir: string, request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return status(405, 'Method Not Allowed');
  const file = appFileOf(distDir, request.url);
  if (!file) return status(404, 'Not Found');
  let body: Uint8Array;
  try {
    body = await readFile(file);
  } catch {
    return status(404, 'Not Found');
  }
  const headers = {
    ...isolationHeaders,
    'Content-Type': contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'X-Content-Type-Options': 'nosniff',
  };
  return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { headers });
}
