import { beforeAll, describe, expect, it } from 'vitest';
import { formatCount, shortenLines, shortenText, sizeLimits } from '../../src/core/size-limits.ts';
import { type BatchResults, parseMessage, workerCheckAnswerSchema } from '../../src/runtime/protocol.ts';
import { createPythonRunner, type PythonRunner } from '../../src/runtime/python-runner.ts';
import { createScriptChecker, type ScriptChecker } from '../../src/runtime/python-services.ts';
import { prepareRender } from '../../src/runtime/render-call.ts';
import type { MacroScript } from '../../src/runtime/types.ts';
import {
  context,
  loadMacroHarness,
  type MacroHarness,
  post,
  type RenderedItem,
  runCollectingOutput,
  typed,
} from './macro-harness.ts';

let harness: MacroHarness;
let runner: PythonRunner;
let checker: ScriptChecker;
/** What the scripts below report through `test_hooks.imported(name)` at import time. */
const imports: string[] = [];
let interruptBuffer: Int32Array;

beforeAll(async () => {
  harness = await loadMacroHarness();
  // Before any call: what the runner holds must be in the interpreter's first checkpoint, as in the worker.
  runner = createPythonRunner(harness.pyodide);
  checker = createScriptChecker(harness.pyodide);
  interruptBuffer = new Int32Array(new SharedArrayBuffer(4));
  harness.pyodide.setInterruptBuffer(interruptBuffer);
  harness.pyodide.registerJsModule('test_hooks', {
    imported: (name: string) => imports.push(name),
    // What the client's time limit does, triggered from inside the macro so the test is deterministic.
    requestInterrupt: () => Atomics.store(interruptBuffer, 0, 2),
  });
});

let scriptNumber = 0;
function macro(body: string, overrides: Partial<MacroScript> = {}): MacroScript {
  scriptNumber += 1;
  return {
    id: `script-${scriptNumber}`,
    version: 1,
    slug: `macro_${scriptNumber}`,
    body,
    entrypoint: 'render',
    ...overrides,
  };
}

function renderOne(script: MacroScript, params: Parameters<typeof context>[1] = {}): RenderedItem {
  return harness.renderOne(script, context('probe', params));
}

const counting = (name: string, result = '"ok"') =>
  `import test_hooks\ntest_hooks.imported("${name}")\ncalls = 0\n\ndef render(context):\n    global calls\n    calls += 1\n    return f"${name} {calls} " + ${result}\n`;

