/**
 * The preview's CSS. The post itself is styled by the site theme's own stylesheets, passed in by the
 * caller (the bundled theme lives in src/site, a layer above this one), so what the author sees is
 * what the site build publishes; the macro CSS of the post follows with each render. This file adds
 * only what the preview shows and the site never does: the marks on unknown, failed and misplaced
 * macro calls.
 */
const previewMarks = `
  .pymark-macro-unknown { background: #fef3c7; color: #1f2937; outline: 1px dashed #d97706; font-family: ui-monospace, monospace; font-size: .9em; }
  div.pymark-macro-unknown { padding: .5rem; margin: 1rem 0; }
  .pymark-macro-error { display: inline-block; background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; border-radius: 6px; padding: .1rem .4rem; cursor: pointer; font-size: .9em; }
  div.pymark-macro-error { display: block; padding: .6rem .8rem; margin: 1rem 0; }
  .pymark-macro-placement { outline: 1px dashed #d97706; }
  /* Try a macro shows a call with no post around it. */
  .post > header:has(#title:empty) { display: none; }
`;

/** A site theme's stylesheets, in the order its pages link them. */
export interface SiteThemeStyles {
  /** Pico CSS, on which the bundled theme is built. */
  picoCss: string;
  /** The theme's own CSS. */
  css: string;
}

/** The preview frame's stylesheet: the site theme's, then the preview's marks. */
export function previewStyles(theme?: SiteThemeStyles): string {
  return theme ? [theme.picoCss, theme.css, previewMarks].join('\n') : previewMarks;
}
