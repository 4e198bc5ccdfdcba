// Imported into the generated service worker (vite.config.ts, workbox.importScripts). The manifest's
// share target POSTs what is shared to /share-target: images are kept in a cache for the app to
// import (src/storage/shared-media.ts), and the text fields go on in the address, where the app
// reads them as before (src/core/incoming-post.ts). Plain JavaScript: it is copied, not bundled.
const sharedMediaCache = 'pymark-shared-media';
const imageTypes = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (
    event.request.method !== 'POST' ||
    url.origin !== self.location.origin ||
    url.pathname !== '/share-target'
  )
    return;
  event.respondWith(receiveShare(event.request));
});

async function receiveShare(request) {
  const form = await request.formData();
  const next = new URL('/', self.location.origin);
  for (const name of ['share_title', 'share_text', 'share_url']) {
    const value = form.get(name);
    if (typeof value === 'string' && value !== '') next.searchParams.set(name, value);
  }
  const files = form.getAll('media').filter((file) => file instanceof File);
  if (files.length > 0) {
    const cache = await caches.open(sharedMediaCache);
    for (const file of files) {
      // The app checks every file's bytes again; the type here only keeps obvious non-images out.
      if (file.type !== '' && !imageTypes.includes(file.type)) continue;
      const key = new URL(
        `/shared-media/${crypto.randomUUID()}/${encodeURIComponent(file.name || 'shared')}`,
        self.location.origin,
      );
      await cache.put(
        key,
        new Response(file, {
          headers: { 'content-type': file.type, 'last-modified': new Date(file.lastModified).toUTCString() },
        }),
      );
    }
    next.searchParams.set('shared_media', '1');
  }
  return Response.redirect(next.href, 303);
}
