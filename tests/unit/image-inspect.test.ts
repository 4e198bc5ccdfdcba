import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectImage } from '../../src/core/image-inspect';
import { jpegBytes } from './jpeg-bytes';

describe('inspectImage', () => {
  it('reads a JPEG’s size and the date the photo was taken', () => {
    expect(inspectImage(jpegBytes(640, 480, '2025:07:04 18:30:05'), 'a.jpg')).toEqual({
      ok: true,
      image: {
        mimeType: 'image/jpeg',
        extension: 'jpg',
        width: 640,
        height: 480,
        takenAt: '2025-07-04T18:30:05.000Z',
      },
    });
  });

  it('ignores a zeroed camera clock', () => {
    const inspection = inspectImage(jpegBytes(10, 10, '0000:00:00 00:00:00'), 'a.jpg');
    expect(inspection.ok && inspection.image.takenAt).toBeUndefined();
  });

  it('reads a real PNG', () => {
    const png = new Uint8Array(readFileSync(new URL('../../docs/screenshot.png', import.meta.url)));
    const inspection = inspectImage(png, 'shot.png');
    expect(inspection).toMatchObject({ ok: true, image: { mimeType: 'image/png', extension: 'png' } });
    const { width, height } = inspection.ok ? inspection.image : { width: 0, height: 0 };
    // The IHDR fields at their fixed offsets, read independently of the chunk walk.
    const header = new DataView(png.buffer, png.byteOffset);
    expect([width, height]).toEqual([header.getUint32(16), header.getUint32(20)]);
  });

  it('refuses a renamed text file, naming it', () => {
    expect(inspectImage(new TextEncoder().encode('hello, world'), 'photo.jpg')).toEqual({
      ok: false,
      reason: 'photo.jpg is not an image Pymark can use (JPEG, PNG, GIF or WebP)',
    });
  });

  it('refuses a truncated JPEG, at every cut', () => {
    const whole = jpegBytes(64, 48, '2025:07:04 18:30:05');
    for (let length = 1; length < whole.length - 1; length++) {
      const inspection = inspectImage(whole.subarray(0, length), 'cut.jpg');
      expect(inspection.ok, `cut at ${length}`).toBe(false);
    }
  });

  it('refuses a truncated PNG', () => {
    const png = new Uint8Array(readFileSync(new URL('../../docs/screenshot.png', import.meta.url)));
    const inspection = inspectImage(png.subarray(0, png.length - 20), 'shot.png');
    expect(inspection).toEqual({ ok: false, reason: expect.stringMatching(/^shot\.png is a truncated PNG/) });
  });

  it('refuses an empty file', () => {
    expect(inspectImage(new Uint8Array(), 'x.png')).toEqual({ ok: false, reason: 'x.png is empty' });
  });
});
