import createDOMPurify, { type Config, type WindowLike } from 'dompurify';

/**
 * Embeds a macro may produce. Anything else in an `<iframe src>` removes the whole iframe: a frame is
 * a window onto another origin, and only these players are worth that.
 */
const embeddablePlayer =
  /^https:\/\/(?:www\.youtube\.com\/embed\/|www\.youtube-nocookie\.com\/embed\/|player\.vimeo\.com\/video\/)[\w-]+(?:\?[\w&=%.-]*)?$/;

/** Links and media may point at the web, a mail address, or the site itself; never `javascript:` or `data:`. */
const safeUrl = /^(?:https?:|mailto:|#|\/(?!\/)|\.{0,2}\/|[^:/?#]*(?:[/?#]|$))/i;

const config: Config = {
  ALLOWED_TAGS: [
    // text and structure
    'a',
    'abbr',
    'article',
    'aside',
    'b',
    'blockquote',
    'br',
    'caption',
    'cite',
    'code',
    'dd',
    'del',
    'details',
    'dfn',
    'div',
    'dl',
    'dt',
    'em',
    'figcaption',
    'figure',
    'footer',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'header',
    'hr',
    'i',
    'img',
    'ins',
    'kbd',
    'li',
    'mark',
    'nav',
    'ol',
    'p',
    'picture',
    'pre',
    'q',
    's',
    'samp',
    'section',
    'small',
    'source',
    'span',
    'strong',
    'sub',
    'summary',
    'sup',
    'table',
    'tbody',
    'td',
    'tfoot',
    'th',
    'thead',
    'time',
    'tr',
    'u',
    'ul',
    'var',
    'wbr',
    // embeds, restricted further by `embeddablePlayer`
    'iframe',
    // drawings such as the tag cloud's canvas
    'svg',
    'g',
    'text',
    'tspan',
    'title',
    'desc',
    'path',
    'circle',
    'ellipse',
    'line',
    'polyline',
    'polygon',
    'rect',
  ],
  ALLOWED_ATTR: [
    'alt',
    'aria-describedby',
    'aria-hidden',
    'aria-label',
    'aria-labelledby',
    'cite',
    'class',
    'colspan',
    'datetime',
    'decoding',
    'dir',
    'height',
    'href',
    'id',
    'lang',
    'loading',
    'name',
    'open',
    'rel',
    'role',
    'rowspan',
    'scope',
    'sizes',
    'src',
    'srcset',
    'start',
    'target',
    'title',
    'type',
    'width',
    // iframe players
    'allow',
    'allowfullscreen',
    'frameborder',
    'referrerpolicy',
    // svg
    'viewBox',
    'preserveAspectRatio',
    'xmlns',
    'x',
    'y',
    'dx',
    'dy',
    'cx',
    'cy',
    'r',
    'rx',
    'ry',
    'x1',
    'x2',
    'y1',
    'y2',
    'd',
    'points',
    'fill',
    'stroke',
    'stroke-width',
    'transform',
    'text-anchor',
    'font-size',
    'font-weight',
  ],
  ALLOW_DATA_ATTR: true,
  ALLOW_ARIA_ATTR: false,
  ALLOWED_URI_REGEXP: safeUrl,
  FORBID_TAGS: [
    'script',
    'style',
    'object',
    'embed',
    'form',
    'input',
    'button',
    'textarea',
    'select',
    'base',
    'meta',
    'link',
  ],
  KEEP_CONTENT: true,
};

export type HtmlSanitizer = (html: string) => string;

/**
 * Every piece of macro HTML passes through this before it reaches any page: no scripts, no `on*`
 * handlers, no `javascript:` URLs, frames only for the YouTube and Vimeo players, `data-*` kept.
 * Takes the window so Node tests can hand it a jsdom window.
 */
export function createHtmlSanitizer(window: WindowLike): HtmlSanitizer {
  const purify = createDOMPurify(window);
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName === 'IFRAME' && !embeddablePlayer.test((node as Element).getAttribute('src') ?? '')) {
      node.parentNode?.removeChild(node);
      return;
    }
    // A link that opens elsewhere must not hand that page a handle on ours.
    if (node.nodeName === 'A' && (node as Element).getAttribute('target')) {
      (node as Element).setAttribute('rel', 'noopener noreferrer');
    }
  });
  return (html) => purify.sanitize(html, config) as string;
}
