import type { Browser, Frame, Page } from 'playwright-core';
import { firstVisit, newAppPage, pythonStatus, replaceEditorText } from '../tests/e2e/harness';
import { storedSnapshotDigest } from '../tests/e2e/python-snapshot-seed';

/*
 * The figures measured through the built app itself (dist/), as a user meets them: a keystroke in
 * the Markdown editor until the preview frame has painted it, and Python's readiness on a first and
 * a repeat visit, timed on the page's own clock.
 */

export interface KeystrokeSamples {
  /** Keydown to the typed text painted in the preview, ms, for the post with five macro calls. */
  macros: number[];
  /** The same for the same post with its macro lines removed. */
  plain: number[];
}

export interface VisitSample {
  /** Navigation start to the runtime's first `ready` (the `pymark:python-ready` mark), first visit. */
  normalMs: number;
  /** The same after a reload, once the first visit's snapshot is stored. */
  repeatMs: number;
  /** How each boot went, from the status badge. */
  normalSource: string;
  repeatSource: string;
}

const heading = '# Keystroke bench\n\nSome words before the macros, as in a real post.\n\n';
/** Five calls of the bundled macros, one a paired-free tag cloud that reads the site. */
const macroLines = [
  '[[youtube id="dQw4w9WgXcQ" title="First"]]',
  '[[vimeo id=76979871]]',
  '[[youtube id="9bZkp7q19f0" title="Second" start=30]]',
  '[[vimeo id=22439234]]',
  '[[tag_cloud]]',
].join('\n\n');
const letters = 'abcdefghijklmnopqrstuvwxyz';

async function whenPythonReady(page: Page): Promise<void> {
  await pythonStatus(page).and(page.locator('[data-state="ready"]')).waitFor({ timeout: 180_000 });
}

/** Waits until the post is saved and its preview no longer rendering: the app is quiet again. */
async function whenQuiet(page: Page): Promise<void> {
  await page.getByRole('status', { name: 'Save state' }).filter({ hasText: 'Saved' }).waitFor();
  await page
    .getByRole('status', { name: 'Preview state' })
    .filter({ hasText: 'Rendering' })
    .waitFor({ state: 'hidden', timeout: 60_000 });
}

/**
 * Resolves, on the frame's clock as absolute time, once `text` is in the frame's document and a
 * frame holding it has been painted (the second animation frame after it appeared).
 */
function paintedWith(frame: Frame, text: string): Promise<number> {
  return frame.evaluate(
    (text) =>
      new Promise<number>((resolve) => {
        const check = () => {
          if (!document.body?.textContent?.includes(text)) return;
          observer.disconnect();
          requestAnimationFrame(() =>
            requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now())),
          );
        };
        const observer = new MutationObserver(check);
        observer.observe(document.documentElement, { subtree: true, childList: true, characterData: true });
        check();
      }),
    text,
  );
}

/**
 * One post in the app; `rounds` times, its body set with the macros and then without, and after each
 * `perRound` single keystrokes at its end, each timed from keydown to painted, the app left quiet in
 * between.
 */
export async function keystrokeSamples(
  browser: Browser,
  url: string,
  rounds: number,
  perRound: number,
): Promise<KeystrokeSamples & { pageErrors: string[] }> {
  const app = await newAppPage(browser, url, firstVisit);
  const { page } = app;
  try {
    await whenPythonReady(page);
    console.info('    keystrokes: Python ready');
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    const frame = await (await page.locator('iframe[title="Post preview"]').elementHandle())?.contentFrame();
    if (!frame) throw new Error('the preview frame did not load');
    await page.evaluate(() => {
      document.addEventListener(
        'keydown',
        (event) => {
          (window as { benchKeydownAt?: number }).benchKeydownAt = performance.timeOrigin + event.timeStamp;
        },
        true,
      );
    });
    const samples: KeystrokeSamples = { macros: [], plain: [] };
    let typed = 'x';
    for (let round = 0; round < rounds; round++) {
      for (const kind of ['macros', 'plain'] as const) {
        const body = `${heading}${kind === 'macros' ? `${macroLines}\n\n` : ''}Typed: ${typed}`;
        await replaceEditorText(page, 'Markdown of Untitled post', body);
        await page.keyboard.press('ControlOrMeta+End');
        await paintedWith(frame, `Typed: ${typed}`);
        await whenQuiet(page);
        console.info(`    keystrokes: round ${round + 1}, ${kind}`);
        for (let index = 0; index < perRound; index++) {
          typed += letters[typed.length % letters.length];
          const painted = paintedWith(frame, `Typed: ${typed}`);
          await page.keyboard.type(typed.at(-1)!);
          const paintedAt = await painted;
          const keydownAt = await page.evaluate(() => (window as { benchKeydownAt?: number }).benchKeydownAt);
          if (keydownAt === undefined) throw new Error('the keystroke was not seen');
          samples[kind].push(paintedAt - keydownAt);
          await whenQuiet(page);
        }
      }
    }
    return { ...samples, pageErrors: app.errors };
  } finally {
    await app.close();
  }
}

/** Navigation start to Python ready, on the page's clock, and how it booted. */
async function readyAfterNavigation(page: Page): Promise<{ ms: number; source: string }> {
  await whenPythonReady(page);
  const ms = await page.evaluate(() => performance.getEntriesByName('pymark:python-ready')[0]?.startTime);
  if (ms === undefined) throw new Error('the app set no pymark:python-ready mark');
  return { ms, source: (await pythonStatus(page).getAttribute('data-boot-source')) ?? 'unknown' };
}

/** `visits` times in a fresh browser context: a first visit (normal boot), then a reload (snapshot boot). */
export async function visitSamples(browser: Browser, url: string, visits: number): Promise<VisitSample[]> {
  const samples: VisitSample[] = [];
  for (let visit = 0; visit < visits; visit++) {
    const app = await newAppPage(browser, url, firstVisit);
    try {
      const first = await readyAfterNavigation(app.page);
      // The save after a normal boot runs in the background.
      await storedSnapshotDigest(app.page, '', 120_000);
      await app.page.reload();
      const repeat = await readyAfterNavigation(app.page);
      samples.push({
        normalMs: first.ms,
        repeatMs: repeat.ms,
        normalSource: first.source,
        repeatSource: repeat.source,
      });
    } finally {
      await app.close();
    }
  }
  return samples;
}
