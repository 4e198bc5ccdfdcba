import type { MacroContext, MacroOutput, MacroValue } from '../../src/core/abi';

/*
 * defaults/youtube.py in plain JavaScript, line for line: the baseline the Python macro is measured
 * against. Same validation, same warnings, same escaping (Liquid's, as the Python macro does it), same HTML.
 */

const videoId = /^[A-Za-z0-9_-]+$/;
const allow = 'accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture';
const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => escapes[char]!);
}

/** Python's `str()` of a macro value: booleans are spelled `True`/`False`. */
function pythonStr({ type, value }: MacroValue): string {
  if (type === 'bool') return value ? 'True' : 'False';
  return String(value);
}

export function renderYoutube(context: MacroContext): MacroOutput {
  const { params } = context;
  const id = params.id;
  if (!id) return { html: '', warnings: ['youtube: id is required'] };
  // Python's str.strip() trims whitespace, as trim() does here.
  const video = pythonStr(id).trim();
  if (!videoId.test(video)) {
    return { html: '', warnings: ['youtube: id must be letters A-Z a-z, digits 0-9, _ and -'] };
  }
  const title = params.title ? pythonStr(params.title) : 'YouTube video';
  const [start, warnings] = startQuery(params.start);
  const wrapper = context.placement === 'inline' ? 'span' : 'div';
  return {
    html:
      `<${wrapper} class="macro-youtube">` +
      `<iframe src="https://www.youtube.com/embed/${escapeHtml(video)}?rel=0${start}" ` +
      `title="${escapeHtml(title)}" frameborder="0" allow="${allow}" allowfullscreen></iframe>` +
      `</${wrapper}>`,
    warnings,
  };
}

function startQuery(start: MacroValue | undefined): [string, string[]] {
  if (!start) return ['', []];
  if (start.type === 'int' && start.value >= 0) return [`&start=${start.value}`, []];
  return ['', ['youtube: start must be a whole number of seconds, 0 or more; ignored']];
}
