import { describe, expect, test } from 'vitest';
import { sanitizeCss } from '../../src/render/sanitize-css';

describe('macro CSS sanitizer', () => {
  test('keeps ordinary rules as written', () => {
    const css =
      '.macro-youtube{aspect-ratio:16/9}\n.tag-cloud a:hover { color: var(--pico-primary); background: url(/assets/bg.png) }\n@media (min-width: 40em) { .x { content: "a;b{c}" } }';
    expect(sanitizeCss(css)).toBe(css);
  });

  test.each([
    ['@import', '@import url(https://evil.example/x.css); .a{color:red}', ' .a{color:red}'],
    ['escaped @import', '@\\69mport "https://evil.example/x.css"; .a{color:red}', ' .a{color:red}'],
    ['url() to another origin', '.a{color:red;background:url(https://evil.example/t.png)}', '.a{color:red;}'],
    ['protocol-relative url()', '.a{background:url("//evil.example/t.png")}', '.a{}'],
    ['escaped url()', '.a{background:\\75 rl(https://evil.example/t.png)}', '.a{}'],
    ['image-set to another origin', '.a{background:image-set("https://evil.example/a.png" 1x)}', '.a{}'],
    ['data: URL', '.a{background:url(data:image/svg+xml,<svg onload=alert(1)>)}', '.a{}'],
    [
      'old script hooks',
      '.a{width:expression(alert(1));-moz-binding:url(x.xml#y);color:red}',
      '.a{color:red}',
    ],
    ['a stray closing brace', '} body{display:none}', ' body{display:none}'],
  ])('removes %s', (_name, css, expected) => {
    expect(sanitizeCss(css)).toBe(expected);
  });

  test('a </style> in a string or a selector cannot end the style element', () => {
    const out = sanitizeCss('.a::after{content:"</style><script>alert(1)</script>"} </style><script>x');
    expect(out).not.toMatch(/</);
    expect(out).toContain('\\3c /style');
  });

  test('closes blocks left open, so the rules after it stay rules', () => {
    expect(sanitizeCss('@media print { .a { color: red')).toBe('@media print { .a { color: red}}');
  });

  test('an unclosed comment cannot swallow what follows', () => {
    expect(sanitizeCss('.a{color:red} /* open')).toBe('.a{color:red} ');
  });
});
