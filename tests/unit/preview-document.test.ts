import { describe, expect, it } from 'vitest';
import type { RenderedPost } from '../../src/render/post-renderer';
import { blockedRequestWarning, previewDocument } from '../../src/render/preview-document';

const leak = '<img src="https://evil.example/leak.png?a=1&amp;b=2">';
const preview: RenderedPost = {
  body: '',
  html: `<p>Intro</p>${leak}<p><img src="https://other.example/chart.png"></p>`,
  warnings: [],
  css: [],
  macroCount: 1,
  executed: 1,
  macroOutputs: [{ macro: 'leak', line: 3, column: 1, html: leak }],
};

describe('the preview document', () => {
  it('lets requests go only to the app, data: and blob: media and the video players', () => {
    const policy = /content="([^"]+)"/.exec(previewDocument('http://localhost:4173', 'n0nce'))?.[1];
    expect(policy?.split('; ')).toEqual([
      "default-src 'none'",
      "script-src 'nonce-n0nce'",
      "style-src 'unsafe-inline'",
      'img-src http://localhost:4173 data: blob:',
      'media-src http://localhost:4173 data: blob:',
      'frame-src https://www.youtube.com https://www.youtube-nocookie.com https://player.vimeo.com',
      "base-uri 'none'",
      "form-action 'none'",
    ]);
  });
});

describe('a blocked request', () => {
  const blocked = (url: string) => blockedRequestWarning({ url, directive: 'img-src' }, preview);

  it('is warned about at the macro call whose HTML asked for it', () => {
    expect(blocked('https://evil.example/leak.png?a=1&b=2')).toEqual({
      message: expect.stringMatching(
        /^leak\.py: the preview blocked a request to https:\/\/evil\.example\/leak\.png\?a=1&b=2 \(img-src\)/,
      ),
      line: 3,
      column: 1,
    });
  });

  it('is put on the macro by its origin when the browser reports only that', () => {
    expect(blocked('https://evil.example')).toMatchObject({ message: expect.stringMatching(/^leak\.py: /) });
  });

  it('comes from the Markdown when no macro asked for it', () => {
    expect(blocked('https://other.example/chart.png')).toMatchObject({
      message: expect.stringMatching(/^The Markdown: /),
      line: 1,
      column: 1,
    });
  });

  it('is no longer warned about once the post stops asking for it', () => {
    expect(blocked('https://gone.example/x.png')).toBeUndefined();
  });
});
