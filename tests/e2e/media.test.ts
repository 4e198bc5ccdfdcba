import type { FrameLocator, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AppPage, newAppPage, replaceEditorText, useBuiltApp } from './harness';

const suite = useBuiltApp();

async function jpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#2255aa' } })
    .jpeg()
    .toBuffer();
}

async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#aa5522' } })
    .png()
    .toBuffer();
}

/** A drag's data holding one file, made in the page. */
function fileTransfer(page: Page, name: string, mimeType: string, bytes: Buffer) {
  return page.evaluateHandle(
    ({ name, mimeType, data }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], name, { type: mimeType }));
      return transfer;
    },
    { name, mimeType, data: [...bytes] },
  );
}

/** Drops `file` on `target`, as a drag from the desktop does. */
async function dropFile(target: Locator, name: string, mimeType: string, bytes: Buffer): Promise<void> {
  const dataTransfer = await fileTransfer(target.page(), name, mimeType, bytes);
  await target.dispatchEvent('dragover', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
}

const images = (page: Page) => page.getByRole('list', { name: 'Images' }).getByRole('listitem');
const linkedMedia = (page: Page) => page.getByRole('group', { name: 'Linked media' });
/** The post's Markdown as the editor shows it, a line an entry ('' for a blank one). */
const markdownLines = (page: Page) => page.locator('.cm-line').allTextContents();
const year = new Date().getUTCFullYear();
const month = String(new Date().getUTCMonth() + 1).padStart(2, '0');

describe('media', () => {
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
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    await replaceEditorText(
      page,
      'Markdown of Untitled post',
      `# Photos\n\nFirst line.\n\n[[gallery columns=3]]\n\n[[photo_archive year=${year}]]\n\nThe end.`,
    );
    preview = page.frameLocator('iframe[title="Post preview"]');
    await preview.locator('text=The end.').waitFor();
  });

  afterAll(async () => {
    await app.close();
  });

  test('imports an image by the file chooser, and refuses files that are not whole images', async () => {
    await page.getByRole('tab', { name: 'Media' }).click();
    const chooser = page.getByLabel('Import images');
    await chooser.setInputFiles({
      name: 'photo.jpg',
      mimeType: 'image/jpeg',
      buffer: await jpeg(1600, 1200),
    });
    await page.getByRole('status').filter({ hasText: 'Imported photo.jpg' }).waitFor();
    await expect.poll(() => images(page).count()).toBe(1);

    await chooser.setInputFiles({
      name: 'notes.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from('my notes'),
    });
    await page
      .getByRole('alert')
      .filter({ hasText: 'Not imported: notes.jpg is not an image Pymark can use (JPEG, PNG, GIF or WebP)' })
      .waitFor();
    const whole = await jpeg(300, 200);
    await chooser.setInputFiles({
      name: 'cut.jpg',
      mimeType: 'image/jpeg',
      buffer: whole.subarray(0, whole.length / 2),
    });
    await page.getByRole('alert').filter({ hasText: 'Not imported: cut.jpg is a truncated JPEG' }).waitFor();
    await expect.poll(() => images(page).count()).toBe(1);
    await page.getByRole('button', { name: 'Dismiss problem' }).click();
  });

  test('imports an image dropped on the app in another view into Media, and refuses a pasted non-image', async () => {
    await page.getByRole('tab', { name: 'Scripts' }).click();
    await page.getByRole('button', { name: 'New script' }).click();
    const code = page.locator('.cm-content');
    const script = await code.textContent();
    // The script's editor takes a dropped file's text, but not an image's bytes: those go to Media.
    await dropFile(code, 'dropped.png', 'image/png', await png(400, 300));
    await page.getByRole('tab', { name: 'Media', selected: true }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Imported dropped.png' }).waitFor();
    await expect.poll(() => images(page).count()).toBe(2);
    await page.getByRole('tab', { name: 'Scripts' }).click();
    expect(await code.textContent()).toBe(script);

    // A paste outside a text field goes the same way; this one is text under an image's name.
    await page.getByRole('tab', { name: 'Scripts' }).click();
    await page.getByRole('button', { name: 'New script' }).evaluate((target) => {
      const clipboardData = new DataTransfer();
      clipboardData.items.add(new File(['a shopping list'], 'renamed.gif', { type: 'image/gif' }));
      target.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true, composed: true }),
      );
    });
    await page.getByRole('tab', { name: 'Media', selected: true }).waitFor();
    await page
      .getByRole('alert')
      .filter({
        hasText: 'Not imported: renamed.gif is not an image Pymark can use (JPEG, PNG, GIF or WebP)',
      })
      .waitFor();
    expect(await images(page).count()).toBe(2);
    await page.getByRole('button', { name: 'Dismiss problem' }).click();
  });

  test('edits alt text, searches and filters by month', async () => {
    await images(page).filter({ hasText: 'photo.jpg' }).getByRole('button').click();
    const alt = page.getByLabel('Alt text');
    await alt.fill('A blue square');
    await alt.press('Tab');
    await page.getByRole('img', { name: 'A blue square' }).first().waitFor();

    await page.getByRole('searchbox', { name: 'Search media' }).fill('blue');
    await expect.poll(() => images(page).count()).toBe(1);
    await page.getByRole('searchbox', { name: 'Search media' }).fill('');
    await page.getByRole('combobox', { name: 'Month' }).selectOption(`${year}/${month}`);
    await expect.poll(() => images(page).count()).toBe(2);
    await page.getByRole('combobox', { name: 'Month' }).selectOption('');
  });

  test('inserts the image into the post, which shows it, in the gallery and the archive too', async () => {
    await images(page).filter({ hasText: 'photo.jpg' }).getByRole('button').click();
    await page.getByRole('button', { name: 'Insert into post' }).click();
    await page.getByRole('tab', { name: 'Posts', selected: true }).waitFor();
    const markdown = `![A blue square](/media/${year}/${month}/photo.jpg)`;
    await page.locator('.cm-content').filter({ hasText: markdown }).waitFor();

    // The Markdown image, the gallery (the post's linked image) and the archive (every image of the year).
    const shown = preview.locator('img[alt="A blue square"]');
    await expect.poll(() => shown.count(), { timeout: 30_000 }).toBe(3);
    // Inlined from the store: the worker's WebP thumbnail.
    await expect
      .poll(() => shown.first().getAttribute('src'), { timeout: 30_000 })
      .toMatch(/^data:image\/webp;base64,/);
    await expect.poll(() => preview.locator('.macro-gallery.gallery-cols-3 img').count()).toBe(1);
    await expect.poll(() => preview.locator(`.macro-photo-archive[data-year="${year}"] img`).count()).toBe(2);
    const decoded = await shown
      .first()
      .evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth));
    expect(decoded).toBe(640);
  });

  test('deletes an image with undo', async () => {
    await page.getByRole('tab', { name: 'Media' }).click();
    await images(page).filter({ hasText: 'dropped.png' }).getByRole('button').click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => images(page).count()).toBe(1);
    await page
      .getByRole('alert')
      .filter({ hasText: 'Deleted “dropped.png”' })
      .getByRole('button', { name: 'Undo' })
      .click();
    await expect.poll(() => images(page).count()).toBe(2);
    expect(app.errors).toEqual([]);
  });

  test('an image dropped on the Markdown is imported, inserted where it fell, linked and listed', async () => {
    await page.getByRole('tab', { name: 'Posts' }).click();
    const line = page.locator('.cm-line').filter({ hasText: /^First line\.$/ });
    const box = (await line.boundingBox())!;
    const dataTransfer = await fileTransfer(page, 'in-post.png', 'image/png', await png(500, 400));
    const at = { dataTransfer, clientX: box.x + box.width - 1, clientY: box.y + box.height / 2 };
    await page.locator('.cm-content').dispatchEvent('dragover', at);
    await page.locator('.cm-content').dispatchEvent('drop', at);
    const image = `![in-post.png](/media/${year}/${month}/in-post.png)`;
    await expect.poll(() => markdownLines(page), { timeout: 30_000 }).toContain(image);
    const lines = await markdownLines(page);
    expect(lines.indexOf(image)).toBe(lines.indexOf('First line.') + 2);
    await expect.poll(() => linkedMedia(page).textContent(), { timeout: 30_000 }).toMatch(/in-post\.png/);
    expect(await linkedMedia(page).textContent()).toMatch(/photo\.jpg/);
    await expect.poll(() => preview.locator('.macro-gallery img').count(), { timeout: 30_000 }).toBe(2);
  });

  test('an image pasted into the Markdown goes in at the cursor, and the view stays', async () => {
    await page
      .locator('.cm-line')
      .filter({ hasText: /^The end\.$/ })
      .click();
    await page.keyboard.press('End');
    const bytes = [...(await jpeg(200, 150))];
    await page.locator('.cm-content').evaluate((editor, data) => {
      const clipboardData = new DataTransfer();
      clipboardData.items.add(new File([new Uint8Array(data)], 'pasted.jpg', { type: 'image/jpeg' }));
      editor.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true, composed: true }),
      );
    }, bytes);
    await expect
      .poll(() => markdownLines(page), { timeout: 30_000 })
      .toContain(`![pasted.jpg](/media/${year}/${month}/pasted.jpg)`);
    const lines = await markdownLines(page);
    expect(lines.indexOf(`![pasted.jpg](/media/${year}/${month}/pasted.jpg)`)).toBe(
      lines.indexOf('The end.') + 2,
    );
    await page.getByRole('tab', { name: 'Posts', selected: true }).waitFor();
    await expect.poll(() => linkedMedia(page).textContent(), { timeout: 30_000 }).toMatch(/pasted\.jpg/);
  });

  test('a file that is not an image, dropped on the Markdown, is refused and changes nothing', async () => {
    const before = await markdownLines(page);
    const linkedBefore = await linkedMedia(page).textContent();
    const dataTransfer = await fileTransfer(page, 'renamed.png', 'image/png', Buffer.from('just text'));
    await page.locator('.cm-content').dispatchEvent('dragover', { dataTransfer });
    await page.locator('.cm-content').dispatchEvent('drop', { dataTransfer });
    await page
      .getByRole('alert')
      .filter({
        hasText: 'Not imported: renamed.png is not an image Pymark can use (JPEG, PNG, GIF or WebP)',
      })
      .waitFor();
    expect(await markdownLines(page)).toEqual(before);
    expect(await linkedMedia(page).textContent()).toBe(linkedBefore);
    await page.getByRole('button', { name: 'Dismiss problem' }).click();
    await page.getByRole('tab', { name: 'Media' }).click();
    await expect.poll(() => images(page).count()).toBe(4);
    await page.getByRole('tab', { name: 'Posts' }).click();
  });

  test('the site built into a folder holds the images, their thumbnails and the page linking them', async () => {
    await page.getByRole('combobox', { name: /^Status/ }).selectOption('published');
    // The build reads the stored post: wait until the status change is saved.
    await page.locator('.save-state[data-state="saved"]').waitFor();
    await page.evaluate(() => {
      Object.defineProperty(window, 'showDirectoryPicker', {
        configurable: true,
        value: async () =>
          (await navigator.storage.getDirectory()).getDirectoryHandle('media-project', { create: true }),
      });
    });
    await page.getByRole('button', { name: 'Connect folder' }).click();
    await page.getByRole('tab', { name: 'Site' }).click();
    const baseUrl = page.locator('pymark-site-view input[name="base_url"]');
    await baseUrl.fill('https://x.github.io/blog/');
    await baseUrl.press('Enter');
    await expect.poll(() => page.locator('pymark-site-view .saved').textContent()).toBe('Saved');
    await page.getByRole('button', { name: 'Build site' }).click();
    const report = page.getByRole('region', { name: 'Build report' });
    await report.waitFor({ timeout: 120_000 });
    await expect.poll(() => report.textContent()).toMatch(/Built into the folder’s site\//);

    const site = await page.evaluate(async () => {
      const files: Record<string, number> = {};
      const texts: Record<string, string> = {};
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('media-project');
      const walk = async (folder: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
        for await (const entry of folder.values()) {
          const path = prefix ? `${prefix}/${entry.name}` : entry.name;
          if (entry.kind === 'directory') await walk(entry as FileSystemDirectoryHandle, path);
          else {
            const file = await (entry as FileSystemFileHandle).getFile();
            files[path] = file.size;
            if (path.endsWith('.html')) texts[path] = await file.text();
          }
        }
      };
      await walk(await root.getDirectoryHandle('site'), '');
      return { files, texts };
    });
    const dir = `${year}/${month}`;
    for (const path of [
      `media/${dir}/photo.jpg`,
      `media/${dir}/in-post.png`,
      `media/${dir}/pasted.jpg`,
      `thumbnails/${dir}/photo.jpg.small.webp`,
      `thumbnails/${dir}/photo.jpg.medium.webp`,
      `thumbnails/${dir}/photo.jpg.large.webp`,
      `thumbnails/${dir}/in-post.png.small.webp`,
    ])
      expect(site.files[path], path).toBeGreaterThan(0);
    const [pagePath, html] = Object.entries(site.texts).find(([path]) => path.startsWith('posts/'))!;
    expect(pagePath).toMatch(/^posts\/[a-z0-9_]+\/index\.html$/);
    expect(html).toContain('<div class="macro-gallery gallery-cols-3"');
    expect(html).toContain(`<div class="macro-photo-archive photo-archive-full-year" data-year="${year}">`);
    // Every link to an image or thumbnail is under the base path and names a file of the site.
    const links = [...html.matchAll(/(?:src|href)="(\/[^"]*\/(?:media|thumbnails)\/[^"]*)"/g)].map(
      (m) => m[1]!,
    );
    const sources = [...html.matchAll(/srcset="([^"]*)"/g)].flatMap((m) =>
      m[1]!.split(', ').map((source) => source.split(' ')[0]!),
    );
    expect(links).toContain(`/blog/media/${dir}/photo.jpg`);
    expect(sources).toContain(`/blog/thumbnails/${dir}/photo.jpg.small.webp`);
    for (const url of [...links, ...sources]) {
      expect(url.startsWith('/blog/'), url).toBe(true);
      expect(site.files[decodeURIComponent(url.slice('/blog/'.length))], url).toBeGreaterThan(0);
    }
    expect(app.errors).toEqual([]);
  });
});

describe('the share target', () => {
  test('takes images shared to the installed app into the media library', async () => {
    const app = await newAppPage(suite.browser, suite.server.url);
    try {
      const { page } = app;
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      await page.reload();
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
      // What the system share sheet sends: a multipart POST to the manifest's action.
      const data = [...(await jpeg(800, 600))];
      await page.evaluate(
        ({ data }) => {
          const form = document.createElement('form');
          form.method = 'post';
          form.action = '/share-target';
          form.enctype = 'multipart/form-data';
          const input = document.createElement('input');
          input.type = 'file';
          input.name = 'media';
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(data)], 'shared.jpg', { type: 'image/jpeg' }));
          input.files = transfer.files;
          form.append(input);
          document.body.append(form);
          form.submit();
        },
        { data },
      );
      await page.getByRole('status').filter({ hasText: 'Imported shared.jpg' }).waitFor({ timeout: 60_000 });
      await page.getByRole('tab', { name: 'Media', selected: true }).waitFor();
      expect(new URL(page.url()).search).toBe('');
      expect(app.errors).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
