/*
 * Whether a macro's HTML can stand inside a paragraph. HTML's parser ends a `<p>` at the start tag
 * of any of these elements, so an inline call returning one would split its paragraph in two.
 */

const paragraphClosers =
  /<(address|article|aside|blockquote|details|dialog|div|dl|fieldset|figcaption|figure|footer|form|h[1-6]|header|hgroup|hr|main|menu|nav|ol|p|pre|search|section|table|ul)(?=[\s/>])/i;

/** The first element in `html` that would end an enclosing paragraph, lower-cased; undefined if none. */
export function blockElementIn(html: string): string | undefined {
  return paragraphClosers.exec(html)?.[1]?.toLowerCase();
}
