/*
 * A macro's styles (ABI v1.1), made safe to include in a page: they may load nothing from another
 * origin, and cannot break out of the <style> element they go in. Deliberately strict: what it
 * cannot vouch for it drops, since styles are an extra and a page works without them.
 */

/** Functions that load what they name; only `url()` is kept, and only for the page's own origin. */
const loadingFunctions = /\b(?:-webkit-)?image-set\(|\bsrc\(/i;

/**
 * `css` without comments, `@import` rules, or `url()`s to other origins (replaced by `none`); the
 * empty string if it holds a backslash (an escape could spell out what the checks look for), a `<`
 * (it could end the <style> element), another loading function, or a `url(` it cannot read.
 */
export function sanitizeCss(css: string): string {
  const text = css.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, '');
  if (/[\\<]/.test(text) || loadingFunctions.test(text)) return '';
  const withoutImports = text.replace(/@import\b[^;]*(?:;|$)/gi, '');
  const urls = /\burl\(\s*(?:"([^"]*)"|'([^']*)'|([^\s"')]*))\s*\)/gi;
  const checked = withoutImports.replace(urls, (whole, double?: string, single?: string, bare?: string) =>
    isOwnOrigin(double ?? single ?? bare ?? '') ? whole : 'none',
  );
  // A url( the pattern above could not read (unclosed, or with odd quoting) is not let through.
  const unread = checked.replace(urls, '');
  return /\burl\(/i.test(unread) || /@import/i.test(checked) ? '' : checked.trim();
}

/** A relative URL (no scheme, no `//` host) or a `data:` URL loads nothing from another origin. */
function isOwnOrigin(url: string): boolean {
  if (/^data:/i.test(url)) return true;
  return !/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('//');
}
