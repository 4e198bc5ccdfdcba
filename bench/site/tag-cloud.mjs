// The tag cloud of defaults/tag_cloud.py, ported to JavaScript for the Eleventy baseline: the same
// ranking, sizes, colours and spiral layout into the <svg>, so both builds draw the same cloud and the
// baseline does the same work. The markup is what pymark's pages hold after its sanitizer (parse5)
// serialized the macro's HTML: attribute values escaped as parse5 escapes them.
import { escapeAttribute, escapeText } from './html-escape.mjs';

const orientations = {
  horizontal: 'horizontal',
  'mixed-hv': 'mixed-hv',
  mixed_hv: 'mixed-hv',
  hv: 'mixed-hv',
  horizontal_vertical: 'mixed-hv',
  'mixed-diagonal': 'mixed-diagonal',
  mixed_diagonal: 'mixed-diagonal',
  diagonal: 'mixed-diagonal',
  diag: 'mixed-diagonal',
};
const angles = { horizontal: [0], 'mixed-hv': [0, 90], 'mixed-diagonal': [0, -30, 30, -60, 60, 90] };
const [smallest, largest, equal] = [14, 56, 35];
const [blue, green, red] = [
  [74, 99, 146],
  [53, 117, 56],
  [183, 72, 72],
];
const easing = 0.7;
const padding = 4;

/**
 * The cloud's HTML for tag counts (`[tag, count]` of published posts), as the macro returns it for
 * `[[tag_cloud orientation=… width=… height=…]]`; a bad argument falls back to its default, as there.
 */
export function tagCloudHtml(counts, { orientation = 'horizontal', width = 900, height = 420 } = {}) {
  const turn = orientations[String(orientation).trim().toLowerCase()] ?? 'horizontal';
  const [w, h] = [pickSize(width, 320, 1600, 900), pickSize(height, 180, 900, 420)];
  const words = cloudWords(counts);
  if (words.length === 0) return '<div class="macro-tag-cloud tag-cloud-empty">No tags found.</div>';
  return (
    `<div class="macro-tag-cloud" data-tag-cloud="true" data-orientation="${escapeAttribute(turn)}" ` +
    'data-color-distribution="quantile" data-color-easing="0.7" data-color-theme="pico" ' +
    `data-tag-cloud-words="${escapeAttribute(JSON.stringify(words))}" data-width="${w}" data-height="${h}">` +
    `<svg class="tag-cloud-canvas" viewBox="0 0 ${w} ${h}" preserveAspectRatio="xMidYMid meet" ` +
    `aria-label="Tag cloud">${draw(words, turn, w, h)}</svg></div>`
  );
}

/** A whole number in range, or the default; a string counts by its leading digits (parseInt). */
function pickSize(value, low, high, fallback) {
  const number = typeof value === 'string' ? Number.parseInt(value, 10) : value;
  return Number.isInteger(number) && number >= low && number <= high ? number : fallback;
}

/** Most used first, then by name in the Python's locale order; sized from 14 to 56 by count. */
function cloudWords(counts) {
  if (counts.length === 0) return [];
  const values = counts.map(([, count]) => count);
  const [fewest, most] = [Math.min(...values), Math.max(...values)];
  const size = (count) =>
    most === fewest
      ? equal
      : Math.floor(smallest + ((count - fewest) / (most - fewest)) * (largest - smallest) + 0.5);
  const ranked = [...counts].sort(
    ([tagA, countA], [tagB, countB]) => countB - countA || compareKeys(localeKey(tagA), localeKey(tagB)),
  );
  return ranked.map(([text, count]) => ({
    text,
    size: size(count),
    count,
    url: `/tag/${encodeURIComponent(text)}/`,
  }));
}

// ASCII spaces, punctuation and symbols in the root collation's order; they all come before digits.
const asciiMarks = ' _-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$';

/**
 * tag_cloud.py's `locale_key`: base letters, then accents, then case, then the text itself. Close to
 * the Python for the tags people write; JavaScript has no combining classes (an accent counts as 1) nor
 * casefold (the lower case of the upper case stands in: ß folds to ss).
 */
function localeKey(text) {
  const decomposed = text.normalize('NFD');
  const base = [...decomposed].filter((char) => !/\p{M}/u.test(char));
  return [
    base.flatMap((char) => [...charClass(char), char.toUpperCase().toLowerCase()]),
    [...decomposed].map((char) => (/\p{M}/u.test(char) ? 1 : 0)),
    base.map((char) => (char !== char.toLowerCase() ? 1 : 0)),
    [text],
  ];
}

function charClass(char) {
  const mark = asciiMarks.indexOf(char);
  if (mark >= 0) return [0, mark];
  if (/\p{Nd}/u.test(char)) return [2, 0];
  if (/\p{L}/u.test(char)) return [3, 0];
  return [1, /\s/u.test(char) ? 0 : /\p{P}/u.test(char) ? 1 : 2];
}

