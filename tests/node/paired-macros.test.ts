import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Post } from '../../src/core/post';
import type { Script } from '../../src/core/script';
import { parseScriptFile } from '../../src/core/script-file';
import { type MacroBatchRunner, PostRenderer, type SiteContext } from '../../src/render/post-renderer';
import { createHtmlSanitizer } from '../../src/render/sanitize-html';
import type { RenderOutcome } from '../../src/runtime/types';
import { loadMacroHarness, type MacroHarness } from './macro-harness';

/*
 * Golden tests of paired calls: real Python macros (the sample note.py and details.py in
 * tests/fixtures/macros, and the bundled youtube.py) rendered through the one post renderer.
 */

const sanitize = createHtmlSanitizer();

function script(path: string): Script {
  const slug = path.split('/').at(-1)!.replace(/\.py$/, '');
  const parsed = parseScriptFile(readFileSync(path, 'utf8'), {
    slug,
    fallbackTime: '2026-12-01T10:00:00.000Z',
  });
  if (!parsed.ok) throw new Error(parsed.problem.reason);
  return parsed.value.script;
}

function post(body: string): Post {
  const at = '2026-12-01T10:00:00.000Z';
  return {
    ...{ id: '11111111-1111-4111-8111-111111111111', title: 'Paired', slug: 'paired', status: 'draft' },
    ...{ tags: [], categories: [], body, createdAt: at, updatedAt: at, publishedAt: null },
  };
}

let harness: MacroHarness;
let renderer: PostRenderer;
let site: SiteContext;
let batches: number;

beforeAll(async () => {
  harness = await loadMacroHarness();
  const runner: MacroBatchRunner = {
    async renderMany(items) {
      batches += 1;
      return harness
        .renderBatch([...items])
        .items.map(
          (item): RenderOutcome =>
            item.kind === 'ok'
              ? { ok: true, html: item.html, warnings: item.warnings }
              : { ok: false, kind: 'exception', script: 'macro', message: item.message },
        );
    },
  };
  renderer = new PostRenderer(runner, sanitize);
  site = {
    scripts: ['tests/fixtures/macros/note.py', 'tests/fixtures/macros/details.py', 'defaults/youtube.py'].map(
      script,
    ),
    env: { preview: false, language: 'en', base_url: '' },
    dataVersion: 'v1',
  };
}, 120_000);

describe('a nested note/details pair', () => {
  it('renders inner macros first and hands each body to its macro as sanitized HTML', async () => {
    batches = 0;
    const rendered = await renderer.renderPost(
      post(
        [
          'Before.',
          '',
          '[[note kind=tip title="Read <me>"]]',
          'A *tip* with a [[details summary="hint"]]hidden `code`[[/details]] inside.',
          '',
          '[[details summary="The video" open=true]]',
          '[[youtube id="dQw4w9WgXcQ"]]',
          '',
          'Raw <script>alert(1)</script> stays text.',
          '[[/details]]',
          '[[/note]]',
          '',
          'After.',
        ].join('\n'),
      ),
      site,
    );
    expect(rendered.warnings).toEqual([]);
    // One batch per depth: the youtube call, then the two details, then the note.
    expect(batches).toBe(3);
    expect(rendered).toMatchObject({ macroCount: 4, executed: 4 });
    expect(rendered.html).toBe(
      '<p>Before.</p>\n' +
        '<aside class="note note-tip"><p class="note-title">Read &lt;me&gt;</p>' +
        '<p>A <em>tip</em> with a <span class="details" title="hint">hidden `code`</span> inside.</p>\n' +
        '<details open=""><summary>The video</summary>' +
        '<div class="macro-youtube"><iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0" title="YouTube video" frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture" allowfullscreen=""></iframe></div>\n' +
        '<p>Raw &lt;script&gt;alert(1)&lt;/script&gt; stays text.</p>\n</details>\n</aside>\n' +
        '<p>After.</p>\n',
    );
  });

  it('marks an unclosed note at its line and a stray closing call at its place', async () => {
    const rendered = await renderer.renderPost(
      post('[[note]]\nnever closed\n\nText [[/details]] here.'),
      site,
    );
    expect(rendered.warnings).toEqual([
      { message: expect.stringMatching(/^\[\[note\]\] is never closed/), line: 1, column: 1 },
      { message: expect.stringMatching(/^\[\[\/details\]\] closes nothing/), line: 4, column: 6 },
    ]);
    expect(rendered.html).toBe('<p>[[note]]\nnever closed</p>\n<p>Text [[/details]] here.</p>\n');
  });

  it('warns of unknown and mistyped arguments, and of a block returned inside a paragraph', async () => {
    const rendered = await renderer.renderPost(
      post('See [[youtube id="dQw4w9WgXcQ" tittle=x start="9"]] and [[note]]a tip[[/note]] now.'),
      site,
    );
    expect(rendered.warnings.map((warning) => warning.message)).toEqual([
      '[[youtube]] has no parameter "tittle"; it takes id, title, start',
      '[[youtube]]: start should be int, not str "9"',
      'youtube.py: start must be a whole number of seconds, 0 or more; ignored',
      '[[note]] returned a block (<aside>) inside a paragraph: put the call on a line of its own',
    ]);
    // The built-in player knows its placement and stays inside the paragraph; the note does not.
    expect(rendered.html).toContain('<p>See <span class="macro-youtube"><iframe ');
    expect(rendered.html).toContain(
      '<span class="pymark-macro-placement" title="[[note]] returned a block (&#60;aside&#62;) inside a paragraph: put the call on a line of its own">' +
        '[[note]]a tip[[/note]]</span> now.</p>',
    );
  });
});
