import type { AbiMedia } from '../core/abi';
import { mediaPath } from '../core/media';
import type { SiteUrls } from './site-urls';

/*
 * A post names an image by its site path, `/media/2026/02/beach.jpg`: what Insert into post and a
 * drop write, and the reference app's media URL. The preview answers that path from the app's store
 * (ui/preview-media.ts); a built site may be served from a sub-path (https://x.github.io/blog/), so the
 * build puts these links under the base path here, once per post, before pages and feeds use the HTML.
 *
 * Only `/media/<yyyy>/<mm>/…` and `/thumbnails/<yyyy>/<mm>/…` are taken for the site's own files. A
 * macro's links already carry the base path (`/blog/media/2026/…`), and stay as they are even when
 * the base path is `/media/`, because what follows `/media/` there is not a year.
 */

const sitePathLink = /\b(src|href)="\/((?:media|thumbnails)\/\d{4}\/\d{2}\/[^"]+)"/g;
const imageTag = /<img\b[^>]*>/g;
const imageSource = /\ssrc="\/(media\/\d{4}\/\d{2}\/[^"]+)"/;

/** The same path however its characters were percent-encoded: Markdown and `encodeURIComponent` differ. */
function pathKey(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * `html` with its site-path links under `urls`' base path; an `<img>` of a library image also gets its
 * thumbnails as `srcset` (when it has none) and its size (so the page does not jump as it loads).
 */
export function publishMediaLinks(html: string, media: readonly AbiMedia[], urls: SiteUrls): string {
  if (!html.includes('="/media/') && !html.includes('="/thumbnails/')) return html;
  const byPath = new Map(
    media.map((item) => [pathKey(mediaPath({ createdAt: item.created_at, fileName: item.file_name })), item]),
  );
  const withImageDetails = html.replace(imageTag, (tag) => {
    const source = imageSource.exec(tag);
    const item = source && byPath.get(pathKey(source[1]!));
    if (!item) return tag;
    let extra = '';
    if (item.thumbnails.length > 0 && !/\ssrcset=/.test(tag)) {
      const sources = [...item.thumbnails, { url: item.url, width: item.width }].map(
        (thumb) => `${thumb.url} ${thumb.width}w`,
      );
      extra += ` srcset="${attribute(sources.join(', '))}" sizes="(max-width: ${item.width}px) 100vw, ${item.width}px"`;
    }
    if (!/\swidth=/.test(tag) && !/\sheight=/.test(tag))
      extra += ` width="${item.width}" height="${item.height}"`;
    return tag
      .replace(source[0], ` src="${attribute(item.url)}"`)
      .replace(/\s*\/?>$/, (end) => `${extra}${end}`);
  });
  return withImageDetails.replace(
    sitePathLink,
    (_, name: string, path: string) => `${name}="${urls.basePath}${path}"`,
  );
}
