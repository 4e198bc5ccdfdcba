import { type DefaultTreeAdapterTypes, html as htmlSpec, parseFragment, serialize } from 'parse5';
import { defaultEmbeds } from '../core/site-settings';

type ParentNode = DefaultTreeAdapterTypes.ParentNode;
type ChildNode = DefaultTreeAdapterTypes.ChildNode;
type Element = DefaultTreeAdapterTypes.Element;

const { NS } = htmlSpec;

/**
 * Where an `<iframe>` may point: URL prefixes such as `https://www.youtube.com/embed/`, each followed in
 * the `src` by a video id and an optional plain query. It is data (the site's `embeds` setting, default
 * YouTube and Vimeo), so a blogger can allow another player without a code change.
 */
export type EmbedAllowlist = readonly string[];

/** What may follow an allowed embed prefix: an id, then at most a query of plain characters. */
const embedTail = /^[\w-]+(?:\?[\w&=%.-]*)?$/;

/** Links and media may point at the web, a mail address, or the site itself; never `javascript:` or `data:`. */
const safeUrl = /^(?:https?:|mailto:|#|\/(?!\/)|\.{0,2}\/|[^:/?#]*(?:[/?#]|$))/i;

/** Characters a browser ignores in a URL, so `java\tscript:` cannot slip past `safeUrl`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what it must find
const urlWhitespace = /[\u0000-\u0020\u00A0\u1680\u180E\u2000-\u2029\u205F\u3000]/g;

/** HTML elements kept (children filtered in turn). */
const htmlElements = new Set([
  // text and structure
  ...['a', 'abbr', 'article', 'aside', 'b', 'blockquote', 'br', 'caption', 'cite', 'code', 'dd', 'del'],
  ...['details', 'dfn', 'div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'footer', 'h1', 'h2', 'h3'],
  ...['h4', 'h5', 'h6', 'header', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'mark', 'nav', 'ol', 'p'],
  ...['picture', 'pre', 'q', 's', 'samp', 'section', 'small', 'source', 'span', 'strong', 'sub'],
  ...['summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'time', 'tr', 'u', 'ul', 'var'],
  'wbr',
  // embeds, restricted further by the embed allowlist
  'iframe',
  // the root of drawings such as the tag cloud's canvas
  'svg',
]);

/** SVG elements kept inside an `<svg>`: shapes and text, nothing that loads or runs anything. */
const svgElements = new Set([
  ...['svg', 'g', 'text', 'tspan', 'title', 'desc', 'path', 'circle', 'ellipse', 'line', 'polyline'],
  ...['polygon', 'rect', 'a'],
]);

/**
 * Removed together with everything inside them: their content is code, a form's controls, a nested
 * document, or text a browser would show out of context. Other unknown elements are unwrapped.
 */
const droppedWithContent = new Set([
  ...['script', 'style', 'template', 'object', 'embed', 'noembed', 'noframes', 'xmp', 'plaintext'],
  ...['textarea', 'select', 'option', 'button', 'input', 'form', 'base', 'meta', 'link', 'head'],
  ...['frameset', 'frame', 'audio', 'video', 'math', 'use', 'animate', 'set', 'foreignobject'],
]);

const allowedAttributes = new Set([
  ...['alt', 'aria-describedby', 'aria-hidden', 'aria-label', 'aria-labelledby', 'cite', 'class'],
  ...['colspan', 'datetime', 'decoding', 'dir', 'height', 'href', 'id', 'lang', 'loading', 'name'],
  ...['open', 'rel', 'role', 'rowspan', 'scope', 'sizes', 'src', 'srcset', 'start', 'target', 'title'],
  ...['type', 'width'],
  // iframe players
  ...['allow', 'allowfullscreen', 'frameborder', 'referrerpolicy'],
  // svg
  ...['viewBox', 'preserveAspectRatio', 'xmlns', 'x', 'y', 'dx', 'dy', 'cx', 'cy', 'r', 'rx', 'ry'],
  ...['x1', 'x2', 'y1', 'y2', 'd', 'points', 'fill', 'stroke', 'stroke-width', 'transform'],
  ...['text-anchor', 'font-size', 'font-weight'],
]);

const urlAttributes = new Set(['href', 'src', 'cite']);

const dataAttribute = /^data-[\w.\u00B7-\uFFFF-]+$/;

/**
 * An attribute value that would close a raw-text element if a browser ever parsed it in another
 * context (the noscript and comment tricks of mutation XSS): such a value is dropped.
 */
const contextBreakout =
  /<\/(?:noscript|script|style|title|textarea|xmp|iframe|noembed|noframes|plaintext)|-->|\]\]>/i;

export type HtmlSanitizer = (html: string) => string;

/**
 * Every piece of macro HTML passes through this before it reaches any page: no scripts, no `on*`
 * handlers, no `javascript:` URLs, frames only for the players in `embeds`, `data-*` kept. Built on
 * parse5, not on a DOM, so the page, a worker and Node sanitize alike and the app's and the command
 * line's builds are byte-identical. The HTML is parsed as a browser parses a fragment in a `<div>`,
 * filtered against the allowlists, serialized, and parsed again: output that a second parse would
 * read differently (mutation XSS) is filtered again, and dropped if it still does not settle.
 */
export function createHtmlSanitizer(embeds: EmbedAllowlist = defaultEmbeds): HtmlSanitizer {
  const embeddable = (src: string) =>
    embeds.some((prefix) => src.startsWith(prefix) && embedTail.test(src.slice(prefix.length)));
  // The parser only reads its context element, so one serves every pass.
  const context = divContext();
  const pass = (html: string) => {
    const fragment = parseFragment(context, html, { scriptingEnabled: false });
    filterChildren(fragment, NS.HTML, embeddable);
    return serialize(fragment);
  };
  const sanitize = (html: string) => {
    const once = pass(html);
    // `pass` is a function of its input alone: HTML it gives back unchanged is settled.
    if (once === html) return once;
    const twice = pass(once);
    if (twice === once) return once;
    const thrice = pass(twice);
    return thrice === twice ? twice : '';
  };
  // The same HTML comes again when a call alike in many posts (a tag cloud) returned it to each of
  // them: remembered by content, the most recent few hundred pieces of a modest size.
  const known = new Map<string, string>();
  return (html) => {
    if (html.length > rememberedLength) return sanitize(html);
    let safe = known.get(html);
    if (safe === undefined) {
      safe = sanitize(html);
      if (known.size >= rememberedPieces) known.delete(known.keys().next().value!);
      known.set(html, safe);
    }
    return safe;
  };
}

/** What a sanitizer remembers: at most this many pieces of at most this many characters (10 MB). */
const rememberedPieces = 500;
const rememberedLength = 20_000;

function divContext(): Element {
  const [div] = parseFragment('<div></div>').childNodes;
  if (!div || !('tagName' in div)) throw new Error('parse5 did not parse a <div>');
  return div;
}

function filterChildren(parent: ParentNode, namespace: string, embeddable: (src: string) => boolean): void {
  const kept: ChildNode[] = [];
  for (const child of parent.childNodes) {
    if (child.nodeName === '#text') {
      kept.push(child);
      continue;
    }
    // Comments, doctypes and processing instructions carry nothing a post needs.
    if (!('tagName' in child)) continue;
    const verdict = judge(child, namespace, embeddable);
    if (verdict === 'drop') continue;
    filterChildren(child, child.namespaceURI, embeddable);
    if (verdict === 'keep') {
      kept.push(child);
      continue;
    }
    for (const grandchild of child.childNodes) {
      grandchild.parentNode = parent;
      kept.push(grandchild);
    }
  }
  parent.childNodes = kept;
}

/**
 * What happens to `element` found under a parent in `namespace`. An element must stay in the namespace
 * it was parsed in: HTML in HTML, SVG only inside `<svg>`. MathML and HTML inside SVG are dropped, the
 * usual carriers of namespace confusion.
 */
function judge(
  element: Element,
  namespace: string,
  embeddable: (src: string) => boolean,
): 'keep' | 'unwrap' | 'drop' {
  const name = element.tagName.toLowerCase();
  if (droppedWithContent.has(name)) return 'drop';
  if (element.namespaceURI === NS.SVG) {
    const root = name === 'svg';
    if (root ? namespace !== NS.HTML : namespace !== NS.SVG) return 'drop';
    if (!svgElements.has(name)) return 'unwrap';
  } else if (element.namespaceURI === NS.HTML) {
    if (namespace !== NS.HTML) return 'drop';
    if (!htmlElements.has(name)) return 'unwrap';
  } else {
    return 'drop';
  }
  filterAttributes(element);
  if (name === 'iframe') {
    const src = element.attrs.find((attribute) => attribute.name === 'src')?.value ?? '';
    if (!embeddable(src)) return 'drop';
    // A frame's children are raw text a browser never shows; serialized unescaped, they could only hurt.
    element.childNodes = [];
  }
  // A link that opens elsewhere must not hand that page a handle on ours.
  if (name === 'a' && element.attrs.some((attribute) => attribute.name === 'target')) {
    const rel = element.attrs.find((attribute) => attribute.name === 'rel');
    if (rel) rel.value = 'noopener noreferrer';
    else element.attrs.push({ name: 'rel', value: 'noopener noreferrer' });
  }
  return 'keep';
}

function filterAttributes(element: Element): void {
  element.attrs = element.attrs.filter(({ name, value, namespace }) => {
    // `xmlns` on <svg> is the only namespaced attribute kept; xlink:href and friends load things.
    if (namespace !== undefined && namespace !== NS.XMLNS) return false;
    if (!allowedAttributes.has(name) && !dataAttribute.test(name)) return false;
    if (contextBreakout.test(value)) return false;
    if (urlAttributes.has(name)) return safeUrl.test(value.replace(urlWhitespace, ''));
    if (name === 'srcset') return value.split(',').every((candidate) => safeUrl.test(candidate.trim()));
    return true;
  });
}
