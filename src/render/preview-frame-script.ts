/*
 * Runs inside the preview frame, an opaque-origin sandbox. It is inlined into the frame's document
 * with `Function.prototype.toString`, so it must not refer to anything outside its own body.
 */

/** Messages the app sends the frame. The HTML is already sanitized. */
export interface PreviewRenderMessage {
  type: 'pymark:render';
  html: string;
}

/** Messages the frame sends the app: a click on a macro error box asks to open that script. */
export interface PreviewOpenScriptMessage {
  type: 'pymark:open-script';
  scriptId: string;
  line: number | null;
}

/** The frame's policy refused a request: the app shows it as a preview warning. */
export interface PreviewBlockedMessage {
  type: 'pymark:blocked';
  url: string;
  directive: string;
}

export function previewFrameMain(): void {
  const palette = ['#1f4e79', '#2f6ea5', '#0e7490', '#15803d', '#a16207', '#b91c1c'];

  /** The HTML each top-level node was created from; drawing a tag cloud changes the live node. */
  const sourceOf = new WeakMap<Node, string>();
  const htmlOf = (node: Node) => (node instanceof Element ? node.outerHTML : (node.textContent ?? ''));

  /**
   * Replaces the body's children, but keeps each top-level node whose HTML did not change, so an
   * embedded video does not reload while the author types in another paragraph.
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
    for (const cloud of content.querySelectorAll<HTMLElement>('[data-tag-cloud]:not([data-drawn])')) {
      drawTagCloud(cloud);
    }
  }

  interface Word {
    text: string;
    size: number;
    count: number;
    url: string;
  }

  /** Places words on an Archimedean spiral out from the centre, skipping spots that overlap. */
  function drawTagCloud(cloud: HTMLElement): void {
    const svg = cloud.querySelector('svg');
    if (!svg) return;
    cloud.setAttribute('data-drawn', '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(cloud.dataset.tagCloudWords ?? '[]');
    } catch {
      return;
    }
    // A user's macro writes this data; draw only the words shaped as the built-in writes them.
    const words = (Array.isArray(parsed) ? parsed : []).filter(isWord);
    const width = Number(cloud.dataset.width) || 900;
    const height = Number(cloud.dataset.height) || 420;
    const orientation = cloud.dataset.orientation ?? 'horizontal';
    const counts = words.map((word) => word.count).sort((a, b) => a - b);
    const placed: DOMRect[] = [];
    const bounds = svg.getBoundingClientRect();
    const ns = 'http://www.w3.org/2000/svg';
    words.forEach((word, index) => {
      const angle =
        orientation === 'mixed-hv'
          ? (index % 2) * -90
          : orientation === 'mixed-diagonal'
            ? [0, -45, 45][index % 3]
            : 0;
      const link = document.createElementNS(ns, 'a');
      link.setAttribute('href', word.url);
      const text = document.createElementNS(ns, 'text');
      text.textContent = word.text;
      text.setAttribute('font-size', String(word.size));
      text.setAttribute('text-anchor', 'middle');
      // Quantile colouring: a word's colour says which share of counts it is in.
      const quantile = counts.indexOf(word.count) / Math.max(1, counts.length - 1);
      text.setAttribute(
        'fill',
        palette[Math.min(palette.length - 1, Math.floor(quantile ** 0.7 * palette.length))] ?? '',
      );
      link.appendChild(text);
      svg.appendChild(link);
      for (let step = 0; step < 2_000; step++) {
        const theta = step * 0.35;
        const x = width / 2 + 4 * theta * Math.cos(theta);
        const y = height / 2 + 2.5 * theta * Math.sin(theta);
        text.setAttribute('transform', `translate(${x.toFixed(1)} ${y.toFixed(1)}) rotate(${angle})`);
        const box = text.getBoundingClientRect();
        if (contains(bounds, box) && !placed.some((other) => overlaps(box, other))) {
          placed.push(box);
          return;
        }
      }
      link.remove();
    });
  }

  function isWord(value: unknown): value is Word {
    if (typeof value !== 'object' || value === null) return false;
    const word = value as Record<string, unknown>;
    return (
      typeof word.text === 'string' &&
      typeof word.url === 'string' &&
      // Site paths and web pages only: never a `javascript:` link smuggled in through the data.
      /^(?:https?:\/\/|\/(?!\/))/.test(word.url) &&
      Number.isFinite(word.size) &&
      Number.isFinite(word.count)
    );
  }

  function contains(outer: DOMRect, inner: DOMRect): boolean {
    return (
      inner.left >= outer.left &&
      inner.right <= outer.right &&
      inner.top >= outer.top &&
      inner.bottom <= outer.bottom
    );
  }

  function overlaps(a: DOMRect, b: DOMRect): boolean {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  addEventListener('message', (event: MessageEvent) => {
    const message = event.data as Partial<PreviewRenderMessage> | null;
    if (event.source !== parent || message?.type !== 'pymark:render' || typeof message.html !== 'string')
      return;
    morph(message.html);
  });

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
