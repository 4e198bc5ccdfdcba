// Text as pymark's pages hold it: its sanitizer re-serializes every macro's HTML with parse5, which
// escapes these characters (the HTML standard's serialization), whatever the macro itself escaped.
const attributeEntities = { '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;', '\u00a0': '&nbsp;' };

/** An attribute value, as parse5 serializes it. */
export function escapeAttribute(text) {
  return String(text).replace(/["&<>\u00a0]/g, (char) => attributeEntities[char]);
}

/** Text between tags, as parse5 serializes it. */
export function escapeText(text) {
  return String(text).replace(/[&<>\u00a0]/g, (char) => attributeEntities[char]);
}
