import type { AbiMedia } from '../core/abi';
import type { MediaStore } from '../storage/media-store';

/**
 * Shows the project's images in the preview. The preview frame has an opaque origin and no service
 * worker, so it cannot fetch the app's store: each `<img>` whose src is an image's site path
 * (`/media/2026/02/a.jpg`, from a macro or a post's Markdown) gets the bytes inlined as a data URL,
 * of its medium thumbnail when there is one. Data URLs are kept per item until the media change.
 */
export class PreviewMedia {
  readonly #dataUrls = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly store: Pick<MediaStore, 'blob' | 'thumbnail' | 'subscribe'>,
    private readonly media: () => readonly AbiMedia[],
  ) {
    store.subscribe(() => this.#dataUrls.clear());
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

  private dataUrl(item: AbiMedia): Promise<string | undefined> {
    let cached = this.#dataUrls.get(item.id);
    if (!cached) {
      cached = (async () => {
        const blob = (await this.store.thumbnail(item.id, 'medium')) ?? (await this.store.blob(item.id));
        return blob ? readAsDataUrl(blob) : undefined;
      })();
      this.#dataUrls.set(item.id, cached);
    }
    return cached;
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
