/*
 * The preview frame's script (preview-document.ts), run inside the frame, an opaque-origin sandbox.
 * It is inlined into the frame's `srcdoc` exactly as written: the frame inherits the app page's
 * Content-Security-Policy, which allows it by its SHA-256 (scripts/app-policy.ts), so it is plain
 * JavaScript that no build step rewrites. The messages it takes and sends are typed in
 * preview-frame-script.ts.
 */
(() => {
  /** The HTML each top-level node was created from, so an unchanged node is kept as it is. */
  const sourceOf = new WeakMap();
  const htmlOf = (node) => (node instanceof Element ? node.outerHTML : (node.textContent ?? ''));

  /**
   * Replaces the body's children, but keeps each top-level node whose HTML did not change, so an
   * embedded video does not reload while the author types in another paragraph. Macros arrive
   * finished (the tag cloud is laid out in Python): nothing here draws.
   */
  const morph = (html) => {
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
  };

  /** The next scroll event is the frame following the editor, not the reader scrolling. */
  let followingEditor = false;

  addEventListener('message', (event) => {
    if (event.source !== parent) return;
    const message = event.data;
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

  addEventListener(
    'scroll',
    () => {
      if (followingEditor) {
        followingEditor = false;
        return;
      }
      const page = document.scrollingElement ?? document.documentElement;
      const range = page.scrollHeight - page.clientHeight;
      const fraction = range > 0 ? page.scrollTop / range : 0;
      parent.postMessage({ type: 'pymark:scrolled', fraction }, '*');
    },
    { passive: true },
  );

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const errorBox = target?.closest('[data-open-script]');
    if (errorBox instanceof HTMLElement) {
      const line = errorBox.dataset.line ? Number(errorBox.dataset.line) : null;
      parent.postMessage(
        { type: 'pymark:open-script', scriptId: errorBox.dataset.openScript ?? '', line },
        '*',
      );
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
  const reported = new Set();
  document.addEventListener('securitypolicyviolation', (event) => {
    const key = `${event.effectiveDirective} ${event.blockedURI}`;
    if (reported.has(key)) return;
    reported.add(key);
    parent.postMessage(
      { type: 'pymark:blocked', url: event.blockedURI, directive: event.effectiveDirective },
      '*',
    );
  });

  parent.postMessage({ type: 'pymark:preview-ready' }, '*');
})();
