import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { previewDocument } from '../../src/render/preview-document';
import { previewStyles } from '../../src/render/preview-theme';

// The files src/site/theme.ts bundles (vitest hands `?raw` CSS over empty, so they are read here).
const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');
const defaultTheme = {
  picoCss: read('../../node_modules/@picocss/pico/css/pico.min.css'),
  css: read('../../src/site/theme/theme.css'),
};

const policyOf = (document: string) => /content="([^"]+)"/.exec(document)?.[1];

describe('the preview in the site theme', () => {
  const themed = previewDocument('http://localhost:4173', 'n0nce', previewStyles(defaultTheme));

  it('inlines the stylesheets the site build links, in the same order', () => {
    const picoAt = themed.indexOf(defaultTheme.picoCss);
    const themeAt = themed.indexOf(defaultTheme.css);
    expect(picoAt).toBeGreaterThan(0);
    expect(themeAt).toBeGreaterThan(picoAt);
    // The post sits in the markup the theme's post page gives it, so the theme's rules apply.
    expect(themed).toMatch(
      /<main class="container"><article class="post">[\s\S]*<div class="post-content" id="content">/,
    );
  });

  it('keeps the policy of the unthemed preview, and asks for nothing the policy refuses', () => {
    expect(policyOf(themed)).toBe(policyOf(previewDocument('http://localhost:4173', 'n0nce')));
    expect(themed).not.toMatch(/<link\b|@import/);
    // Every url() in the CSS is data:, which the policy allows for images; no fonts, no other origins.
    const urls = [...themed.matchAll(/url\(\s*["']?([^"')\s]+)/g)].map((match) => match[1]!);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.filter((url) => !url.startsWith('data:'))).toEqual([]);
  });
});
