/**
 * The preview's CSS, in one place: the site theme replaces this file so that the preview looks like
 * the published site. The rest of the preview (its frame, policy and script) does not style posts.
 */
export const previewTheme = `
  body { font: 16px/1.6 system-ui, sans-serif; color: #1f2937; margin: 1rem 1.25rem; overflow-wrap: anywhere; }
  img, iframe, svg { max-width: 100%; }
  pre { background: #f3f4f6; padding: .75rem; overflow: auto; border-radius: 6px; }
  .macro-youtube iframe, .macro-vimeo iframe { width: 100%; aspect-ratio: 16 / 9; height: auto; border: 0; }
  .macro-tag-cloud svg { width: 100%; height: auto; }
  .macro-tag-cloud a text:hover { text-decoration: underline; }
  .pymark-macro-unknown { background: #fef3c7; outline: 1px dashed #d97706; font-family: ui-monospace, monospace; font-size: .9em; }
  div.pymark-macro-unknown { padding: .5rem; margin: 1rem 0; }
  .pymark-macro-error { display: inline-block; background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; border-radius: 6px; padding: .1rem .4rem; cursor: pointer; font-size: .9em; }
  div.pymark-macro-error { display: block; padding: .6rem .8rem; margin: 1rem 0; }
`;
