import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { z } from 'zod';
import { previewDocument } from '../render/preview-document';
import type { PreviewRenderMessage, PreviewScrollMessage } from '../render/preview-frame-script';
import { previewStyles } from '../render/preview-theme';
import { defaultTheme } from '../site/theme';

/** What the preview frame may say; anything else is ignored. */
const frameMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pymark:preview-ready') }),
  z.object({
    type: z.literal('pymark:open-script'),
    scriptId: z.string().min(1),
    line: z.number().int().positive().nullable(),
  }),
  z.object({ type: z.literal('pymark:blocked'), url: z.string().max(4096), directive: z.string().max(64) }),
  z.object({ type: z.literal('pymark:scrolled'), fraction: z.number().min(0).max(1) }),
]);

/**
 * Shows rendered (sanitized) post HTML in an opaque-origin, credentialless frame: its scripts cannot
 * reach the app, and cross-origin players load although the app is cross-origin isolated. Emits
 * `open-script` ({ scriptId, line }) when a macro error box is clicked, `preview-blocked`
 * ({ url, directive }) when the frame's policy refused a request, and `preview-scroll` (0 to 1) when
 * the reader scrolled it.
 */
@customElement('pymark-post-preview')
export class PostPreview extends LitElement {
  static override styles = css`
    :host {
      display: block;
      min-height: 0;
    }
    iframe {
      width: 100%;
      height: 100%;
      border: 1px solid var(--border);
      border-radius: 6px;
    }
  `;

  @property() html = '';
  /** The post's title, above its body as on the site's post page. */
  @property() postTitle = '';
  /** The styles the post's macros returned (sanitized), each once. */
  @property({ attribute: false }) macroCss: readonly string[] = [];
  @query('iframe') private frame!: HTMLIFrameElement;

  private ready = false;
  /** The site theme's stylesheets, inlined: the frame fetches nothing, and looks like the site. */
  private readonly srcdoc = previewDocument(location.origin, undefined, previewStyles(defaultTheme));

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('message', this.onMessage);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('message', this.onMessage);
    this.ready = false;
  }

  override render() {
    return html`<iframe
      title="Post preview"
      sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox allow-presentation"
      allow="autoplay; encrypted-media; fullscreen; picture-in-picture"
      credentialless
      .srcdoc=${this.srcdoc}
    ></iframe>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('html') || changed.has('postTitle') || changed.has('macroCss')) this.send();
  }

  /** Scrolls the preview to the same place as the Markdown: 0 the top, 1 the bottom. */
  scrollToFraction(fraction: number): void {
    if (!this.ready) return;
    const message: PreviewScrollMessage = { type: 'pymark:scroll', fraction };
    this.frame.contentWindow?.postMessage(message, '*');
  }

  private send(): void {
    if (!this.ready) return;
    const message: PreviewRenderMessage = {
      type: 'pymark:render',
      html: this.html,
      title: this.postTitle,
      css: this.macroCss.join('\n'),
    };
    // The frame has an opaque origin, so '*' is the only target origin that reaches it.
    this.frame.contentWindow?.postMessage(message, '*');
  }

  private readonly onMessage = (event: MessageEvent): void => {
    if (!this.frame || event.source !== this.frame.contentWindow) return;
    const parsed = frameMessageSchema.safeParse(event.data);
    if (!parsed.success) return;
    if (parsed.data.type === 'pymark:preview-ready') {
      this.ready = true;
      this.send();
    } else if (parsed.data.type === 'pymark:scrolled') {
      this.dispatchEvent(
        new CustomEvent('preview-scroll', { detail: parsed.data.fraction, bubbles: true, composed: true }),
      );
    } else if (parsed.data.type === 'pymark:blocked') {
      const { url, directive } = parsed.data;
      this.dispatchEvent(
        new CustomEvent('preview-blocked', { detail: { url, directive }, bubbles: true, composed: true }),
      );
    } else {
      const { scriptId, line } = parsed.data;
      this.dispatchEvent(
        new CustomEvent('open-script', { detail: { scriptId, line }, bubbles: true, composed: true }),
      );
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-post-preview': PostPreview;
  }
}
