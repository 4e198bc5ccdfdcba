import { previewFrameMain } from './preview-frame-script';
import { previewTheme } from './preview-theme';

const embedOrigins = 'https://www.youtube.com https://www.youtube-nocookie.com https://player.vimeo.com';

/**
 * The preview frame's document. Its own script is the only one that runs (a fresh nonce, and the
 * sanitizer strips scripts from macro HTML); frames may only be the video players.
 */
export function previewDocument(appOrigin: string, nonce = crypto.randomUUID().replaceAll('-', '')): string {
  const policy = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'unsafe-inline'",
    `img-src https: ${appOrigin}`,
    'media-src https:',
    `frame-src ${embedOrigins}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<style>${previewTheme}</style></head><body><main id="content"></main>
<script nonce="${nonce}">(${previewFrameMain.toString()})()</script></body></html>`;
}
