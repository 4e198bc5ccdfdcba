import type { Post } from '../../src/core/post';
import type { Script } from '../../src/core/script';
import {
  type MacroBatchRunner,
  PostRenderer,
  type SiteContext,
  toAbiPost,
} from '../../src/render/post-renderer';
import { createHtmlSanitizer } from '../../src/render/sanitize-html';
import type { PythonRuntime } from '../../src/runtime/types';
import type { PostsSample } from './api';

/*
 * Renders a document set through the app's one renderer, as site generation would: post after
 * post, each post's macros in one `renderMany`. A fresh renderer per repetition, so its memo never
 * spares the worker a post; then a second pass through the same renderer shows what the memo saves.
 */

const sanitize = createHtmlSanitizer();
const env = { preview: true, language: 'en', base_url: '/' };

/** Passes batches on to the runtime and counts them: the worker round trips of a render. */
class CountingRunner implements MacroBatchRunner {
  calls = 0;
  constructor(private readonly runtime: PythonRuntime) {}
  renderMany: MacroBatchRunner['renderMany'] = (items) => {
    this.calls++;
    return this.runtime.renderMany(items);
  };
}

async function renderAll(renderer: PostRenderer, posts: readonly Post[], site: SiteContext) {
  let macroCalls = 0;
  let executed = 0;
  const started = performance.now();
  for (const post of posts) {
    const rendered = await renderer.renderPost(post, site);
    macroCalls += rendered.macroCount;
    executed += rendered.executed;
    // A failed macro renders as an error box quickly; timing those would flatter the figure.
    if (rendered.html.includes('pymark-macro-error') || rendered.html.includes('pymark-macro-unknown')) {
      throw new Error(`post ${post.slug} rendered a macro error: ${JSON.stringify(rendered.warnings)}`);
    }
  }
  return { ms: performance.now() - started, macroCalls, executed };
}

export async function renderPostsSamples(
  runtime: PythonRuntime,
  scripts: readonly Script[],
  posts: readonly Post[],
  repetitions: number,
): Promise<PostsSample[]> {
  // What `from pymark import site` sees (the tag cloud counts the tags of all posts).
  runtime.setSiteData({ posts: posts.map(toAbiPost) });
  const site: SiteContext = { scripts, env, dataVersion: 'bench' };
  const samples: PostsSample[] = [];
  for (let index = 0; index < repetitions; index++) {
    const runner = new CountingRunner(runtime);
    const renderer = new PostRenderer(runner, sanitize);
    const first = await renderAll(renderer, posts, site);
    const callsBefore = runner.calls;
    const memo = await renderAll(renderer, posts, site);
    samples.push({
      ms: first.ms,
      posts: posts.length,
      renderManyCalls: callsBefore,
      macroCalls: first.macroCalls,
      executed: first.executed,
      memoPass: { ms: memo.ms, renderManyCalls: runner.calls - callsBefore },
    });
  }
  return samples;
}