/** Python's ordering of tuples, for the nested arrays `localeKey` makes. */
function compareKeys(a, b) {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const [x, y] = [a[index], b[index]];
    const order = Array.isArray(x) ? compareKeys(x, y) : x < y ? -1 : x > y ? 1 : 0;
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

/** Placed on a spiral out from the centre, largest first, none overlapping; no room, left out. */
function draw(words, orientation, width, height) {
  const counts = [...new Set(words.map((word) => word.count))].sort((a, b) => a - b);
  const turns = angles[orientation];
  const placed = [];
  const noRoom = [];
  let svg = '';
  words.forEach((word, index) => {
    const angle = turns[index % turns.length];
    const box = wordBox(word.text, word.size, angle);
    if (noRoom.some(([w, h]) => box[0] >= w && box[1] >= h)) return;
    const spot = findSpot(box, placed, width, height);
    if (spot === undefined) {
      noRoom.push(box);
      return;
    }
    const [x, y] = spot;
    placed.push([x - box[0] / 2, y - box[1] / 2, x + box[0] / 2, y + box[1] / 2]);
    const rotate = angle ? ` rotate(${angle})` : '';
    svg +=
      `<a href="${escapeAttribute(word.url)}"><title>${escapeText(`${word.text} (${word.count})`)}</title>` +
      `<text transform="translate(${fixed1(x)} ${fixed1(y)})${rotate}" y="${fixed1(word.size * 0.35)}" ` +
      `font-size="${word.size}" text-anchor="middle" fill="${colour(word.count, counts)}">` +
      `${escapeText(word.text)}</text></a>`;
  });
  return svg;
}

function wordBox(text, size, angle) {
  const advance = [...text].reduce((sum, char) => sum + glyphWidth(char), 0) * size;
  const height = size * 1.1;
  const radians = angle * (Math.PI / 180);
  const [cos, sin] = [Math.abs(Math.cos(radians)), Math.abs(Math.sin(radians))];
  return [advance * cos + height * sin + padding, advance * sin + height * cos + padding];
}

/** Python's `unicodedata.east_asian_width` in ("W", "F"), for the scripts tags are written in. */
const wide =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303F\uFF01-\uFF60\uFFE0-\uFFE6]/u;

function glyphWidth(char) {
  if ("iljtf.,;:'!|() ".includes(char)) return 0.32;
  if ('mwMW'.includes(char)) return 0.86;
  if (wide.test(char)) return 1.0;
  return char !== char.toLowerCase() ? 0.66 : 0.56;
}

function findSpot(box, placed, width, height) {
  if (box[0] > width || box[1] > height) return undefined;
  const [halfWidth, halfHeight] = [box[0] / 2, box[1] / 2];
  for (let step = 0; step < 3000; step++) {
    const theta = step * 0.1;
    const x = width / 2 + (2 * theta * Math.cos(theta) * width) / height;
    const y = height / 2 + 2 * theta * Math.sin(theta);
    const [left, top, right, bottom] = [x - halfWidth, y - halfHeight, x + halfWidth, y + halfHeight];
    if (left < 0 || top < 0 || right > width || bottom > height) {
      if (2 * theta > Math.max(width, height)) return undefined;
      continue;
    }
    if (!placed.some(([l, t, r, b]) => left < r && l < right && top < b && t < bottom)) return [x, y];
  }
  return undefined;
}

function colour(count, counts) {
  const quantile = counts.length > 1 ? counts.indexOf(count) / (counts.length - 1) : 1;
  const stops = [blue, green, mix(green, red, 0.45), mix(green, red, 0.72), red];
  const position = quantile ** easing * (stops.length - 1);
  const low = Math.min(Math.trunc(position), stops.length - 2);
  const [r, g, b] = mix(stops[low], stops[low + 1], position - low);
  return `rgb(${r},${g},${b})`;
}

function mix(start, end, share) {
  return start.map((a, index) => roundHalfEven(a + (end[index] - a) * share));
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(value) {
  const floor = Math.floor(value);
  const rest = value - floor;
  if (rest !== 0.5) return rest < 0.5 ? floor : floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Python's `f"{value:.1f}"`: the nearest tenth, a tie to the even tenth. A double lies exactly halfway
 * between tenths only when four times it is an odd whole number (x.25, x.75); `toFixed` rounds those up.
 */
function fixed1(value) {
  const quarters = value * 4;
  if (!Number.isInteger(quarters) || quarters % 2 === 0) return value.toFixed(1);
  const tenths = Math.floor(value * 10);
  return ((tenths % 2 === 0 ? tenths : tenths + 1) / 10).toFixed(1);
}
