import type { AbiMedia } from '../core/abi';
import type { MediaStore } from '../storage/media-store';

/** An item's inlined bytes, and whether they are its thumbnail's (or, until there is one, the image's). */
interface Inlined {
  dataUrl: string | undefined;
  fromThumbnail: boolean;
}

/**
 * Shows the project's images in the preview. The preview frame has an opaque origin and no service
 * worker, so it cannot fetch the app's store: each `<img>` whose src is an image's site path
 * (`/media/2026/02/a.jpg`, from a macro or a post's Markdown) gets the bytes inlined as a data URL,
 * of its medium thumbnail when there is one. Data URLs are kept per item until the media change.
 */
export class PreviewMedia {
  readonly #inlined = new Map<string, Promise<Inlined>>();

  constructor(
    private readonly store: Pick<MediaStore, 'blob' | 'thumbnail' | 'subscribe'>,
    private readonly media: () => readonly AbiMedia[],
  ) {
    store.subscribe(() => this.#inlined.clear());
  }

  async inline(html: string): Promise<string> {
    if (!html.includes('<img')) return html;
    const byUrl = new Map(this.media().map((item) => [sameUrl(item.url), item]));
    const template = document.createElement('template');
    template.innerHTML = html;
    let changed = false;
    for (const img of template.content.querySelectorAll('img')) {
      const item = byUrl.get(sameUrl(img.getAttribute('src') ?? ''));
      if (!item) continue;
      const dataUrl = await this.dataUrl(item);
      if (!dataUrl) continue;
      img.setAttribute('src', dataUrl);
      // The thumbnails' own paths mean nothing to the frame; the inlined copy serves every width.
      img.removeAttribute('srcset');
      img.removeAttribute('sizes');
      changed = true;
    }
    return changed ? template.innerHTML : html;
  }

  private async dataUrl(item: AbiMedia): Promise<string | undefined> {
    const cached = this.#inlined.get(item.id);
    if (cached) {
      const known = await cached;
      // An import's thumbnails are made after it, usually after the first preview showed the image,
      // and storing them announces no change: until one is there, each preview looks again, so the
      // full-size copy is not sent to the frame for good.
      if (known.fromThumbnail || (await this.store.thumbnail(item.id, 'medium')) === undefined) {
        return known.dataUrl;
      }
    }
    const inlined = (async (): Promise<Inlined> => {
      const thumbnail = await this.store.thumbnail(item.id, 'medium');
      const blob = thumbnail ?? (await this.store.blob(item.id));
      return {
        dataUrl: blob ? await readAsDataUrl(blob) : undefined,
        fromThumbnail: thumbnail !== undefined,
      };
    })();
    this.#inlined.set(item.id, inlined);
    return (await inlined).dataUrl;
  }
}

/** The same path however its characters were percent-encoded: Markdown and `encodeURIComponent` differ. */
function sameUrl(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}

function readAsDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the image'));
    reader.readAsDataURL(blob);
  });
}
