import type { MacroContext, MacroOutput, MacroValue } from '../../src/core/abi';

/*
 * defaults/youtube.py in plain JavaScript, line for line: the baseline the Python macro is measured
 * against. Same validation, same warnings, same escaping (Python's html.escape), same HTML.
 */

const videoId = /^[A-Za-z0-9_-]{11}$/;
const allow = 'accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture';
const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
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
  const video = pythonStr(id);
  if (!videoId.test(video)) {
    return { html: '', warnings: ['youtube: id must be 11 characters of A-Z a-z 0-9 _ -'] };
  }
  const title = params.title ? pythonStr(params.title) : 'YouTube video';
  const [start, warnings] = startQuery(params.start);
  return {
    html:
      '<div class="macro-youtube">' +
      `<iframe src="https://www.youtube.com/embed/${escapeHtml(video)}?rel=0${start}" ` +
      `title="${escapeHtml(title)}" frameborder="0" allow="${allow}" allowfullscreen></iframe>` +
      '</div>',
    warnings,
  };
}

function startQuery(start: MacroValue | undefined): [string, string[]] {
  if (!start) return ['', []];
  if (start.type === 'int' && start.value >= 0) return [`&start=${start.value}`, []];
  return ['', ['youtube: start must be a whole number of seconds, 0 or more; ignored']];
}
