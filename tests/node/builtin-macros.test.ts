import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MacroOutput } from '../../src/core/abi.ts';
import { createPythonRunner, type PythonRunner } from '../../src/runtime/python-runner.ts';
import {
  context,
  loadMacroHarness,
  type MacroHarness,
  post,
  runCollectingOutput,
  typed,
} from './macro-harness.ts';

const root = new URL('../../', import.meta.url);
const sourceOf = (path: string) => readFileSync(new URL(path, root), 'utf8');

let harness: MacroHarness;
let runner: PythonRunner;

beforeAll(async () => {
  harness = await loadMacroHarness();
  // Before any call: what the runner holds must be in the interpreter's first checkpoint, as in the worker.
  runner = createPythonRunner(harness.pyodide);
});

function installSite(posts: Parameters<MacroHarness['installSite']>[0]): void {
  harness.installSite(posts);
}

/** Renders defaults/<macro>.py through the macro engine in real Pyodide. */
function render(macro: string, params: Record<string, string | number | boolean> = {}): MacroOutput {
  const typedParams = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, typed(value)]));
  const script = {
    id: macro,
    version: 1,
    slug: macro,
    body: sourceOf(`defaults/${macro}.py`),
    entrypoint: 'render',
  };
  const item = harness.renderOne(script, context(macro, typedParams));
  if (item.kind !== 'ok') throw new Error(item.message);
  return { html: item.html, warnings: item.warnings };
}

/** A Python value as plain JS. */
function toPlainJs(value: unknown): unknown {
  if (!(value instanceof harness.pyodide.ffi.PyProxy)) return value;
  try {
    return (value as { toJs(options: object): unknown }).toJs({ dict_converter: Object.fromEntries });
  } finally {
    value.destroy();
  }
}

describe('pymark.site', () => {
  it('is read-only all the way down', () => {
    installSite([{ ...post('published', ['a']), front_matter: { cover: { src: 'a.png' } } }]);
    const errors = harness.pyodide.runPython(`
from pymark import site
changes = (
    'site.posts[0]["title"] = "x"',
    'site.posts[0]["tags"].append("b")',
    'site.posts[0]["front_matter"]["cover"]["src"] = "b.png"',
    'site.posts = ()',
)
errors = []
for change in changes:
    try:
        exec(change)
    except (TypeError, AttributeError) as error:
        errors.append(type(error).__name__)
errors
`);
    expect(toPlainJs(errors)).toEqual(['TypeError', 'AttributeError', 'TypeError', 'AttributeError']);
  });

  it("counts the tags of drafts too when asked, in a utility (a macro's site data holds no draft)", () => {
    installSite([post('published', ['a']), post('draft', ['a', 'b'])]);
    const { result, printed } = runCollectingOutput(runner, {
      fileName: 'counts.py',
      code: 'from pymark import site\nprint(site.tag_counts(published_only=False))\n',
      entrypoint: 'main',
    });
    expect(result).toMatchObject({ kind: 'ok' });
    expect(printed).toBe("{'a': 2, 'b': 1}\n");
  });
});

const youtubeAllow =
  'accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture';

function youtubeEmbed(src: string, title: string): string {
  return (
    `<div class="macro-youtube"><iframe src="${src}" title="${title}" frameborder="0" ` +
    `allow="${youtubeAllow}" allowfullscreen></iframe></div>`
  );
}

describe('youtube', () => {
  it('embeds a video with the default title', () => {
    expect(render('youtube', { id: 'dQw4w9WgXcQ' })).toEqual({
      html: youtubeEmbed('https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0', 'YouTube video'),
      warnings: [],
    });
  });

  it('starts at the given second', () => {
    expect(render('youtube', { id: 'dQw4w9WgXcQ', start: 43, title: 'Rick' }).html).toBe(
      youtubeEmbed('https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0&start=43', 'Rick'),
    );
  });

  it('escapes a hostile title as the reference app does', () => {
    expect(render('youtube', { id: 'a-b_c-d_e-f', title: `"><script>alert(1)</script> & 'x'` }).html).toBe(
      youtubeEmbed(
        'https://www.youtube.com/embed/a-b_c-d_e-f?rel=0',
        '&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39;',
      ),
    );
  });

  it('embeds any id of letters, digits, _ and -, trimmed, as the reference app does', () => {
    for (const id of ['abc123', 'x', 'A_very-long_id_of_30_characters']) {
      expect(render('youtube', { id: ` ${id} ` }).html).toBe(
        youtubeEmbed(`https://www.youtube.com/embed/${id}?rel=0`, 'YouTube video'),
      );
    }
  });

  it('accepts an unquoted all-digit id, which arrives as an int', () => {
    expect(render('youtube', { id: 12345678901 }).html).toBe(
      youtubeEmbed('https://www.youtube.com/embed/12345678901?rel=0', 'YouTube video'),
    );
  });

  it('warns instead of embedding when the id is missing or malformed', () => {
    expect(render('youtube', { title: 'x' })).toEqual({ html: '', warnings: ['youtube: id is required'] });
    const malformed = { html: '', warnings: ['youtube: id must be letters A-Z a-z, digits 0-9, _ and -'] };
    for (const id of ['', 'a b', 'dQw4w9WgXc?x=1', '"><img src=x>', 'caf\u00e9']) {
      expect(render('youtube', { id })).toEqual(malformed);
    }
  });

  it('ignores a start that is not a whole number of seconds, with a warning', () => {
    for (const start of [-1, 1.5, '43', true]) {
      expect(render('youtube', { id: 'dQw4w9WgXcQ', start })).toEqual({
        html: youtubeEmbed('https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0', 'YouTube video'),
        warnings: ['youtube: start must be a whole number of seconds, 0 or more; ignored'],
      });
    }
  });
});

