import { describe, expect, it } from 'vitest';
import {
  type Media,
  mediaLink,
  mediaPath,
  sidecarPath,
  thumbnailPath,
  thumbnailSizesFor,
} from '../../src/core/media';
import { parseSidecar, serializeSidecar } from '../../src/core/media-file';

const media: Media = {
  id: '0b7c1e2a-3d4f-4a5b-8c6d-7e8f9a0b1c2d',
  fileName: 'beach day.jpg',
  mimeType: 'image/jpeg',
  size: 123456,
  width: 1600,
  height: 1200,
  createdAt: '2026-02-14T09:30:00.000Z',
  updatedAt: '2026-02-15T10:00:00.000Z',
  title: 'Beach: "day"',
  alt: 'Waves on sand',
  caption: '',
  linkedPostIds: ['5d1a0c7e-2f4b-4c6d-8e9f-0a1b2c3d4e5f'],
};

describe('media sidecars', () => {
  it('round-trip the metadata in the documented layout', () => {
    const text = serializeSidecar(media);
    expect(text).toBe(
      [
        '---',
        `id: "${media.id}"`,
        'mimeType: "image/jpeg"',
        'size: 123456',
        'width: 1600',
        'height: 1200',
        `createdAt: "${media.createdAt}"`,
        `updatedAt: "${media.updatedAt}"`,
        'title: "Beach: \\"day\\""',
        'alt: "Waves on sand"',
        'caption: ""',
        'linkedPostIds: [ "5d1a0c7e-2f4b-4c6d-8e9f-0a1b2c3d4e5f" ]',
        '...',
        '',
      ].join('\n'),
    );
    expect(parseSidecar(text, media.fileName)).toEqual({ ok: true, value: { media, header: text } });
  });

  it('keep unknown keys and comments through an edit', () => {
    const handWritten = `${serializeSidecar(media).replace('---\n', '---\n# my note\nrating: 5\n')}`;
    const edited = serializeSidecar({ ...media, alt: 'Blue waves' }, handWritten);
    expect(edited).toContain('# my note\nrating: 5\n');
    expect(edited).toContain('alt: "Blue waves"');
  });

  it('fill in editable text a hand-written sidecar leaves out', () => {
    const parsed = parseSidecar(
      `---\nid: "${media.id}"\nmimeType: image/png\nsize: 10\nwidth: 2\nheight: 3\ncreatedAt: "2026-01-01T00:00:00Z"\n...\n`,
      'a.png',
    );
    expect(parsed.ok && parsed.value.media).toMatchObject({
      title: '',
      alt: '',
      caption: '',
      linkedPostIds: [],
      updatedAt: '2026-01-01T00:00:00Z',
    });
  });

  it('refuse a sidecar with a bad value, saying where', () => {
    const text = serializeSidecar(media).replace('width: 1600', 'width: wide');
    expect(parseSidecar(text, media.fileName)).toEqual({
      ok: false,
      problem: { reason: expect.stringContaining('width'), line: 5 },
    });
  });

  it('refuse a file name that could leave its folder', () => {
    const parsed = parseSidecar(serializeSidecar(media), '../x.jpg');
    expect(parsed.ok).toBe(false);
  });
});

describe('media paths', () => {
  it('file the image by the month it was made, in UTC', () => {
    expect(mediaPath(media)).toBe('media/2026/02/beach day.jpg');
    expect(sidecarPath(media)).toBe('media/2026/02/beach day.jpg.yml');
    expect(thumbnailPath(media, 'small')).toBe('thumbnails/2026/02/beach day.jpg.small.webp');
  });

  it('link the image by its site path, encoded so no name ends a Markdown link early', () => {
    expect(mediaLink(media)).toBe('/media/2026/02/beach%20day.jpg');
    expect(mediaLink({ ...media, fileName: 'a(1)#?.jpg' })).toBe('/media/2026/02/a%281%29%23%3F.jpg');
  });

  it('make only thumbnails smaller than the image', () => {
    expect(thumbnailSizesFor(1600)).toEqual(['small', 'medium', 'large']);
    expect(thumbnailSizesFor(640)).toEqual(['small']);
    expect(thumbnailSizesFor(100)).toEqual([]);
  });
});
