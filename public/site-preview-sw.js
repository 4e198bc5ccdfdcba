/*
 * Imported into the app's service worker (vite.config.ts, workbox `importScripts`): serves the last
 * site build under /site-preview/ from Cache Storage, where the site build worker put it
 * (src/site/app/preview-cache.ts holds the same names). Registered before Workbox's own fetch
 * listener, so these requests never reach the app's navigation fallback; it works offline, since
 * nothing here touches the network.
 *
 * Every response carries `Content-Security-Policy: sandbox allow-same-origin`: no script of a built
 * page runs, and no form submits, so a page cannot reach the app's storage. `allow-same-origin`
 * keeps the page's own origin only so that this worker still serves its stylesheets and links
 * (Chromium does not route an opaque-origin document's requests through a service worker); with
 * scripts off, that origin gives the page nothing to act with.
 */
const previewPrefix = '/site-preview/';
const pointerCache = 'pymark-site-preview-current';
const pointerUrl = '/site-preview/.current';
const previewPolicy =
  "sandbox allow-same-origin; default-src 'self' data:; img-src * data:; frame-src https:; style-src 'self' 'unsafe-inline'";

async function previewResponse(url) {
  const pointer = await (await caches.open(pointerCache)).match(pointerUrl);
  if (!pointer) return notFound('No site has been built yet: build it from the Site view.');
  const cache = await caches.open(await pointer.text());
  let path = decodeURIComponent(url.pathname);
  if (path.endsWith('/')) path += 'index.html';
  const found = (await cache.match(path)) ?? (await cache.match(`${path}/index.html`));
  if (found) return withPolicy(found, 200);
  const missing = await cache.match(`${previewPrefix}404.html`);
  return missing ? withPolicy(missing, 404) : notFound('Not in the built site.');
}

function withPolicy(response, status) {
  const headers = new Headers(response.headers);
  headers.set('Content-Security-Policy', previewPolicy);
  headers.set('X-Content-Type-Options', 'nosniff');
  return new Response(response.body, { status, headers });
}

function notFound(text) {
  return new Response(text, {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': previewPolicy },
  });
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(previewPrefix)) return;
  if (event.request.method !== 'GET') return;
  event.stopImmediatePropagation();
  event.respondWith(previewResponse(url));
});
