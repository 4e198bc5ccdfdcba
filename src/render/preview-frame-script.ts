/*
 * The messages between the app and the preview frame's script (preview-frame.inline.js, plain
 * JavaScript so that its text, and so its hash in the app's policy, is the same in every build).
 */

/** Messages the app sends the frame. The HTML is already sanitized. */
export interface PreviewRenderMessage {
  type: 'pymark:render';
  html: string;
  /** The post's title, shown as the site's post page shows it. */
  title?: string;
  /** The styles the post's macros returned, sanitized (`RenderedPost.css`). */
  css?: string;
}

/** The app asks the frame to scroll to where the Markdown editor is: 0 is the top, 1 the bottom. */
export interface PreviewScrollMessage {
  type: 'pymark:scroll';
  fraction: number;
}

/** Messages the frame sends the app: a click on a macro error box asks to open that script. */
export interface PreviewOpenScriptMessage {
  type: 'pymark:open-script';
  scriptId: string;
  line: number | null;
}

/** The reader scrolled the preview: the Markdown editor follows. 0 is the top, 1 the bottom. */
export interface PreviewScrolledMessage {
  type: 'pymark:scrolled';
  fraction: number;
}

/** The frame's policy refused a request: the app shows it as a preview warning. */
export interface PreviewBlockedMessage {
  type: 'pymark:blocked';
  url: string;
  directive: string;
}