describe('macro engine (real Pyodide)', () => {
  it('compiles a script once per version and keeps its module between calls', () => {
    const script = macro(counting('once'));
    expect(renderOne(script)).toMatchObject({ kind: 'ok', html: 'once 1 ok' });
    expect(renderOne(script)).toMatchObject({ kind: 'ok', html: 'once 2 ok' });
    expect(imports.filter((name) => name === 'once')).toHaveLength(1);

    expect(renderOne({ ...script, version: 2 })).toMatchObject({ html: 'once 1 ok' });
    expect(imports.filter((name) => name === 'once')).toHaveLength(2);
    // An edited draft under the same version is compiled too, never served stale.
    expect(renderOne({ ...script, version: 2, body: counting('once', '"edited"') })).toMatchObject({
      html: 'once 1 edited',
    });
  });

  it('gives every script its own globals', () => {
    const writer = macro('shared = "mine"\n\ndef render(context):\n    return shared\n');
    const reader = macro('def render(context):\n    return shared\n');
    const { items } = harness.renderBatch([
      { script: writer, context: context('a') },
      { script: reader, context: context('b') },
    ]);
    expect(items[0]).toMatchObject({ kind: 'ok', html: 'mine' });
    expect(items[1]).toMatchObject({
      kind: 'exception',
      message: "NameError: name 'shared' is not defined",
      line: 2,
    });
  });

  it('caches nothing from a failed import', () => {
    const good = macro(counting('half'));
    expect(renderOne(good)).toMatchObject({ html: 'half 1 ok' });
    const broken = { ...good, version: 2, body: `${counting('half')}raise ValueError("boom")\n` };
    expect(renderOne(broken)).toMatchObject({ kind: 'exception', message: 'ValueError: boom', line: 9 });
    // The same version again: imported again (not served half-built), and fails again.
    expect(renderOne(broken)).toMatchObject({ kind: 'exception', message: 'ValueError: boom' });
    expect(imports.filter((name) => name === 'half')).toHaveLength(3);
  });

  it('renders a batch whose items succeed and fail independently, each with its own error and line', () => {
    const ok = macro(
      'def render(context):\n    return {"html": f"<b>{context[\'params\'][\'n\']}</b>", "warnings": ["w"]}\n',
    );
    const raising = macro(
      'def helper(n):\n    return 10 // n\n\ndef render(context):\n    return str(helper(context["params"]["n"]))\n',
    );
    const syntax = macro('def render(context)\n    return ""\n');
    const { items, interrupted } = harness.renderBatch([
      { script: ok, context: context('ok', { n: typed(1) }) },
      { script: raising, context: context('raising', { n: typed(0) }) },
      { script: syntax, context: context('syntax') },
      { script: raising, context: context('raising', { n: typed(5) }) },
      { script: ok, context: context('ok', { n: typed(2) }) },
    ]);
    expect(interrupted).toBeNull();
    expect(items).toMatchObject([
      { kind: 'ok', html: '<b>1</b>', warnings: ['w'] },
      { kind: 'exception', message: 'ZeroDivisionError: division by zero', line: 2 },
      { kind: 'exception', message: "SyntaxError: expected ':'", line: 1 },
      { kind: 'ok', html: '2', warnings: [] },
      { kind: 'ok', html: '<b>2</b>' },
    ]);
    const failure = items[1]!;
    if (failure.kind === 'ok') throw new Error('expected an error');
    expect(failure.traceback).toContain(`File "${raising.slug}.py", line 5, in render`);
    expect(failure.traceback).not.toMatch(/<pymark>|macro_engine/);
    for (const item of items) expect(item.pythonMs).toBeGreaterThanOrEqual(0);
  });

  it('rejects results outside ABI v1 with a message naming the script', () => {
    const cases: [string, string][] = [
      ['None', 'render() must return a str or a dict with "html"'],
      ['{1, 2}', 'render() must return a str or a dict with "html"'],
      ['{"html": 1}', 'html: must be a str'],
      ['{"html": {1}}', 'html: must be a str'],
      ['{"html": "x", "warnings": ["a", 2]}', 'warnings[1]: must be a str'],
      ['{"html": "x", "warnings": ("a",)}', 'warnings: must be a list of str'],
      ['{"html": "x", "extra": float("nan")}', 'Unrecognized key: "extra"'],
    ];
    for (const [result, problem] of cases) {
      const script = macro(`def render(context):\n    return ${result}\n`);
      expect(renderOne(script)).toMatchObject({
        kind: 'invalid-result',
        message: `${script.slug}.py: invalid result from render(): ${problem}`,
      });
    }
  });

  it('refuses HTML, CSS and warnings over the per-call limit in Python, so the text is never written', () => {
    const over = sizeLimits.macroHtmlPerCall + 1;
    const html = macro(`def render(context):\n    return "h" * ${over}\n`);
    const withCss = macro(`def render(context):\n    return {"html": "h", "css": "c" * ${over - 1}}\n`);
    const withWarnings = macro(
      `def render(context):\n    return {"html": "h", "warnings": ["w" * ${Math.ceil(over / 2)}] * 2}\n`,
    );
    // JavaScript counts UTF-16 units: an emoji is two.
    const emoji = macro(`def render(context):\n    return "\\U0001F600" * ${Math.ceil(over / 2)}\n`);
    const atLimit = macro(`def render(context):\n    return "h" * ${sizeLimits.macroHtmlPerCall}\n`);
    const { request } = prepareRender(
      [html, withCss, withWarnings, emoji, atLimit].map((script) => ({ script, context: context('probe') })),
    );
    const items = harness.engine
      .render(request.batch)
      .flatMap((text) => (JSON.parse(text) as BatchResults).items);
    expect(items.map((item) => item.kind)).toEqual([
      'oversized',
      'oversized',
      'oversized',
      'oversized',
      'returned',
    ]);
    expect(items[0]).toMatchObject({ size: over });
    expect(items[3]).toMatchObject({ size: 2 * Math.ceil(over / 2) });
    expect(items[0]).not.toHaveProperty('result');
    expect(renderOne(html)).toMatchObject({
      kind: 'invalid-result',
      message: `${html.slug}.py returned ${formatCount(over)} characters of HTML, CSS and warnings, more than the 1,000,000 one macro call may return`,
    });
  });

  it('cuts a 30 MB exception message and its traceback in Python, before the results text crosses', () => {
    const raising = macro('def render(context):\n    raise ValueError("m" * 30_000_000)\n');
    const { request } = prepareRender([{ script: raising, context: context('probe') }]);
    const [text] = harness.engine.render(request.batch);
    expect(text!.length).toBeLessThan(sizeLimits.shownMessage + sizeLimits.shownTraceback + 1_000);
    const [item] = (JSON.parse(text!) as BatchResults).items;
    const cut = `… (29,990,012 more characters not shown; at most ${formatCount(sizeLimits.shownMessage)} are)`;
    expect(item).toMatchObject({ kind: 'raised', message: `ValueError: ${'m'.repeat(9_988)}${cut}` });
    // The page's own cut leaves a text Python already cut as it is.
    expect(renderOne(raising)).toMatchObject({
      kind: 'exception',
      message: `ValueError: ${'m'.repeat(9_988)}${cut}`,
    });
  });

  it("cuts messages and tracebacks in Python as the page does, to the page's limits", () => {
    const python = (code: string) => harness.pyodide.runPython(`import _pymark_errors as e\n${code}`);
    expect(python('[e.SHOWN_MESSAGE, e.SHOWN_TRACEBACK]').toJs()).toEqual([
      sizeLimits.shownMessage,
      sizeLimits.shownTraceback,
    ]);
    const texts = [
      'short',
      'x'.repeat(25),
      `a\n${'b'.repeat(12)}\nc`,
      `${'d\n'.repeat(20)}${'e'.repeat(1_234_567)}`,
    ];
    for (const text of texts) {
      harness.pyodide.globals.set('text', text);
      expect(python('e.shorten_text(text, 10)')).toBe(shortenText(text, 10));
      expect(python('e.shorten_lines(text, 5, 30)')).toBe(shortenLines(text, 5, 30));
      expect(shortenText(shortenText(text, 10), 10)).toBe(shortenText(text, 10));
    }
    harness.pyodide.globals.delete('text');
  });

  it('takes a bare str as the html, and a str subclass too', () => {
    expect(renderOne(macro('def render(context):\n    return "<i>hi</i>"\n'))).toEqual(
      expect.objectContaining({ kind: 'ok', html: '<i>hi</i>', warnings: [] }),
    );
    expect(
      renderOne(
        macro('class Markup(str):\n    pass\n\ndef render(context):\n    return Markup("<i>m</i>")\n'),
      ),
    ).toMatchObject({
      kind: 'ok',
      html: '<i>m</i>',
    });
  });

  it('passes typed params and args as int, float, bool and str, and the rest of the context', () => {
    const script = macro(
      'def render(context):\n' +
        '    values = [*context["params"].values(), *context["args"]]\n' +
        '    kinds = " ".join(type(value).__name__ for value in values)\n' +
        "    return f\"{context['macro']}: {kinds} {context['env']['language']} {context['post']['status']}\"\n",
    );
    const item = harness.renderOne(
      script,
      context('probe', { s: typed('2'), i: typed(2), f: { type: 'float', value: 2 }, b: typed(true) }, [
        typed(1.5),
        typed(7),
      ]),
    );
    expect(item).toMatchObject({ html: 'probe: str int float bool float int en published' });
  });

  it('gives each call its own copy of the shared post and env', () => {
    const script = macro(
      'def render(context):\n    context["post"]["tags"].append("x")\n    context["env"]["language"] = "fr"\n' +
        '    return ",".join(context["post"]["tags"]) + " " + context["env"]["language"]\n',
    );
    const shared = context('m', {}, [], post('published', ['a']));
    const { items } = harness.renderBatch([
      { script, context: shared },
      { script, context: shared },
    ]);
    expect(items.map((item) => item.kind === 'ok' && item.html)).toEqual(['a,x fr', 'a,x fr']);
    // The post's lists are copied when first read, whichever way the macro reaches them.
    const everyWay = macro(
      'def render(context):\n    post = context["post"]\n    post.pop("tags").append("p")\n' +
        '    for value in post.values():\n        if isinstance(value, list):\n            value.append("v")\n' +
        '    return repr(sorted(post.get(1, []) + post.setdefault("categories", [])))\n',
    );
    const again = harness.renderBatch([
      { script: everyWay, context: shared },
      { script: everyWay, context: shared },
    ]);
    expect(again.items).toMatchObject([
      { kind: 'ok', html: "['v']", reads: { post: null } },
      { kind: 'ok', html: "['v']", reads: { post: null } },
    ]);
  });

  it("gives every call's post the reference app's keys, which the macro may change", () => {
    const script = macro(
      'def render(context):\n    post = context["post"]\n    post["content"] = "mine"\n' +
        '    added = sorted(key for key in post if key in ("projectId", "createdAt", "author"))\n' +
        '    return post["content"] + " " + ",".join(added) + " " + repr(post.get("excerpt", "absent"))\n',
    );
    expect(renderOne(script)).toMatchObject({ kind: 'ok', html: 'mine author,createdAt,projectId None' });
    const reading = macro('def render(context):\n    return context["post"]["projectId"]\n');
    expect(renderOne(reading)).toMatchObject({ kind: 'ok', html: 'default', reads: { post: [] } });
  });

  it('copies nested post data too, however deep', () => {
    const script = macro(
      'def render(context):\n    cover = context["post"]["front_matter"]["covers"][0]\n' +
        '    cover["seen"] = cover.get("seen", 0) + 1\n    return str(cover["seen"])\n',
    );
    const nested = { ...post('published', []), front_matter: { covers: [{ src: 'a.png' }] } };
    const shared = context('m', {}, [], nested);
    const { items } = harness.renderBatch([
      { script, context: shared },
      { script, context: shared },
    ]);
    expect(items.map((item) => item.kind === 'ok' && item.html)).toEqual(['1', '1']);
  });

  it('returns non-ASCII html, warnings and errors intact', () => {
    const text = 'é — 😀 \u2028';
    const script = macro(
      `def render(context):\n    if context["args"]:\n        raise ValueError(${JSON.stringify(text)})\n` +
        `    return {"html": ${JSON.stringify(text)}, "warnings": [${JSON.stringify(text)}]}\n`,
    );
    const { items } = harness.renderBatch([
      { script, context: context('m') },
      { script, context: context('m', {}, [typed(1)]) },
    ]);
    expect(items[0]).toMatchObject({ kind: 'ok', html: text, warnings: [text] });
    expect(items[1]).toMatchObject({ kind: 'exception', message: `ValueError: ${text}`, line: 3 });
  });

  it('lets macros read site data, including ones imported before the data changed', () => {
    const script = macro(
      'from pymark import site\n\ndef render(context):\n    return repr(site.tag_counts())\n',
    );
    harness.installSite([post('published', ['a', 'b'])]);
    expect(renderOne(script)).toMatchObject({ html: "{'a': 1, 'b': 1}" });
    harness.installSite([post('published', ['c'])]);
    expect(renderOne(script)).toMatchObject({ html: "{'c': 1}" });
  });

  it('calls the named entrypoint, and says so when the script lacks it', () => {
    const script = macro('def embed(context):\n    return "embedded"\n', { entrypoint: 'embed' });
    expect(renderOne(script)).toMatchObject({ kind: 'ok', html: 'embedded' });
    expect(renderOne({ ...script, entrypoint: 'render' })).toMatchObject({
      kind: 'exception',
      message: `${script.slug}.py defines no function render(context)`,
    });
  });

  it('keeps at most 64 compiled scripts, dropping the least recently used', () => {
    const first = macro(counting('lru-first'));
    renderOne(first);
    const others = Array.from({ length: 64 }, () => macro('def render(context):\n    return ""\n'));
    harness.renderBatch(others.map((script) => ({ script, context: context('o') })));
    renderOne(first);
    expect(imports.filter((name) => name === 'lru-first')).toHaveLength(2);
  });

  it("keeps what each call prints as that call's own, cut to 2,000 characters, and restores stdout", () => {
    const chatty = macro(
      [
        'import sys',
        'print("loading")',
        '',
        'def render(context):',
        '    name = context["args"][0]',
        '    if name == "quiet":',
        '        return "q"',
        '    print("rendering", name)',
        '    print("a warning", file=sys.stderr)',
        '    if name == "long":',
        '        print("x" * 2500)',
        '    if name == "fails":',
        '        raise ValueError("bad " + name)',
        '    return "<p>" + name + "</p>"',
        '',
      ].join('\n'),
    );
    const items = ['first', 'quiet', 'fails', 'long'].map((name) => ({
      script: chatty,
      context: context('chatty', {}, [typed(name)]),
    }));
    const { items: rendered } = harness.renderBatch(items);
    expect(rendered.map((item) => item.printed)).toEqual([
      'loading\nrendering first\na warning\n',
      undefined,
      'rendering fails\na warning\n',
      `rendering long\na warning\n${'x'.repeat(2000 - 'rendering long\na warning\n'.length)}… (${
        2500 + 1 + 'rendering long\na warning\n'.length - 2000
      } more characters)`,
    ]);
    expect(rendered[2]).toMatchObject({ kind: 'exception', message: 'ValueError: bad fails' });
    // Printing outside a render goes to the worker's own streams again.
    expect(
      harness.pyodide.runPython('import sys; sys.stdout is sys.__stdout__ and sys.stderr is sys.__stderr__'),
    ).toBe(true);
  });

  it('ends the batch at KeyboardInterrupt, keeping what finished, and the next batch works', () => {
    const fine = macro('def render(context):\n    return "fine"\n');
    const stuck = macro(
      'import test_hooks\n\ndef render(context):\n    test_hooks.requestInterrupt()\n    while True:\n        pass\n',
    );
    const after = macro('def render(context):\n    return "after"\n');
    const { items, interrupted } = harness.renderBatch([
      { script: fine, context: context('a') },
      { script: stuck, context: context('b') },
      { script: after, context: context('c') },
      { script: fine, context: context('d') },
    ]);
    // Grouped by script: both calls of `fine` ran before `stuck`; `after` never ran.
    expect(items).toMatchObject([
      { kind: 'ok', html: 'fine' },
      { kind: 'ok', html: 'fine' },
    ]);
    expect(interrupted).toMatchObject({ message: 'KeyboardInterrupt', line: expect.any(Number) });
    // A line of the stuck macro: the call that asks for the interrupt (4) or the loop (5), as Pyodide
    // looks at the interrupt buffer every so many checks, whose phase depends on what ran before.
    expect(interrupted?.line).toBeGreaterThanOrEqual(4);
    expect(renderOne(fine)).toMatchObject({ kind: 'ok', html: 'fine' });
  });

  it('reports what each call read: which parts of pymark.site, and which keys of its post', () => {
    const other = { ...post('published', ['a']), body: 'Other body' };
    harness.installSite([other]);
    const reading = (body: string) => macro(`from pymark import site\n\ndef render(context):\n${body}`);
    const holding = macro(
      'from pymark import site\n\nheld = []\n\ndef render(context):\n    if not held:\n' +
        '        held.append(site.posts[0])\n        return "held"\n    return held[0]["body"]\n',
    );
    const { items } = harness.renderBatch(
      [
        holding,
        holding,
        reading('    return "plain"\n'),
        reading('    return str(len(site.posts))\n'),
        reading('    return context["post"]["title"] + context["post"].get("slug", "")\n'),
        reading('    import json\n    return json.dumps(context["post"])\n'),
        reading('    return ",".join(site.tag_counts()) + str(dict(context["post"]))\n'),
        // No key of a post is anything but a str: a look-up of 1 read nothing of it.
        reading('    return str(context["post"].get(1)) + context["post"]["title"]\n'),
        reading(
          '    return ",".join(t for p in site.posts for t in p["tags"]) + str(sorted(site.posts[0]))\n',
        ),
        reading(`    return site.post("${other.id}")["body"]\n`),
        reading('    return str([dict(p) for p in site.published_posts])\n'),
        reading('    return repr(site.posts[0].get("body"))\n'),
        reading('    return context["post"]["content"]\n'),
        reading('    return str(["updated_at" in p for p in site.posts]) + str(len(site.media))\n'),
        reading('    return str(site.category_counts(published_only=False)) + str(dict(site.settings))\n'),
      ].map((script) => ({ script, context: context('probe') })),
    );
    const everyKey = ['body', 'categories', 'id', 'slug', 'status', 'tags', 'title'].map(
      (key) => `posts.${key}`,
    );
    // What the reference app's `content` reads: the call's post looked up in the site data, and its body.
    const content = ['posts.body', 'posts.id', 'posts.slug'];
    expect(items.map((item) => item.reads)).toEqual([
      { site: ['posts'], post: [] },
      // A body read through a post kept from an earlier call is a read of the site data.
      { site: ['posts.body'], post: [] },
      { site: [], post: [] },
      { site: ['posts'], post: [] },
      { site: [], post: ['slug', 'title'] },
      // The whole post includes `content`.
      { site: content, post: null },
      { site: [...content, 'posts.status', 'posts.tags'], post: null },
      { site: [], post: ['title'] },
      // Which keys a post has is `posts`; an autosave (a new `updated_at`) or a body edit leaves this result.
      { site: ['posts', 'posts.tags'], post: [] },
      { site: content, post: [] },
      { site: ['posts', ...everyKey], post: [] },
      { site: ['posts', 'posts.body'], post: [] },
      { site: content, post: [] },
      { site: ['media', 'posts', 'posts.updated_at'], post: [] },
      { site: ['posts.categories', 'settings'], post: [] },
    ]);
  });

  it('applies site data changes to what pymark.site holds, in the order given', () => {
    const [first, second, third] = [
      post('published', ['a']),
      post('published', ['b']),
      post('published', ['c']),
    ];
    harness.installSite([first!, second!]);
    harness.engine.updateSite({
      changes: {
        upsert: [{ ...second!, title: 'Changed' }, third!],
        remove: [first!.id],
        order: [third!.id, second!.id],
      },
    });
    const titles = macro(
      'from pymark import site\n\ndef render(context):\n    return ",".join(p["title"] for p in site.posts)\n',
    );
    expect(renderOne(titles)).toMatchObject({ kind: 'ok', html: `${third!.title},Changed` });
  });

  it('leaves drafts out of pymark.site while macros run, as the built site does', () => {
    const [published, draft] = [post('published', ['a']), post('draft', ['secret'])];
    harness.installSite([published!, draft!]);
    const probe = macro(
      'from pymark import site\n\ndef render(context):\n' +
        `    return repr([[p["title"] for p in site.posts], site.post(${JSON.stringify(draft!.slug)}), ` +
        'list(site.tag_counts(published_only=False))])\n',
    );
    expect(renderOne(probe)).toMatchObject({ kind: 'ok', html: `[['${published!.title}'], None, ['a']]` });
  });

  it('keeps drafts out through changes too: a post that changes status moves in or out, in site order', () => {
    const [first, second, third] = [post('published', []), post('draft', []), post('published', [])];
    harness.installSite([first!, second!, third!]);
    harness.engine.updateSite({
      changes: {
        upsert: [
          { ...first!, status: 'draft' },
          { ...second!, status: 'published' },
        ],
        remove: [],
        order: null,
      },
    });
    const titles =
      'from pymark import site\n\ndef render(context):\n    return ",".join(p["title"] for p in site._posts)\n';
    expect(renderOne(macro(titles))).toMatchObject({ kind: 'ok', html: `${second!.title},${third!.title}` });
    const { result: utility, printed } = runCollectingOutput(runner, {
      fileName: 'titles.py',
      code: 'from pymark import site\nprint(",".join(p["title"] for p in site.posts))\n',
      entrypoint: 'main',
    });
    expect(utility).toMatchObject({ kind: 'ok' });
    expect(printed).toBe(`${first!.title},${second!.title},${third!.title}\n`);
    expect(renderOne(macro(titles))).toMatchObject({ kind: 'ok', html: `${second!.title},${third!.title}` });
  });
});

