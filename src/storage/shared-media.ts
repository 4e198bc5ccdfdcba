/*
 * Images shared to the installed app: the service worker (public/share-target-sw.js) keeps them in
 * a cache and opens the app with `shared_media=1` in its address; the app takes them from there.
 */

export const sharedMediaParam = 'shared_media';
const sharedMediaCache = 'pymark-shared-media';

/** True when the address says images were shared. */
export function hasSharedMedia(search: string): boolean {
  return new URLSearchParams(search).has(sharedMediaParam);
}

/** The address without the shared-media marker, so a reload does not look for them again. */
export function withoutSharedMediaParam(href: string): string {
  const url = new URL(href);
  url.searchParams.delete(sharedMediaParam);
  return url.href;
}

/** The shared images as files, removed from the cache as they are taken. */
export async function takeSharedMedia(): Promise<File[]> {
  if (typeof caches === 'undefined') return [];
  const cache = await caches.open(sharedMediaCache);
  const files: File[] = [];
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    await cache.delete(request);
    if (!response) continue;
    const name = decodeURIComponent(new URL(request.url).pathname.split('/').at(-1) ?? 'shared');
    const modified = Date.parse(response.headers.get('last-modified') ?? '');
    files.push(
      new File([await response.blob()], name, {
        type: response.headers.get('content-type') ?? '',
        lastModified: Number.isNaN(modified) ? Date.now() : modified,
      }),
    );
  }
  return files;
}
