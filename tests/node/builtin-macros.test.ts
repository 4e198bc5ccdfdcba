import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MacroOutput } from '../../src/core/abi.ts';
import { context, loadMacroHarness, type MacroHarness, post, typed } from './macro-harness.ts';

const root = new URL('../../', import.meta.url);
const sourceOf = (path: string) => readFileSync(new URL(path, root), 'utf8');

let harness: MacroHarness;

beforeAll(async () => {
  harness = await loadMacroHarness();
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

  it('counts the tags of drafts too when asked', () => {
    installSite([post('published', ['a']), post('draft', ['a', 'b'])]);
    expect(
      toPlainJs(harness.pyodide.runPython('from pymark import site\nsite.tag_counts(published_only=False)')),
    ).toEqual({
      a: 2,
      b: 1,
    });
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

  it('escapes a hostile title', () => {
    expect(render('youtube', { id: 'a-b_c-d_e-f', title: '"><script>alert(1)</script>' }).html).toBe(
      youtubeEmbed(
        'https://www.youtube.com/embed/a-b_c-d_e-f?rel=0',
        '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;',
      ),
    );
  });

  it('accepts an unquoted all-digit id, which arrives as an int', () => {
    expect(render('youtube', { id: 12345678901 }).html).toBe(
      youtubeEmbed('https://www.youtube.com/embed/12345678901?rel=0', 'YouTube video'),
    );
  });

  it('warns instead of embedding when the id is missing or malformed', () => {
    expect(render('youtube', { title: 'x' })).toEqual({ html: '', warnings: ['youtube: id is required'] });
    const malformed = { html: '', warnings: ['youtube: id must be 11 characters of A-Z a-z 0-9 _ -'] };
    expect(render('youtube', { id: 'dQw4w9WgXc' })).toEqual(malformed);
    expect(render('youtube', { id: '"><img src=x>' })).toEqual(malformed);
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
      vimeoEmbed('76979871', '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#x27;x&#x27;'),
    );
  });

  it('warns instead of embedding when the id is missing or not digits', () => {
    expect(render('vimeo')).toEqual({ html: '', warnings: ['vimeo: id is required'] });
    for (const id of ['12a', -5, 1.5, '']) {
      expect(render('vimeo', { id })).toEqual({ html: '', warnings: ['vimeo: id must be digits 0-9'] });
    }
  });
});

interface CloudWord {
  text: string;
  size: number;
  count: number;
  url: string;
}

function tagCloud(words: CloudWord[], orientation = 'horizontal', width = 900, height = 420): string {
  const wordsAttribute = JSON.stringify(words)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#x27;');
  return (
    `<div class="macro-tag-cloud" data-tag-cloud="true" data-orientation="${orientation}" ` +
    'data-color-distribution="quantile" data-color-easing="0.7" data-color-theme="pico" ' +
    `data-tag-cloud-words="${wordsAttribute}" data-width="${width}" data-height="${height}">` +
    `<svg class="tag-cloud-canvas" viewBox="0 0 ${width} ${height}" preserveAspectRatio="xMidYMid meet" ` +
    'aria-label="Tag cloud"></svg></div>'
  );
}

/** The words of a cloud, for tests about the words alone. */
function wordsOf(html: string): CloudWord[] {
  const attribute = /data-tag-cloud-words="([^"]*)"/.exec(html)?.[1];
  if (attribute === undefined) throw new Error(`no words in ${html}`);
  const text = attribute
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
  return JSON.parse(text) as CloudWord[];
}

const word = (text: string, size: number, count: number, url = `/tag/${text}/`): CloudWord => ({
  text,
  size,
  count,
  url,
});

describe('tag_cloud', () => {
  it('counts published tags once per post, trimmed, sorted by count then name', () => {
    installSite([
      post('published', ['python', ' web ', 'python', '']),
      post('published', ['python', 'web']),
      post('published', ['python', 'art', '  ']),
      post('draft', ['draft-only', 'art', 'art']),
    ]);
    expect(render('tag_cloud')).toEqual({
      html: tagCloud([word('python', 56, 3), word('web', 35, 2), word('art', 14, 1)]),
      warnings: [],
    });
  });

  it('gives every word size 35 when all counts are equal', () => {
    installSite([post('published', ['b', 'a']), post('published', ['c'])]);
    expect(wordsOf(render('tag_cloud').html)).toEqual([word('a', 35, 1), word('b', 35, 1), word('c', 35, 1)]);
  });

  it("rounds sizes with Python's round(), half to even", () => {
    // Counts 1..5: sizes 14 + (count - 1) / 4 * 42 = 14, 24.5, 35, 45.5, 56.
    installSite([
      post('published', ['one', 'two', 'three', 'four', 'five']),
      post('published', ['two', 'three', 'four', 'five']),
      post('published', ['three', 'four', 'five']),
      post('published', ['four', 'five']),
      post('published', ['five']),
    ]);
    expect(wordsOf(render('tag_cloud').html).map(({ text, size }) => [text, size])).toEqual([
      ['five', 56],
      ['four', 46],
      ['three', 35],
      ['two', 24],
      ['one', 14],
    ]);
  });

  it('percent-encodes tag URLs and HTML-escapes hostile tag names', () => {
    installSite([post('published', ['c++', 'machine learning', 'café', 'a/b', `<b>&"'`])]);
    const { html } = render('tag_cloud');
    expect(html).toBe(
      tagCloud([
        word(`<b>&"'`, 35, 1, '/tag/%3Cb%3E%26%22%27/'),
        word('a/b', 35, 1, '/tag/a%2Fb/'),
        word('c++', 35, 1, '/tag/c%2B%2B/'),
        word('café', 35, 1, '/tag/caf%C3%A9/'),
        word('machine learning', 35, 1, '/tag/machine%20learning/'),
      ]),
    );
    expect(html).not.toContain('<b>');
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
        expect(render('tag_cloud', { orientation: name })).toEqual({
          html: tagCloud([word('a', 35, 1)], orientation),
          warnings: [],
        });
      }
    }
  });

  it('uses the given size within bounds', () => {
    installSite([post('published', ['a'])]);
    expect(render('tag_cloud', { width: 320, height: 900 }).html).toBe(
      tagCloud([word('a', 35, 1)], 'horizontal', 320, 900),
    );
    expect(render('tag_cloud', { width: 1600, height: 180 }).html).toBe(
      tagCloud([word('a', 35, 1)], 'horizontal', 1600, 180),
    );
  });

  it('falls back to the default, with a warning, for an unknown orientation or a bad size', () => {
    installSite([post('published', ['a'])]);
    expect(render('tag_cloud', { orientation: 'vertical', width: 319, height: 901 })).toEqual({
      html: tagCloud([word('a', 35, 1)]),
      warnings: [
        'tag_cloud: orientation must be horizontal, mixed-hv or mixed-diagonal; using horizontal',
        'tag_cloud: width must be a whole number from 320 to 1600; using 900',
        'tag_cloud: height must be a whole number from 180 to 900; using 420',
      ],
    });
    expect(render('tag_cloud', { width: 500.5, height: '300' }).warnings).toEqual([
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
