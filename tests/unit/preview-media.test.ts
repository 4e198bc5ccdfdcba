// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { AbiMedia } from '../../src/core/abi';
import { PreviewMedia } from '../../src/ui/preview-media';

/* The preview's inlined images: the medium thumbnail once there is one, the image itself until then. */

const photo: AbiMedia = {
  id: 'm1',
  file_name: 'photo.jpg',
  mime_type: 'image/jpeg',
  size: 9,
  width: 4000,
  height: 3000,
  created_at: '2026-02-01T10:00:00.000Z',
  title: 'Photo',
  alt: '',
  caption: '',
  linked_post_ids: [],
  url: '/media/2026/02/photo.jpg',
  thumbnails: [],
};

/** A store holding the image's bytes; its medium thumbnail appears when `thumbnail` is set, announcing nothing. */
function storeOfOneImage() {
  const held: { thumbnail?: Blob } = {};
  return {
    held,
    blob: async (id: string) =>
      id === photo.id ? new Blob(['full-size'], { type: 'image/jpeg' }) : undefined,
    thumbnail: async (id: string) => (id === photo.id ? held.thumbnail : undefined),
    subscribe: () => () => {},
  };
}

const dataUrlOf = (text: string) => `data:image/jpeg;base64,${btoa(text)}`;

describe('PreviewMedia', () => {
  it('inlines the image until its thumbnail is stored, then the thumbnail', async () => {
    const store = storeOfOneImage();
    const media = new PreviewMedia(store, () => [photo]);
    const html = `<p><img src="${photo.url}" srcset="/media/2026/02/photo-640.jpg 640w"></p>`;

    expect(await media.inline(html)).toBe(`<p><img src="${dataUrlOf('full-size')}"></p>`);
    store.held.thumbnail = new Blob(['medium'], { type: 'image/jpeg' });
    expect(await media.inline(html)).toBe(`<p><img src="${dataUrlOf('medium')}"></p>`);
  });

  it('leaves HTML without the project’s images as it is', async () => {
    const media = new PreviewMedia(storeOfOneImage(), () => [photo]);
    const html = '<p><img src="https://example.com/a.jpg"> text</p>';
    expect(await media.inline(html)).toBe(html);
  });
});
