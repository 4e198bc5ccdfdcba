import { describe, expect, test } from 'vitest';
import { createHtmlSanitizer } from '../../src/render/sanitize-html';

const sanitize = createHtmlSanitizer();

const youtube =
  '<div class="macro-youtube"><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0&amp;start=30" title="A &quot;quoted&quot; title" frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture" allowfullscreen=""></iframe></div>';
const vimeo =
  '<div class="macro-vimeo"><iframe src="https://player.vimeo.com/video/76979871" title="Vimeo video" frameborder="0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen=""></iframe></div>';
const tagCloud =
  '<div class="macro-tag-cloud" data-tag-cloud="true" data-orientation="horizontal" data-tag-cloud-words="[{&quot;text&quot;:&quot;a&quot;}]" data-width="900" data-height="420"><svg class="tag-cloud-canvas" viewBox="0 0 900 420" preserveAspectRatio="xMidYMid meet" aria-label="Tag cloud"></svg></div>';

describe('macro HTML sanitizer', () => {
  test.each([
    ['youtube', youtube],
    ['vimeo', vimeo],
    ['tag cloud', tagCloud],
  ])('keeps the %s built-in markup intact', (_name, html) => {
    expect(sanitize(html)).toBe(html);
  });

  test('keeps youtube-nocookie embeds', () => {
    const html = '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"></iframe>';
    expect(sanitize(html)).toBe(html);
  });

  test.each([
    ['script element', '<p>hi</p><script>alert(1)</script>', '<p>hi</p>'],
    ['script in svg', '<svg><script>alert(1)</script></svg>', '<svg></svg>'],
    ['inline handler', '<img src="/a.png" onerror="alert(1)">', '<img src="/a.png">'],
    ['handler on div', '<div onclick="alert(1)" data-x="1">x</div>', '<div data-x="1">x</div>'],
    ['javascript: link', '<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['obfuscated javascript: link', '<a href="  JaVaScRiPt:alert(1)">x</a>', '<a>x</a>'],
    ['entity-encoded javascript: link', '<a href="&#106;avascript:alert(1)">x</a>', '<a>x</a>'],
    ['data: URL image', '<img src="data:text/html,<script>alert(1)</script>">', '<img>'],
    ['other iframe', '<iframe src="https://evil.example/embed/x"></iframe><p>after</p>', '<p>after</p>'],
    ['lookalike youtube host', '<iframe src="https://www.youtube.com.evil.example/embed/x"></iframe>', ''],
    ['javascript: iframe', '<iframe src="javascript:alert(1)"></iframe>', ''],
    ['srcdoc iframe', '<iframe srcdoc="<script>alert(1)</script>"></iframe>', ''],
    ['youtube path other than embed', '<iframe src="https://www.youtube.com/redirect?q=evil"></iframe>', ''],
    ['object', '<object data="x.swf"></object>', ''],
    ['style element', '<style>body{display:none}</style><p>x</p>', '<p>x</p>'],
    ['form', '<form action="https://evil.example"><input name="a"></form>', ''],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example">', ''],
    ['base href', '<base href="https://evil.example/">', ''],
    [
      'svg use of external resource',
      '<svg><use href="https://evil.example/x.svg#a"></use></svg>',
      '<svg></svg>',
    ],
    [
      'svg animate to javascript',
      '<svg><a><animate attributeName="href" values="javascript:alert(1)"></animate></a></svg>',
      '<svg><a></a></svg>',
    ],
    [
      'mutation-XSS noscript trick',
      '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
      '<p></p>',
    ],
  ])('removes %s', (_name, html, expected) => {
    expect(sanitize(html)).toBe(expected);
  });

  test('links that open a new window cannot reach back', () => {
    expect(sanitize('<a href="https://example.com" target="_blank">x</a>')).toBe(
      '<a href="https://example.com" target="_blank" rel="noopener noreferrer">x</a>',
    );
  });

  test('keeps relative and mail links', () => {
    const html =
      '<a href="/tag/c%2B%2B/">c++</a><a href="mailto:me@example.com">me</a><a href="#top">top</a>';
    expect(sanitize(html)).toBe(html);
  });
});

describe('mutation XSS: output reads the same when a browser parses it again', () => {
  test.each([
    [
      'svg breaking out through an HTML element',
      '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
      '<svg></svg><p></p><img src="1">"&gt;',
    ],
    ['math namespace confusion', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>', ''],
    ['form nested in a table', '<table><form><tr><td><img src=x onerror=alert(1)></td></tr></form></table>'],
    [
      'comment closing in an attribute',
      '<div title="--><img src=x onerror=alert(1)>">x</div>',
      '<div>x</div>',
    ],
    ['style closing in an attribute', '<p title="</style><img src=x onerror=alert(1)>">x</p>', '<p>x</p>'],
    ['template content', '<template><img src=x onerror=alert(1)></template><p>x</p>', '<p>x</p>'],
    [
      'iframe raw text',
      '<iframe src="https://player.vimeo.com/video/1"><img src=x onerror=alert(1)></iframe>',
    ],
    [
      'HTML inside svg title',
      '<svg><title><img src=x onerror=alert(1)></title></svg>',
      '<svg><title></title></svg>',
    ],
    ['xlink:href in svg', '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>'],
    ['srcset with javascript:', '<img srcset="/a.png 1x, javascript:alert(1) 2x">', '<img>'],
    ['control characters in a URL', '<a href="java\tscript:alert(1)">x</a>', '<a>x</a>'],
  ])('%s', (_name, html, expected?: string) => {
    const once = sanitize(html);
    if (expected !== undefined) expect(once).toBe(expected);
    expect(once).not.toMatch(/onerror|javascript:|<script|<style|<math/i);
    expect(sanitize(once)).toBe(once);
  });
});

describe('embed allowlist', () => {
  test('comes from the caller: another player can be allowed, and the defaults then no longer are', () => {
    const custom = createHtmlSanitizer(['https://player.example/embed/']);
    const allowed = '<iframe src="https://player.example/embed/abc-1?t=3"></iframe>';
    expect(custom(allowed)).toBe(allowed);
    expect(custom(vimeo)).toBe('<div class="macro-vimeo"></div>');
    expect(sanitize(allowed)).toBe('');
  });

  test('a prefix does not open the rest of its origin', () => {
    const custom = createHtmlSanitizer(['https://player.example/embed/']);
    expect(custom('<iframe src="https://player.example/embed/../admin"></iframe>')).toBe('');
    expect(custom('<iframe src="https://player.example/other/x"></iframe>')).toBe('');
  });
});