function vimeoEmbed(id: string, title: string): string {
  return (
    `<div class="macro-vimeo"><iframe src="https://player.vimeo.com/video/${id}" title="${title}" ` +
    'frameborder="0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe></div>'
  );
}

describe('vimeo', () => {
  it('embeds an unquoted (int) id with the default title', () => {
    expect(render('vimeo', { id: 76979871 })).toEqual({
      html: vimeoEmbed('76979871', 'Vimeo video'),
      warnings: [],
    });
  });

  it('embeds a quoted id and escapes a hostile title', () => {
    expect(render('vimeo', { id: '76979871', title: `"><script>alert(1)</script> & 'x'` }).html).toBe(
      vimeoEmbed('76979871', '&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39;'),
    );
  });

  it('embeds any id of letters, digits, _ and -, as the reference app does', () => {
    for (const id of ['12a', 'abc_DEF-9', -5]) {
      expect(render('vimeo', { id }).html).toBe(vimeoEmbed(String(id), 'Vimeo video'));
    }
  });

  it('warns instead of embedding when the id is missing or has other characters', () => {
    expect(render('vimeo')).toEqual({ html: '', warnings: ['vimeo: id is required'] });
    for (const id of [1.5, '', '1 2', '1"2']) {
      expect(render('vimeo', { id })).toEqual({
        html: '',
        warnings: ['vimeo: id must be letters A-Z a-z, digits 0-9, _ and -'],
      });
    }
  });
});

interface CloudWord {
  text: string;
  size: number;
  count: number;
  url: string;
}

/** Liquid's `escape`, which the reference app's templates apply to every interpolated string. */
function liquidEscape(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&#34;')
    .replaceAll("'", '&#39;');
}

/** The reference app's tag cloud markup (REFERENCE.md 2.5) around an empty <svg>. */
function tagCloud(words: CloudWord[], orientation = 'horizontal', width = 900, height = 420): string {
  return (
    `<div class="macro-tag-cloud" data-tag-cloud="true" data-orientation="${orientation}" ` +
    'data-color-distribution="quantile" data-color-easing="0.7" data-color-theme="pico" ' +
    `data-tag-cloud-words="${liquidEscape(JSON.stringify(words))}" data-width="${width}" data-height="${height}">` +
    `<svg class="tag-cloud-canvas" viewBox="0 0 ${width} ${height}" preserveAspectRatio="xMidYMid meet" ` +
    'aria-label="Tag cloud"></svg></div>'
  );
}

/** The cloud's markup with what Python drew inside the <svg> left out, to compare with `tagCloud`. */
function undrawn(html: string): string {
  return html.replace(/(<svg [^>]*>)[\s\S]*(<\/svg>)/, '$1$2');
}

/** The words of a cloud, for tests about the words alone. */
function wordsOf(html: string): CloudWord[] {
  const attribute = /data-tag-cloud-words="([^"]*)"/.exec(html)?.[1];
  if (attribute === undefined) throw new Error(`no words in ${html}`);
  const text = attribute
    .replaceAll('&#34;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
  return JSON.parse(text) as CloudWord[];
}

/** A word as the reference app computes it: its URL through encodeURIComponent. */
const word = (text: string, size: number, count: number): CloudWord => ({
  text,
  size,
  count,
  url: `/tag/${encodeURIComponent(text)}/`,
});

