import { previewFrameMain } from './preview-frame-script';

const embedOrigins = 'https://www.youtube.com https://www.youtube-nocookie.com https://player.vimeo.com';

const previewStyles = `
  body { font: 16px/1.6 system-ui, sans-serif; color: #1f2937; margin: 1rem 1.25rem; overflow-wrap: anywhere; }
  img, iframe, svg { max-width: 100%; }
  pre { background: #f3f4f6; padding: .75rem; overflow: auto; border-radius: 6px; }
  .macro-youtube iframe, .macro-vimeo iframe { width: 100%; aspect-ratio: 16 / 9; height: auto; border: 0; }
  .macro-tag-cloud svg { width: 100%; height: auto; }
  .macro-tag-cloud a text:hover { text-decoration: underline; }
  .pymark-macro-unknown { background: #fef3c7; outline: 1px dashed #d97706; font-family: ui-monospace, monospace; font-size: .9em; }
  div.pymark-macro-unknown { padding: .5rem; margin: 1rem 0; }
  .pymark-macro-error { display: inline-block; background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; border-radius: 6px; padding: .1rem .4rem; cursor: pointer; font-size: .9em; }
  div.pymark-macro-error { display: block; padding: .6rem .8rem; margin: 1rem 0; }
`;

/**
 * The preview frame's document. Its own script is the only one that runs (a fresh nonce, and the
 * sanitizer strips scripts from macro HTML); frames may only be the video players.
 */
export function previewDocument(appOrigin: string, nonce = crypto.randomUUID().replaceAll('-', '')): string {
  const policy = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'unsafe-inline'",
    // data: for the project's images, which the app inlines from its store (ui/preview-media.ts).
    `img-src https: data: ${appOrigin}`,
    'media-src https:',
    `frame-src ${embedOrigins}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<style>${previewStyles}</style></head><body><main id="content"></main>
<script nonce="${nonce}">(${previewFrameMain.toString()})()</script></body></html>`;
}
