import { describe, expect, test } from 'vitest';
import type { Post } from '../../src/core/post';
import type { Script } from '../../src/core/script';
import { formatCount, sizeLimits } from '../../src/core/size-limits';
import {
  type MacroBatchRunner,
  PostRenderer,
  type RenderWarning,
  type SiteContext,
} from '../../src/render/post-renderer';
import { createHtmlSanitizer } from '../../src/render/sanitize-html';
import { SiteDataFeed } from '../../src/render/site-data';
import type { RenderItem, RenderOutcome } from '../../src/runtime/types';

const sanitize = createHtmlSanitizer();

/** Answers each request with `respond`, recording every batch it was sent. */
class RecordingRunner implements MacroBatchRunner {
  readonly batches: RenderItem[][] = [];
  constructor(private readonly respond: (request: RenderItem) => RenderOutcome) {}
  async renderMany(requests: readonly RenderItem[]): Promise<RenderOutcome[]> {
    this.batches.push([...requests]);
    return requests.map(this.respond);
  }
}

const now = '2026-11-24T10:00:00.000Z';

/** A stable UUID per slug, so two scripts never share an id. */
const idFor = (slug: string) =>
  `00000000-0000-4000-8000-${Buffer.from(slug).toString('hex').padEnd(12, '0').slice(0, 12)}`;

