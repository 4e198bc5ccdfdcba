import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AbiPost } from '../../src/core/abi.ts';
import type { Script } from '../../src/core/script.ts';
import { parseScriptFile } from '../../src/core/script-file.ts';
import { parseMessage, workerTransformAnswerSchema } from '../../src/runtime/protocol.ts';
import { createPythonRunner, type PythonRunner } from '../../src/runtime/python-runner.ts';
import { createTransformEngine, type TransformEngine } from '../../src/runtime/python-services.ts';
import {
  context,
  loadMacroHarness,
  type MacroHarness,
  post,
  type RenderedItem,
  runCollectingOutput,
  typed,
} from './macro-harness.ts';

/*
 * Scripts written for the reference desktop app (REFERENCE.md) run unchanged in real Pyodide: its
 * fixture files as a macro and a utility, render(context, post), async entry points, its context
 * keys, a result's `data`, and `from bds_api import bds`.
 */

function fixture(name: string): Script {
  const text = readFileSync(new URL(`../fixtures/reference-app/scripts/${name}.py`, import.meta.url), 'utf8');
  const parsed = parseScriptFile(text, { slug: name, fallbackTime: '2026-01-01T00:00:00.000Z' });
  if (!parsed.ok) throw new Error(parsed.problem.reason);
  return parsed.value.script;
}

let harness: MacroHarness;
let runner: PythonRunner;
let transforms: TransformEngine;
const hello: AbiPost = { ...post('published', ['python', 'web']), title: 'Hello', slug: 'hello' };
const draft: AbiPost = { ...post('draft', ['python']), title: 'Later', slug: 'later' };

beforeAll(async () => {
  harness = await loadMacroHarness();
  runner = createPythonRunner(harness.pyodide);
  transforms = createTransformEngine(harness.pyodide);
  harness.installSite([
    { ...hello, body: 'Hello, **world**.' },
    { ...draft, body: 'Soon.' },
  ]);
});

let scriptNumber = 0;
function renderMacro(
  body: string,
  params: Record<string, string | number | boolean> = {},
  entrypoint = 'render',
): RenderedItem {
  scriptNumber += 1;
  const script = { id: `ref${scriptNumber}`, version: 1, slug: `ref_${scriptNumber}`, body, entrypoint };
  const typedParams = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, typed(value)]));
  return harness.renderOne(script, context(script.slug, typedParams, [], hello));
}

function runUtility(code: string, entrypoint = 'main') {
  return runCollectingOutput(runner, { fileName: 'utility.py', code, entrypoint });
}

describe('the reference fixtures (real Pyodide)', () => {
  it('render_hero.py renders as a macro: render(context, post=None) gets its params', () => {
    const hero = fixture('render_hero');
    expect(hero.kind).toBe('macro');
    const script = {
      id: hero.id,
      version: hero.version,
      slug: hero.slug,
      body: hero.body,
      entrypoint: hero.entrypoint,
    };
    expect(
      harness.renderOne(script, context('render_hero', { title: typed('Hi <you>') }, [], hello)),
    ).toMatchObject({
      kind: 'ok',
      html: '<section class="hero"><h1>Hi &lt;you&gt;</h1></section>',
    });
    expect(harness.renderOne(script, context('render_hero', {}, [], hello))).toMatchObject({
      kind: 'ok',
      html: '<section class="hero"><h1>Welcome</h1></section>',
    });
  });

  it('crlf_tool.py runs as a utility through its entrypoint main, tabs and trailing spaces kept', () => {
    const tool = fixture('crlf_tool');
    expect(tool.kind).toBe('utility');
    const { result, printed } = runUtility(tool.body, tool.entrypoint);
    expect(result).toMatchObject({ kind: 'ok' });
    expect(printed).toBe('tabs\tand  trailing  \n');
  });
});

