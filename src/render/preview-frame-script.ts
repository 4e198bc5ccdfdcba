/*
 * Runs inside the preview frame, an opaque-origin sandbox. It is inlined into the frame's document
 * with `Function.prototype.toString`, so it must not refer to anything outside its own body.
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

export function previewFrameMain(): void {
  /** The HTML each top-level node was created from, so an unchanged node is kept as it is. */
  const sourceOf = new WeakMap<Node, string>();
  const htmlOf = (node: Node) => (node instanceof Element ? node.outerHTML : (node.textContent ?? ''));

  /**
   * Replaces the body's children, but keeps each top-level node whose HTML did not change, so an
   * embedded video does not reload while the author types in another paragraph. Macros arrive
   * finished (the tag cloud is laid out in Python): nothing here draws.
   */
  function morph(html: string): void {
    const template = document.createElement('template');
    template.innerHTML = html;
    const incoming = [...template.content.childNodes];
    const content = document.getElementById('content');
    if (!content) return;
    const current = [...content.childNodes];
    incoming.forEach((node, index) => {
      const existing = current[index];
      const source = htmlOf(node);
      if (existing && sourceOf.get(existing) === source) return;
      sourceOf.set(node, source);
      if (existing) content.replaceChild(node, existing);
      else content.appendChild(node);
    });
    for (const extra of current.slice(incoming.length)) extra.remove();
  }

  addEventListener('message', (event: MessageEvent) => {
    if (event.source !== parent) return;
    const message = event.data as Partial<PreviewRenderMessage> | Partial<PreviewScrollMessage> | null;
    if (message?.type === 'pymark:render' && typeof message.html === 'string') {
      morph(message.html);
      const title = document.getElementById('title');
      if (title && typeof message.title === 'string') title.textContent = message.title;
      const macroCss = document.getElementById('macro-css');
      // Only when it changed: a new stylesheet makes the page lay out again.
      if (macroCss && typeof message.css === 'string' && macroCss.textContent !== message.css)
        macroCss.textContent = message.css;
    } else if (message?.type === 'pymark:scroll' && typeof message.fraction === 'number') {
      const page = document.scrollingElement ?? document.documentElement;
      const top = Math.min(Math.max(message.fraction, 0), 1) * (page.scrollHeight - page.clientHeight);
      // Only a real move fires a scroll event; that one follows the editor and is not sent back.
      if (Math.abs(page.scrollTop - top) >= 1) {
        followingEditor = true;
        page.scrollTop = top;
      }
    }
  });

  /** The next scroll event is the frame following the editor, not the reader scrolling. */
  let followingEditor = false;
  addEventListener(
    'scroll',
    () => {
      if (followingEditor) {
        followingEditor = false;
        return;
      }
      const page = document.scrollingElement ?? document.documentElement;
      const range = page.scrollHeight - page.clientHeight;
      const scrolled: PreviewScrolledMessage = {
        type: 'pymark:scrolled',
        fraction: range > 0 ? page.scrollTop / range : 0,
      };
      parent.postMessage(scrolled, '*');
    },
    { passive: true },
  );

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const errorBox = target?.closest<HTMLElement>('[data-open-script]');
    if (errorBox) {
      const request: PreviewOpenScriptMessage = {
        type: 'pymark:open-script',
        scriptId: errorBox.dataset.openScript ?? '',
        line: errorBox.dataset.line ? Number(errorBox.dataset.line) : null,
      };
      parent.postMessage(request, '*');
      return;
    }
    // Links open outside the preview, never inside the sandbox.
    const link = target?.closest('a');
    if (link) {
      event.preventDefault();
      const href = link.getAttribute('href');
      if (href && /^https?:/.test(href)) open(href, '_blank', 'noopener');
    }
  });

  // Each refused URL once per frame: the morph keeps unchanged nodes, so it is not requested again.
  const reported = new Set<string>();
  document.addEventListener('securitypolicyviolation', (event) => {
    const key = `${event.effectiveDirective} ${event.blockedURI}`;
    if (reported.has(key)) return;
    reported.add(key);
    const blocked: PreviewBlockedMessage = {
      type: 'pymark:blocked',
      url: event.blockedURI,
      directive: event.effectiveDirective,
    };
    parent.postMessage(blocked, '*');
  });

  parent.postMessage({ type: 'pymark:preview-ready' }, '*');
}