function macroScript(slug: string, version = 1, overrides: Partial<Script> = {}): Script {
  return {
    id: idFor(slug),
    title: slug,
    slug,
    kind: 'macro',
    entrypoint: 'render',
    enabled: true,
    body: '',
    version,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

function post(body: string, overrides: Partial<Post> = {}): Post {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    title: 'Hello',
    slug: 'hello',
    status: 'draft',
    tags: ['a'],
    categories: [],
    body,
    createdAt: now,
    updatedAt: now,
    publishedAt: null,
    ...overrides,
  };
}

const echo = (request: RenderItem): RenderOutcome => ({
  ok: true,
  html: `<b data-args="${request.context.args.map((arg) => `${arg.type}:${arg.value}`).join(',')}">${request.context.macro}:${JSON.stringify(request.context.params)}</b>`,
  warnings: [],
});

const box = macroScript('box');
const site = (scripts: Script[] = [box], dataVersion = 'v1'): SiteContext => ({
  scripts,
  env: { preview: true, language: 'en', base_url: '/' },
  dataVersion,
});

describe('PostRenderer', () => {
  test('sends every macro of a post in one batch and splices results in place', async () => {
    const runner = new RecordingRunner(echo);
    const renderer = new PostRenderer(runner, sanitize);
    const rendered = await renderer.renderPost(post('Intro [[box n=1]] text.\n\n[[BOX n=2 "x"]]\n'), site());
    expect(runner.batches).toHaveLength(1);
    expect(runner.batches[0]).toHaveLength(2);
    expect(rendered.html).toBe(
      '<p>Intro <b data-args="">box:{"n":{"type":"int","value":1}}</b> text.</p>\n' +
        '<b data-args="str:x">box:{"n":{"type":"int","value":2}}</b>\n',
    );
    expect(runner.batches[0]?.[0]?.context.post).toMatchObject({
      id: post('').id,
      tags: ['a'],
      status: 'draft',
    });
    expect(rendered).toMatchObject({ macroCount: 2, executed: 2 });
  });

  test('runs only the macros whose script or arguments changed', async () => {
    const runner = new RecordingRunner(echo);
    const renderer = new PostRenderer(runner, sanitize);
    await renderer.renderPost(post('[[box n=1]] and [[box n=2]]'), site());
    const again = await renderer.renderPost(post('Edited text, [[box n=1]] and [[box n=2]]'), site());
    expect(again.executed).toBe(0);
    expect(runner.batches).toHaveLength(1);

    const changedParam = await renderer.renderPost(post('[[box n=1]] and [[box n=3]]'), site());
    expect(changedParam.executed).toBe(1);
    const newVersion = await renderer.renderPost(
      post('[[box n=1]] and [[box n=3]]'),
      site([macroScript('box', 2)]),
    );
    expect(newVersion.executed).toBe(2);
  });

  test('after an autosave re-runs a macro that read the site data or the changed post fields, and only those', async () => {
    const cloud = macroScript('cloud');
    const titled = macroScript('titled');
    // What each macro read, as macro_engine.py reports it.
    const reads = {
      box: { site: [], post: [] },
      cloud: { site: ['posts.status', 'posts.tags'], post: [] },
      titled: { site: [], post: ['title'] },
    };
    const runner = new RecordingRunner((request) => ({
      ...echo(request),
      reads: reads[request.script.slug as keyof typeof reads],
    }));
    const renderer = new PostRenderer(runner, sanitize);
    const body = '[[box]] [[cloud]] [[titled]]';
    const scripts = [box, cloud, titled];
    await renderer.renderPost(post(body), site(scripts, 'v1'));
    const ran = () => runner.batches.at(-1)!.map((item) => item.script.slug);
    expect(ran()).toEqual(['box', 'cloud', 'titled']);

    // An autosave: the post's updated_at changed, and with it the site data (here one name for all of it).
    const saved = await renderer.renderPost(
      post(body, { updatedAt: '2026-11-24T10:05:00.000Z' }),
      site(scripts, 'v2'),
    );
    expect(saved.executed).toBe(1);
    expect(ran()).toEqual(['cloud']);

    const retitled = await renderer.renderPost(post(body, { title: 'New title' }), site(scripts, 'v2'));
    expect(retitled.executed).toBe(1);
    expect(ran()).toEqual(['titled']);
  });

  test('re-runs a call only when a part of the site data it read changed: an autosave leaves a tag cloud alone', async () => {
    const cloud = macroScript('cloud');
    const excerpt = macroScript('excerpt');
    const stamp = macroScript('stamp');
    // What each read, as macro_engine.py reports it: `site.tag_counts()`, another post's body through
    // `site.post(…)`, and every post's `updated_at` through `site.posts`.
    const reads = {
      cloud: { site: ['posts.status', 'posts.tags'], post: [] },
      excerpt: { site: ['posts.body', 'posts.id', 'posts.slug'], post: [] },
      stamp: { site: ['posts', 'posts.updated_at'], post: [] },
    };
    const runner = new RecordingRunner((request) => ({
      ...echo(request),
      reads: reads[request.script.slug as keyof typeof reads],
    }));
    const renderer = new PostRenderer(runner, sanitize);
    // Published: macros see no drafts, and the site data's names leave them out.
    const published = { status: 'published', publishedAt: now } as const;
    const open = post('[[cloud]] [[excerpt]] [[stamp]]', published);
    const other = post('Other body', {
      ...published,
      id: '22222222-2222-4222-8222-222222222222',
      slug: 'other',
    });
    let posts = [open, other];
    // The app's own names for the site data's parts (site-data.ts), as the preview passes them on.
    const feed = new SiteDataFeed(async () => posts, { setSiteData: () => {} });
    const render = async () => {
      await feed.refresh();
      return renderer.renderPost(posts[0]!, { ...site([cloud, excerpt, stamp]), ...feed.versions });
    };
    const ran = () => runner.batches.at(-1)!.map((item) => item.script.slug);
    await render();
    expect(ran()).toEqual(['cloud', 'excerpt', 'stamp']);

    // An autosave of the open post: its body and updated_at changed, in the site data too.
    posts = [{ ...open, body: `${open.body} More.`, updatedAt: '2026-11-24T10:05:00.000Z' }, other];
    expect((await render()).executed).toBe(2);
    expect(ran()).toEqual(['excerpt', 'stamp']);
    // An autosave that changed only updated_at (e.g. the same text saved again).
    posts = [{ ...posts[0]!, updatedAt: '2026-11-24T10:06:00.000Z' }, other];
    expect((await render()).executed).toBe(1);
    expect(ran()).toEqual(['stamp']);
    // Another post's tags changed.
    posts = [posts[0]!, { ...other, tags: ['b'] }];
    expect((await render()).executed).toBe(1);
    expect(ran()).toEqual(['cloud']);
    // Nothing changed: nothing runs.
    expect((await render()).executed).toBe(0);
  });

  test('remembers a failed or timed-out call until its script changes', async () => {
    const looping = macroScript('looping');
    const runner = new RecordingRunner((request) =>
      request.script.slug === 'looping'
        ? { ok: false, kind: 'timeout', script: 'looping.py', message: 'looping.py ran past its time limit' }
        : echo(request),
    );
    const renderer = new PostRenderer(runner, sanitize);
    const first = await renderer.renderPost(post('[[looping]] [[box]]'), site([box, looping], 'v1'));
    expect(first.html).toContain('ran past its time limit');
    expect(first.html).toContain('<b ');
    const typed = await renderer.renderPost(
      post('More text. [[looping]] [[box]]', { updatedAt: '2026-11-24T10:05:00.000Z' }),
      site([box, looping], 'v2'),
    );
    expect(typed.executed).toBe(0);
    expect(typed.html).toContain('ran past its time limit');
    const fixed = await renderer.renderPost(
      post('[[looping]] [[box]]'),
      site([box, macroScript('looping', 2)]),
    );
    expect(fixed.executed).toBe(1);
  });

  test('passes its AbortSignal on, and keeps no cancelled result', async () => {
    const signals: (AbortSignal | undefined)[] = [];
    const runner: MacroBatchRunner = {
      async renderMany(items, signal) {
        signals.push(signal);
        return items.map((item) =>
          signal?.aborted
            ? { ok: false, kind: 'cancelled', script: `${item.script.slug}.py`, message: 'cancelled' }
            : echo(item),
        );
      },
    };
    const renderer = new PostRenderer(runner, sanitize);
    const stop = new AbortController();
    stop.abort();
    await renderer.renderPost(post('[[box]]'), site(), stop.signal);
    expect(signals).toEqual([stop.signal]);
    expect((await renderer.renderPost(post('[[box]]'), site())).executed).toBe(1);
  });

  test('identical calls in one post run once', async () => {
    const runner = new RecordingRunner(echo);
    const rendered = await new PostRenderer(runner, sanitize).renderPost(
      post('[[box]] [[box]] [[box]]'),
      site(),
    );
    expect(runner.batches[0]).toHaveLength(1);
    expect(rendered.html.match(/<b /g)).toHaveLength(3);
  });

  test('an unknown or disabled macro stays visible and marked', async () => {
    const runner = new RecordingRunner(echo);
    const disabled = macroScript('off', 1, { enabled: false });
    const utility = macroScript('tool', 1, { kind: 'utility' });
    const rendered = await new PostRenderer(runner, sanitize).renderPost(
      post('Try [[nope a="<b>"]] and [[off]] and [[tool]].\n\n[[nope]]'),
      site([box, disabled, utility]),
    );
    expect(runner.batches).toHaveLength(0);
    expect(rendered.html).toContain(
      '<span class="pymark-macro-unknown" title="Unknown macro [[nope]]: no macro script is named nope.py">[[nope a=&#34;&#60;b&#62;&#34;]]</span>',
    );
    expect(rendered.html).toContain('[[off]]</span>');
    expect(rendered.html).toContain('[[tool]]</span>');
    expect(rendered.html).toMatch(/<div class="pymark-macro-unknown"[^>]*>\[\[nope\]\]<\/div>\n$/);
    // Listed among the warnings too, by line and column, each saying why.
    expect(rendered.warnings).toEqual([
      {
        message: 'Unknown macro [[nope]]: no macro script is named nope.py',
        line: 1,
        column: 5,
        endColumn: 21,
      },
      { message: '[[off]] is not called: off.py is disabled', line: 1, column: 26, endColumn: 33 },
      {
        message: '[[tool]] is not a macro: tool.py is a utility',
        line: 1,
        column: 38,
        endColumn: 46,
      },
      {
        message: 'Unknown macro [[nope]]: no macro script is named nope.py',
        line: 3,
        column: 1,
        endColumn: 9,
      },
    ]);
  });

  test("a failure's message that names the script already is not prefixed with its name again", async () => {
    const invalid = macroScript('invalid');
    const missing = macroScript('missing');
    const runner = new RecordingRunner((request) =>
      request.script.slug === 'invalid'
        ? {
            ok: false,
            kind: 'invalid-result',
            script: 'invalid.py',
            message: 'invalid.py: invalid result from render(): html: expected string',
          }
        : {
            ok: false,
            kind: 'exception',
            script: 'missing.py',
            message: 'missing.py defines no function render(context)',
          },
    );
    const rendered = await new PostRenderer(runner, sanitize).renderPost(
      post('[[invalid]]\n\n[[missing]]'),
      site([invalid, missing]),
    );
    expect(rendered.warnings.map((warning) => warning.message)).toEqual([
      'invalid.py: invalid result from render(): html: expected string',
      'missing.py defines no function render(context)',
    ]);
    expect(rendered.html).toContain(
      '<strong>invalid.py</strong>: invalid result from render(): html: expected string<',
    );
    expect(rendered.html).toContain('<strong>missing.py</strong>: defines no function render(context)<');
  });

  test('a failing macro becomes an error box naming the script and line; the rest renders', async () => {
    const failing = macroScript('failing');
    const runner = new RecordingRunner((request) =>
      request.script.slug === 'failing'
        ? { ok: false, kind: 'exception', script: 'failing.py', message: 'ValueError: bad <id>', line: 7 }
        : echo(request),
    );
    const renderer = new PostRenderer(runner, sanitize);
    const rendered = await renderer.renderPost(
      post('# Title\n\n[[failing]]\n\nafter [[box]]'),
      site([box, failing]),
    );
    expect(rendered.html).toContain(
      `<div class="pymark-macro-error" role="note" data-open-script="${failing.id}" data-line="7"><strong>failing.py, line 7</strong>: ValueError: bad &#60;id&#62;</div>`,
    );
    expect(rendered.html).toContain('<h1>Title</h1>');
    expect(rendered.html).toContain('after <b');
    expect(rendered.warnings).toContainEqual({
      message: 'failing.py: ValueError: bad <id>',
      line: 3,
      column: 1,
      endColumn: 12,
      kind: 'error',
    });
    // A failure is remembered too, until its script changes.
    const again = await renderer.renderPost(
      post('# Title\n\n[[failing]]\n\nafter [[box]]'),
      site([box, failing]),
    );
    expect(again.executed).toBe(0);
    expect(again.html).toContain('failing.py, line 7');
  });

  test('returns the styles macros returned, sanitized, each distinct text once', async () => {
    const runner = new RecordingRunner((request) => ({
      ...echo(request),
      css:
        request.context.args[0]?.value === 'evil'
          ? '@import "https://evil.example/x.css";\n.box { color: red }'
          : '.box { color: red }',
    }));
    const rendered = await new PostRenderer(runner, sanitize).renderPost(
      post('[[box a]] [[box b]] [[box evil]]'),
      site(),
    );
    expect(rendered.css).toEqual(['.box { color: red }']);
    expect(rendered.html).not.toContain('color');
  });

  test('macro HTML is sanitized before it is spliced in', async () => {
    const runner = new RecordingRunner(() => ({
      ok: true,
      html: '<div onclick="alert(1)">hi<script>alert(2)</script><a href="javascript:alert(3)">x</a></div>',
      warnings: [],
    }));
    const rendered = await new PostRenderer(runner, sanitize).renderPost(post('[[box]]'), site());
    expect(rendered.html).toBe('<div>hi<a>x</a></div>\n');
  });

  test('macro warnings name their script and, like syntax warnings, are located in the post', async () => {
    const runner = new RecordingRunner(() => ({ ok: true, html: '', warnings: ['box: id is required'] }));
    const rendered = await new PostRenderer(runner, sanitize).renderPost(
      post('line one\n  [[box]]\n\n[[broken "unterminated'),
      site(),
    );
    expect(rendered.warnings).toContainEqual({
      message: 'box.py: id is required',
      line: 2,
      column: 3,
      endColumn: 10,
    });
    expect(rendered.warnings.some((warning) => warning.line === 4)).toBe(true);
    expect(rendered.html).toContain('[[broken');
  });

  test('what a macro printed is shown where the call is, from the memo too, and never in the page', async () => {
    const runner = new RecordingRunner((request) =>
      request.context.args[0]?.value === 'fails'
        ? {
            ok: false,
            kind: 'exception',
            script: 'box.py',
            message: 'ValueError: no',
            printed: 'before failing\n',
          }
        : { ok: true, html: '<p>ok</p>', warnings: [], printed: '<b>debug</b> 42\n' },
    );
    const renderer = new PostRenderer(runner, sanitize);
    const body = 'intro\n\n[[box]]\n\n[[box fails]]';
    const printedWarnings = (warnings: RenderWarning[]) => warnings.filter(({ kind }) => kind === 'print');
    const first = await renderer.renderPost(post(body), site());
    expect(printedWarnings(first.warnings)).toEqual([
      { message: 'box.py printed: <b>debug</b> 42\n', line: 3, column: 1, endColumn: 8, kind: 'print' },
      { message: 'box.py printed: before failing\n', line: 5, column: 1, endColumn: 14, kind: 'print' },
    ]);
    // The failure is an error of its own, apart from the print and from warnings.
    expect(first.warnings.filter(({ kind }) => kind === 'error')).toEqual([
      { message: 'box.py: ValueError: no', line: 5, column: 1, endColumn: 14, kind: 'error' },
    ]);
    expect(first.html).not.toContain('debug');
    const again = await renderer.renderPost(post(body), site());
    expect(runner.batches).toHaveLength(1); // both came from the memo
    expect(printedWarnings(again.warnings)).toEqual(printedWarnings(first.warnings));
  });

  test('identical calls share one result, so their print is listed once, at the first', async () => {
    const runner = new RecordingRunner(() => ({
      ok: true,
      html: '<p>ok</p>',
      warnings: [],
      printed: 'hi\n',
    }));
    const rendered = await new PostRenderer(runner, sanitize).renderPost(
      post('[[box]]\n\n[[box]]\n\n[[box other]]'),
      site(),
    );
    expect(rendered.warnings.filter(({ kind }) => kind === 'print').map(({ line }) => line)).toEqual([1, 5]);
  });

  test('markdown code is left alone', async () => {
    const runner = new RecordingRunner(echo);
    const rendered = await new PostRenderer(runner, sanitize).renderPost(
      post('`[[box]]`\n\n```\n[[box]]\n```\n\n\\[[box]]'),
      site(),
    );
    expect(runner.batches).toHaveLength(0);
    expect(rendered.html).toBe(
      '<p><code>[[box]]</code></p>\n<pre><code>[[box]]\n</code></pre>\n<p>[[box]]</p>\n',
    );
  });
});

describe('PostRenderer size limits (docs/security.md, "Size limits")', () => {
  /** Counts the characters handed to the sanitizer, so a test sees what reached the parser. */
  const countingSanitizer = () => {
    const seen: number[] = [];
    return {
      seen,
      sanitizeMany: async (htmls: readonly string[]) => {
        seen.push(...htmls.map((html) => html.length));
        return htmls.map(sanitize);
      },
    };
  };

  test('refuses a call that returns more HTML than a call may, naming the script, without parsing it', async () => {
    const huge = `<p>${'x'.repeat(sizeLimits.macroHtmlPerCall)}</p>`;
    const runner = new RecordingRunner(() => ({ ok: true, html: huge, warnings: [] }));
    const sanitizer = countingSanitizer();
    const rendered = await new PostRenderer(runner, sanitizer).renderPost(
      post('Before\n\n[[box]]\n'),
      site(),
    );
    expect(rendered.warnings).toEqual([
      {
        message: `box.py returned ${formatCount(huge.length)} characters of HTML, CSS and warnings, more than the 1,000,000 one macro call may return`,
        line: 3,
        column: 1,
        endColumn: 8,
        kind: 'error',
      },
    ]);
    expect(rendered.html).toContain('pymark-macro-error');
    expect(rendered.html).not.toContain('xxxx');
    expect(Math.max(0, ...sanitizer.seen)).toBeLessThan(100);
  });

  test('shows no more macro HTML in a post than a post may hold, and says which call went over', async () => {
    const chunk = 'y'.repeat(sizeLimits.macroHtmlPerCall - 100);
    const runner = new RecordingRunner((item) => ({
      ok: true,
      html: `<p>${JSON.stringify(item.context.params)}${chunk}</p>`,
      warnings: [],
    }));
    const calls = Array.from({ length: 5 }, (_, index) => `[[box n=${index}]]`).join('\n\n');
    const rendered = await new PostRenderer(runner, sanitize).renderPost(post(calls), site());
    expect(rendered.warnings).toEqual([
      {
        message:
          'box.py: not shown: the macros of this post returned more than the 4,000,000 characters of HTML a post may hold',
        line: 9,
        column: 1,
        endColumn: 12,
        kind: 'error',
      },
    ]);
    expect(rendered.html.length).toBeLessThan(sizeLimits.macroHtmlPerPost + 10_000);
  });

  test('runs no more calls than a post may hold; the rest are shown as written with one warning', async () => {
    const runner = new RecordingRunner(echo);
    const total = sizeLimits.macroCallsPerPost + 500;
    const body = Array.from({ length: total }, (_, index) => `[[box n=${index}]]`).join(' ');
    const rendered = await new PostRenderer(runner, sanitize).renderPost(post(body), site());
    expect(runner.batches.flat()).toHaveLength(sizeLimits.macroCallsPerPost);
    expect(rendered.warnings).toHaveLength(1);
    expect(rendered.warnings[0]!.message).toBe(
      `[[box]] and the 499 macro calls after it are shown as written, not run: this post has ${formatCount(total)}, and a post may hold 2,000`,
    );
    expect(rendered.warnings[0]!.column).toBe(body.indexOf(`[[box n=${sizeLimits.macroCallsPerPost}]]`) + 1);
    expect(rendered.html).toContain(`[[box n=${total - 1}]]`);
  });

  test('shortens a megabyte exception message to a warning of a readable length', async () => {
    const message = `ValueError: ${'z'.repeat(3_000_000)}`;
    const runner = new RecordingRunner(() => ({ ok: false, kind: 'exception', script: 'box.py', message }));
    const rendered = await new PostRenderer(runner, sanitize).renderPost(post('[[box]]'), site());
    expect(rendered.warnings).toHaveLength(1);
    expect(rendered.warnings[0]!.message).toMatch(
      /^box\.py: ValueError: z+… \(2,990,\d{3} more characters not shown; at most 10,000 are\)$/,
    );
    expect(rendered.warnings[0]!.message.length).toBeLessThan(10_100);
    expect(rendered.html.length).toBeLessThan(11_000);
  });
});