/** The words Python drew: link, title, size and position of each, read back with a DOM parser. */
function drawnWords(html: string) {
  const { document } = new JSDOM(html).window;
  return [...document.querySelectorAll('svg a')].map((link) => {
    const text = link.querySelector('text');
    const [, x = '', y = ''] =
      /translate\(([-\d.]+) ([-\d.]+)\)/.exec(text?.getAttribute('transform') ?? '') ?? [];
    return {
      href: link.getAttribute('href'),
      title: link.querySelector('title')?.textContent,
      text: text?.textContent,
      size: Number(text?.getAttribute('font-size')),
      fill: text?.getAttribute('fill'),
      x: Number(x),
      y: Number(y),
    };
  });
}

describe('tag_cloud', () => {
  it('counts published tags once per post, trimmed, sorted by count then name', () => {
    installSite([
      post('published', ['python', ' web ', 'python', '']),
      post('published', ['python', 'web']),
      post('published', ['python', 'art', '  ']),
      post('draft', ['draft-only', 'art', 'art']),
    ]);
    const { html, warnings } = render('tag_cloud');
    expect(warnings).toEqual([]);
    expect(undrawn(html)).toBe(tagCloud([word('python', 56, 3), word('web', 35, 2), word('art', 14, 1)]));
  });

  it('matches the reference example: TypeScript×3, Electron×2, SQLite×1', () => {
    installSite([
      post('published', ['TypeScript', 'Electron', 'SQLite']),
      post('published', ['TypeScript', 'Electron']),
      post('published', ['TypeScript']),
    ]);
    expect(wordsOf(render('tag_cloud').html)).toEqual(
      JSON.parse(
        '[{"text":"TypeScript","size":56,"count":3,"url":"/tag/TypeScript/"},' +
          '{"text":"Electron","size":35,"count":2,"url":"/tag/Electron/"},' +
          '{"text":"SQLite","size":14,"count":1,"url":"/tag/SQLite/"}]',
      ),
    );
  });

  it('gives every word size 35 when all counts are equal', () => {
    installSite([post('published', ['b', 'a']), post('published', ['c'])]);
    expect(wordsOf(render('tag_cloud').html)).toEqual([word('a', 35, 1), word('b', 35, 1), word('c', 35, 1)]);
  });

  it('rounds sizes half up, as Math.round in the reference app', () => {
    // Counts 1..5: sizes 14 + (count - 1) / 4 * 42 = 14, 24.5, 35, 45.5, 56.
    installSite([
      post('published', ['one', 'two', 'three', 'four', 'five']),
      post('published', ['two', 'three', 'four', 'five']),
      post('published', ['three', 'four', 'five']),
      post('published', ['four', 'five']),
      post('published', ['five']),
    ]);
    const sizes = wordsOf(render('tag_cloud').html).map(({ text, size }) => [text, size]);
    expect(sizes).toEqual(
      [5, 4, 3, 2, 1].map((count, index) => [
        ['five', 'four', 'three', 'two', 'one'][index],
        Math.round(14 + ((count - 1) / 4) * 42),
      ]),
    );
    expect(sizes.map(([, size]) => size)).toEqual([56, 46, 35, 25, 14]);
  });

  it('orders equal counts as localeCompare does', () => {
    const tags = ['b', 'B', 'a', 'ä', 'Ä', 'A', 'a b', 'a-b', 'a_b', 'a1', '1a', 'Zeta', 'zeta', 'éclair'];
    tags.push('eclair', 'Eclair', 'c++', 'c#', 'x.y', 'x,y', 'x/y', 'x$y', 'Ωmega', 'omega');
    installSite([post('published', tags)]);
    expect(wordsOf(render('tag_cloud').html).map(({ text }) => text)).toEqual(
      [...tags].sort((a, b) => a.localeCompare(b)),
    );
  });

  it('encodes tag URLs as encodeURIComponent and escapes hostile tag names', () => {
    const tags = ['c++', 'machine learning', 'café', 'a/b', `<b>&"'`, "it's (fun)!*~", '日本', '?#%'];
    installSite([post('published', tags)]);
    const { html } = render('tag_cloud');
    const sorted = [...tags].sort((a, b) => a.localeCompare(b));
    expect(undrawn(html)).toBe(tagCloud(sorted.map((tag) => word(tag, 35, 1))));
    expect(html).not.toContain('<b>');
    expect(drawnWords(html).map(({ href, text }) => [href, text])).toEqual(
      sorted.map((tag) => [`/tag/${encodeURIComponent(tag)}/`, tag]),
    );
  });

  it('draws every word into the svg in Python: a link, its size, a tooltip and a colour by quantile', () => {
    installSite([
      post('published', ['python', 'web', 'art']),
      post('published', ['python', 'web']),
      post('published', ['python']),
    ]);
    const { html } = render('tag_cloud', { width: 600, height: 300 });
    const drawn = drawnWords(html);
    expect(drawn.map(({ href, title, text, size }) => ({ href, title, text, size }))).toEqual([
      { href: '/tag/python/', title: 'python (3)', text: 'python', size: 56 },
      { href: '/tag/web/', title: 'web (2)', text: 'web', size: 35 },
      { href: '/tag/art/', title: 'art (1)', text: 'art', size: 14 },
    ]);
    for (const { x, y } of drawn) {
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(600);
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThan(300);
    }
    // The most used word is the centre's; the least used takes the first colour stop (blue), the most the last (red).
    expect(drawn[0]).toMatchObject({ x: 300, y: 150, fill: 'rgb(183,72,72)' });
    expect(drawn[2]?.fill).toBe('rgb(74,99,146)');
    // The same tags draw the same cloud: a re-render changes nothing in the preview.
    expect(render('tag_cloud', { width: 600, height: 300 }).html).toBe(html);
  });

  it('leaves out words that find no room rather than overlap them', () => {
    const tags = Array.from({ length: 300 }, (_, index) => `tag${index}`);
    installSite([post('published', tags)]);
    const { html } = render('tag_cloud', { width: 320, height: 180 });
    expect(wordsOf(html)).toHaveLength(300);
    const drawn = drawnWords(html);
    expect(drawn.length).toBeGreaterThan(0);
    expect(drawn.length).toBeLessThan(300);
  });

  it('takes orientations and their aliases in any case', () => {
    installSite([post('published', ['a'])]);
    const aliases: Record<string, string[]> = {
      horizontal: ['horizontal', 'HORIZONTAL'],
      'mixed-hv': ['mixed-hv', 'mixed_hv', 'hv', 'horizontal_vertical', ' HV '],
      'mixed-diagonal': ['mixed-diagonal', 'mixed_diagonal', 'diagonal', 'diag', 'Diag'],
    };
    for (const [orientation, names] of Object.entries(aliases)) {
      for (const name of names) {
        const { html, warnings } = render('tag_cloud', { orientation: name });
        expect(warnings).toEqual([]);
        expect(undrawn(html)).toBe(tagCloud([word('a', 35, 1)], orientation));
      }
    }
  });

  it('turns words by the orientation: none, a right angle, or diagonals', () => {
    installSite([post('published', ['a', 'b', 'c', 'd'])]);
    const angles = (orientation: string) =>
      [
        ...render('tag_cloud', { orientation }).html.matchAll(
          /<text transform="[^"]*?(?:rotate\((-?\d+)\))?"/g,
        ),
      ].map((match) => Number(match[1] ?? 0));
    expect(angles('horizontal')).toEqual([0, 0, 0, 0]);
    expect(angles('mixed-hv')).toEqual([0, 90, 0, 90]);
    expect(angles('mixed-diagonal')).toEqual([0, -30, 30, -60]);
  });

  it('uses the given size within bounds, quoted or not (the reference app reads "1200" with parseInt)', () => {
    installSite([post('published', ['a'])]);
    expect(undrawn(render('tag_cloud', { width: 320, height: 900 }).html)).toBe(
      tagCloud([word('a', 35, 1)], 'horizontal', 320, 900),
    );
    expect(undrawn(render('tag_cloud', { width: 1600, height: 180 }).html)).toBe(
      tagCloud([word('a', 35, 1)], 'horizontal', 1600, 180),
    );
    const quoted = render('tag_cloud', { width: '1200', height: ' 300px' });
    expect(quoted.warnings).toEqual([]);
    expect(undrawn(quoted.html)).toBe(tagCloud([word('a', 35, 1)], 'horizontal', 1200, 300));
  });

  it('falls back to the default, with a warning, for an unknown orientation or a bad size', () => {
    installSite([post('published', ['a'])]);
    const { html, warnings } = render('tag_cloud', { orientation: 'vertical', width: 319, height: 901 });
    expect(undrawn(html)).toBe(tagCloud([word('a', 35, 1)]));
    expect(warnings).toEqual([
      'tag_cloud: orientation must be horizontal, mixed-hv or mixed-diagonal; using horizontal',
      'tag_cloud: width must be a whole number from 320 to 1600; using 900',
      'tag_cloud: height must be a whole number from 180 to 900; using 420',
    ]);
    expect(render('tag_cloud', { width: 500.5, height: 'tall' }).warnings).toEqual([
      'tag_cloud: width must be a whole number from 320 to 1600; using 900',
      'tag_cloud: height must be a whole number from 180 to 900; using 420',
    ]);
  });

  it('says so when no published post has a tag', () => {
    installSite([post('draft', ['a']), post('published', [' '])]);
    expect(render('tag_cloud')).toEqual({
      html: '<div class="macro-tag-cloud tag-cloud-empty">No tags found.</div>',
      warnings: [],
    });
  });
});