describe('reference-style entry points', () => {
  it('passes the post as the second argument, with the context carrying the reference keys', () => {
    const item = renderMacro(`
import json

def render(context, post):
    env = context["env"]
    return json.dumps({
        "same": post is context["post"],
        "env": {key: env[key] for key in ("isPreview", "mainLanguage", "hook", "source", "preview", "language")},
        "post": {key: post[key] for key in ("id", "projectId", "title", "content", "excerpt", "author",
                                            "createdAt", "publishedAt", "tags", "status")},
    })
`);
    expect(item.kind).toBe('ok');
    expect(JSON.parse(item.kind === 'ok' ? item.html : '')).toEqual({
      same: true,
      env: {
        isPreview: false,
        mainLanguage: 'en',
        hook: item.kind === 'ok' ? expect.stringMatching(/^ref_\d+$/) : '',
        source: { kind: 'macro', id: expect.stringMatching(/^ref\d+$/) },
        preview: false,
        language: 'en',
      },
      post: {
        id: hello.id,
        projectId: 'default',
        title: 'Hello',
        content: 'Hello, **world**.',
        excerpt: null,
        author: null,
        createdAt: null,
        publishedAt: null,
        tags: ['python', 'web'],
        status: 'published',
      },
    });
  });

  it('gives a one-argument render(context) the reference keys too', () => {
    const item = renderMacro(
      'def render(context):\n    return str(context["env"]["isPreview"]) + context["post"]["content"]\n',
    );
    expect(item).toMatchObject({ kind: 'ok', html: 'FalseHello, **world**.' });
  });

  it("awaits an async def render, and accepts and drops a result's data key", () => {
    const item = renderMacro(
      'async def render(context, post=None):\n    return {"html": "<b>async</b>", "data": {"n": 1}, "warnings": ["w"]}\n',
    );
    expect(item).toMatchObject({ kind: 'ok', html: '<b>async</b>', warnings: ['w'] });
  });

  it('says clearly when an async render awaits something that would have to wait', () => {
    const item = renderMacro(
      'import asyncio\n\nasync def render(context, post):\n    await asyncio.sleep(1)\n    return "late"\n',
    );
    expect(item.kind).toBe('exception');
    expect(item.kind !== 'ok' && item.message).toMatch(/NotReadyError: the entry point awaited .*at once/);
  });

  it('awaits an async def main of a utility and an async def transform', () => {
    expect(runUtility('async def main():\n    print("awaited")\n').printed).toBe('awaited\n');
    const result = transforms.transform({
      script: {
        id: 'tx',
        version: 1,
        fileName: 'tx.py',
        code: 'async def transform(post):\n    return {"title": post["title"].upper(), "body": "b"}\n',
        entrypoint: 'transform',
      },
      post: {
        title: 'shared',
        body: '',
        tags: [],
        categories: [],
        source: { kind: 'share', title: '', text: '', url: '' },
      },
    });
    const answer = parseMessage(workerTransformAnswerSchema, { result, pythonMs: 0, heapBytes: 0 }, 'answer');
    expect(answer.result).toMatchObject({
      kind: 'returned',
      result: { title: 'SHARED', body: 'b' },
    });
  });
});

describe('from bds_api import bds', () => {
  it('renders a reference-style macro that reads posts, tags and metadata', () => {
    const item = renderMacro(`
import html
from bds_api import bds

async def render(context, post=None):
    posts = await bds.posts.get_all({"status": "published"})
    everything = await bds.posts.get_all()
    tags = await bds.tags.get_with_counts()
    one = await bds.posts.get(post["id"])
    meta = await bds.meta.get_project_metadata()
    media = await bds.media.get_all()
    titles = ", ".join(html.escape(p["title"]) for p in posts)
    counts = " ".join(f'{t["name"]}={t["count"]}' for t in tags)
    return {
        "html": f'<p lang="{meta["mainLanguage"]}">{titles} ({len(everything)} in all) {counts} '
                f'{one["content"]} {len(media)}</p>',
        "data": {"posts": len(posts)},
    }
`);
    // `everything` leaves the draft out: a macro sees what the site shows (compatibility.md, 14).
    expect(item).toMatchObject({
      kind: 'ok',
      html: '<p lang="en">Hello (1 in all) python=1 web=1 Hello, **world**. 0</p>',
    });
  });

  it('searches posts and lists the posts of a tag, drafts included', () => {
    const { printed } = runUtility(`
from bds_api import bds

async def main():
    print([p["slug"] for p in await bds.posts.search("SOON")])
    print([p["slug"] for p in await bds.tags.get_posts_with_tag("python")])
    print(await bds.meta.get_tags(), await bds.posts.get("nope"))
`);
    expect(printed).toBe("['later']\n['hello', 'later']\n['python', 'web'] None\n");
  });

  it('raises NotImplementedError naming any call outside its read-only part', () => {
    for (const call of [
      'posts.create({"title": "x"})',
      'sync.push()',
      'app.open_folder()',
      'media.import_("a", {})',
    ]) {
      const item = renderMacro(
        `from bds_api import bds\n\nasync def render(context, post):\n    await bds.${call}\n`,
      );
      const name = call.slice(0, call.indexOf('('));
      expect(item.kind).toBe('exception');
      expect(item.kind !== 'ok' && item.message).toContain(
        `NotImplementedError: bds.${name}() is not available in Pymark`,
      );
    }
  });
});
