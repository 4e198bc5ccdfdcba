import type { RenderedPost, RenderWarning } from './post-renderer';
import frameScript from './preview-frame.inline.js?raw';
import { previewStyles } from './preview-theme';

/**
 * The players a post may embed. For now the built-in macros' YouTube and Vimeo; per project in the
 * site settings later.
 */
const embedOrigins = 'https://www.youtube.com https://www.youtube-nocookie.com https://player.vimeo.com';

/** The frame's script, as inlined; the app page's policy lists its SHA-256 (scripts/app-policy.ts). */
export const previewFrameScript: string = frameScript;

/** A request the preview frame's policy refused, as the frame reports it. */
export interface BlockedRequest {
  /** As the browser reports it: the full URL, or only its origin or scheme when it hides the rest. */
  url: string;
  /** The CSP directive that refused it, e.g. `img-src`. */
  directive: string;
}

/**
 * The preview frame's document. Its own script is the only one that runs (a fresh nonce here, its
 * hash in the app page's policy, which a `srcdoc` inherits; and the sanitizer strips scripts from
 * macro HTML). Nothing a post shows may send what a macro read to
 * another site, so the frame loads images and media only from the app itself, `data:` and `blob:`,
 * frames only from the embed allowlist, and nothing else (no fonts, no fetches, no prefetches).
 */
export function previewDocument(
  appOrigin: string,
  nonce = crypto.randomUUID().replaceAll('-', ''),
  /** The frame's CSS, inlined like everything else (`preview-theme.ts`): the site theme's in the app. */
  styles = previewStyles(),
): string {
  const policy = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    "style-src 'unsafe-inline'",
    // data: for the project's images, which the app inlines from its store (ui/preview-media.ts).
    `img-src ${appOrigin} data: blob:`,
    `media-src ${appOrigin} data: blob:`,
    `frame-src ${embedOrigins}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="color-scheme" content="light dark">
<style>${styles}</style><style id="macro-css"></style></head><body>
<main class="container"><article class="post"><header><h1 id="title"></h1></header>
<div class="post-content" id="content"></div></article></main>
<script nonce="${nonce}">${previewFrameScript}</script></body></html>`;
}

/**
 * The preview warning for a blocked request, at the macro call whose HTML asked for it (else at the
 * top of the post: the Markdown itself did); `undefined` once `preview` no longer asks for it.
 */
export function blockedRequestWarning(
  blocked: BlockedRequest,
  preview: RenderedPost,
): RenderWarning | undefined {
  const { exactly, byOrigin } = mentionTests(blocked.url);
  const outputs = preview.macroOutputs ?? [];
  const inPost = exactly(preview.html);
  if (!inPost && !byOrigin(preview.html)) return undefined;
  // The browser may report only the origin of a URL it hides; the exact URL is the better clue.
  const output =
    outputs.find((candidate) => exactly(candidate.html)) ??
    (inPost ? undefined : outputs.find((candidate) => byOrigin(candidate.html)));
  const what = `the preview blocked a request to ${blocked.url} (${blocked.directive}): a post may load only this app's files, data: and blob: media and the allowed video players`;
  return output
    ? { message: `${output.macro}.py: ${what}`, line: output.line, column: output.column }
    : { message: `The Markdown: ${what}`, line: 1, column: 1 };
}

/** Whether HTML asks for `url`: as written (`&` possibly escaped), or only by its origin. */
function mentionTests(url: string): {
  exactly: (html: string) => boolean;
  byOrigin: (html: string) => boolean;
} {
  let origin: string | undefined;
  try {
    const parsed = new URL(url);
    origin = parsed.origin === 'null' ? undefined : parsed.origin;
  } catch {
    origin = undefined;
  }
  const escaped = url.replaceAll('&', '&amp;');
  return {
    exactly: (html) => html.includes(url) || html.includes(escaped),
    byOrigin: (html) => origin !== undefined && html.includes(origin),
  };
}