/** What the checker says of `code`, checked as the client checks it. */
function check(code: string, fileName: string) {
  const answer = { check: checker.check(code, fileName), heapBytes: 0 };
  return parseMessage(workerCheckAnswerSchema, answer, 'check answer').check;
}

describe('script check (real Pyodide)', () => {
  it('locates syntax errors by line and column without running the script', () => {
    const cases: [string, object][] = [
      [
        'import test_hooks\ntest_hooks.imported("ran")\nx = (1 +\n',
        { line: 3, column: 5, message: "SyntaxError: '(' was never closed" },
      ],
      ['def f()\n    pass\n', { line: 1, column: 8, message: "SyntaxError: expected ':'" }],
      [
        'def f():\nreturn 1\n',
        {
          line: 2,
          column: 1,
          message: expect.stringMatching(/^IndentationError: expected an indented block/),
        },
      ],
      [
        'x = 1\nreturn x\n',
        { line: 2, column: 1, endLine: 2, endColumn: 9, message: "SyntaxError: 'return' outside function" },
      ],
      [
        'print("a" "b" 1)\n',
        { line: 1, column: 7, message: expect.stringMatching(/^SyntaxError: invalid syntax/) },
      ],
    ];
    for (const [code, diagnostic] of cases) {
      expect(check(code, 'check.py')).toEqual({
        diagnostics: [expect.objectContaining({ severity: 'error', ...diagnostic })],
        entrypoints: [],
      });
    }
    expect(imports).not.toContain('ran');
  });

  it('reports SyntaxWarnings by line', () => {
    expect(check('import re\n\nDIGITS = re.compile("\\d+")\n', 'warn.py').diagnostics).toEqual([
      {
        severity: 'warning',
        line: 3,
        column: 1,
        message: expect.stringContaining('invalid escape sequence'),
      },
    ]);
  });

  it('lists the top-level functions as entrypoints, in order, once each', () => {
    const code =
      'import test_hooks\ntest_hooks.imported("ran")\n\ndef render(context):\n    def inner():\n        pass\n\n' +
      'async def fetch():\n    pass\n\nclass Tool:\n    def method(self):\n        pass\n\ndef render(context):\n    pass\n\ndef main():\n    pass\n';
    expect(check(code, 'tool.py')).toEqual({
      diagnostics: [],
      entrypoints: ['render', 'fetch', 'main'],
    });
    expect(imports).not.toContain('ran');
  });
});
