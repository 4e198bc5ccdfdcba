import { describe, expect, it } from 'vitest';
import { sanitizeCss } from '../../src/render/sanitize-css';

describe('sanitizeCss', () => {
  it('keeps ordinary styles and URLs of the page’s own origin', () => {
    const css =
      '.cloud { color: #333; background: url("/img/bg.png") no-repeat; }\n.x { background: url(data:image/png;base64,AAA=) }';
    expect(sanitizeCss(css)).toBe(css);
  });

  it('refuses @import and url() to other origins', () => {
    expect(sanitizeCss('@import url("https://evil.example/x.css");\n.a { color: red }')).toBe(
      '.a { color: red }',
    );
    expect(sanitizeCss('.a { background: url(https://evil.example/t.png) }')).toBe('.a { background: none }');
    expect(sanitizeCss(".a { background: url('//evil.example/t.png') }")).toBe('.a { background: none }');
  });

  it('drops what it cannot vouch for', () => {
    expect(sanitizeCss('.a { background: \\75 rl(https://evil.example/t.png) }')).toBe('');
    expect(sanitizeCss('.a { color: red } </style><script>alert(1)</script>')).toBe('');
    expect(sanitizeCss('.a { background: image-set("https://evil.example/t.png" 1x) }')).toBe('');
    expect(sanitizeCss('.a { background: url(https://evil.example/t.png')).toBe('');
    expect(sanitizeCss('@imp/**/ort "https://evil.example/x.css";')).toBe('');
  });
});
