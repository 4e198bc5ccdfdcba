/*
 * The last build, kept in Cache Storage for the service worker to serve under /site-preview/
 * (public/site-preview-sw.js, which repeats these names: it is a classic script outside the bundle).
 * Each build goes into a cache of its own, and a pointer names the current one only once that cache
 * is complete, so the preview never shows half of a build; older caches are deleted after.
 */

export const previewPath = '/site-preview/';
const cachePrefix = 'pymark-site-preview:';
const pointerCache = 'pymark-site-preview-current';
const pointerUrl = '/site-preview/.current';

const contentTypes: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  json: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
};

export function contentTypeOf(path: string): string {
  const extension = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return contentTypes[extension] ?? 'application/octet-stream';
}

/**
 * Pages link root-relative under `base_url`'s path (`/blog/posts/x/`); in the preview they live under
 * /site-preview/, so the links in its copy of each page are moved there. The folder and the zip keep
 * the built bytes; only this copy differs.
 */
export function previewCopy(path: string, bytes: Uint8Array, basePath: string): Uint8Array {
  if (!path.endsWith('.html')) return bytes;
  const html = new TextDecoder().decode(bytes);
  const escaped = basePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // `="/x` but never `="//host` (protocol-relative): those point elsewhere.
  const moved = html.replace(new RegExp(`(\\s(?:href|src)=")${escaped}(?!/)`, 'g'), `$1${previewPath}`);
  return new TextEncoder().encode(moved);
}

export async function storePreview(
  files: ReadonlyMap<string, Uint8Array>,
  basePath: string,
  onFile?: (done: number) => void,
): Promise<void> {
  const name = `${cachePrefix}${Date.now().toString().padStart(16, '0')}`;
  const cache = await caches.open(name);
  let done = 0;
  for (const [path, bytes] of files) {
    const body = previewCopy(path, bytes, basePath);
    const url = `${previewPath}${path}`;
    await cache.put(
      url,
      new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'Content-Type': contentTypeOf(path) } }),
    );
    done += 1;
    if (done % 100 === 0) onFile?.(done);
  }
  const pointer = await caches.open(pointerCache);
  await pointer.put(pointerUrl, new Response(name, { headers: { 'Content-Type': 'text/plain' } }));
  for (const key of await caches.keys())
    if (key.startsWith(cachePrefix) && key !== name) await caches.delete(key);
}
