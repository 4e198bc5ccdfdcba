import type { FrameLocator, Page } from 'playwright-core';
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

/** Drops `file` on the media view's drop zone, as a drag from the desktop does. */
async function dropFile(page: Page, name: string, mimeType: string, bytes: Buffer): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ name, mimeType, data }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], name, { type: mimeType }));
      return transfer;
    },
    { name, mimeType, data: [...bytes] },
  );
  const zone = page.getByRole('region', { name: 'Media, drop images here' });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
}

const images = (page: Page) => page.getByRole('list', { name: 'Images' }).getByRole('listitem');
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

  test('imports an image dropped on the view', async () => {
    await dropFile(page, 'dropped.png', 'image/png', await png(400, 300));
    await page.getByRole('status').filter({ hasText: 'Imported dropped.png' }).waitFor();
    await expect.poll(() => images(page).count()).toBe(2);
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
