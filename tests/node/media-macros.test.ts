import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AbiMedia, AbiPost, MacroOutput } from '../../src/core/abi.ts';
import { context, loadMacroHarness, type MacroHarness, post, typed } from './macro-harness.ts';

const root = new URL('../../', import.meta.url);

let harness: MacroHarness;

beforeAll(async () => {
  harness = await loadMacroHarness();
});

/** Renders defaults/<file>.py as the macro `name` through the macro engine in real Pyodide. */
function render(
  file: string,
  params: Record<string, string | number | boolean> = {},
  onPost: AbiPost = post('published', []),
  name = file,
): MacroOutput {
  const typedParams = Object.fromEntries(Object.entries(params).map(([key, value]) => [key, typed(value)]));
  const script = {
    id: file,
    version: 1,
    slug: file,
    body: readFileSync(new URL(`defaults/${file}.py`, root), 'utf8'),
    entrypoint: 'render',
  };
  const item = harness.renderOne(script, context(name, typedParams, [], onPost));
  if (item.kind !== 'ok') throw new Error(item.message);
  return { html: item.html, warnings: item.warnings };
}

function image(fileName: string, createdAt: string, extra: Partial<AbiMedia> = {}): AbiMedia {
  const month = createdAt.slice(0, 7).replace('-', '/');
  return {
    id: `id-${fileName}`,
    file_name: fileName,
    mime_type: 'image/jpeg',
    size: 1000,
    width: 400,
    height: 300,
    created_at: createdAt,
    title: '',
    alt: '',
    caption: '',
    linked_post_ids: [],
    url: `/media/${month}/${fileName}`,
    thumbnails: [],
    ...extra,
  };
}

const older = image('older.jpg', '2026-01-05T10:00:00.000Z', { alt: 'Old alt', title: 'Old title' });
const newer = image('newer.jpg', '2026-02-20T10:00:00.000Z', {
  caption: 'New <caption>',
  width: 1600,
  height: 1200,
  thumbnails: [
    { width: 320, url: '/thumbnails/2026/02/newer.jpg.small.webp' },
    { width: 640, url: '/thumbnails/2026/02/newer.jpg.medium.webp' },
  ],
});

function postWith(media: AbiMedia[]): AbiPost {
  return { ...post('published', []), id: 'p-1', media };
}

const olderItem = (lightbox = ' data-lightbox="gallery-p-1"') =>
  `<a class="gallery-item" href="/media/2026/01/older.jpg"${lightbox} data-title="Old title">` +
  '<img src="/media/2026/01/older.jpg" alt="Old alt" loading="lazy" width="400" height="300" /></a>';

const newerItem = (sizes: string, lightbox = ' data-lightbox="gallery-p-1"') =>
  `<a class="gallery-item" href="/media/2026/02/newer.jpg"${lightbox} data-title="New &lt;caption&gt;">` +
  '<img src="/media/2026/02/newer.jpg" alt="newer.jpg" loading="lazy" srcset="' +
  '/thumbnails/2026/02/newer.jpg.small.webp 320w, /thumbnails/2026/02/newer.jpg.medium.webp 640w, ' +
  `/media/2026/02/newer.jpg 1600w" sizes="${sizes}" width="1600" height="1200" /></a>`;

describe('gallery', () => {
  it('shows the post’s linked images newest first, in 3 columns with a lightbox by default', () => {
    expect(render('gallery', {}, postWith([older, newer]))).toEqual({
      html:
        '<div class="macro-gallery gallery-cols-3" data-post-id="p-1" data-columns="3" data-lightbox="true">' +
        '<div class="gallery-container gallery-lightbox">' +
        newerItem('(max-width: 600px) 100vw, 33vw') +
        olderItem() +
        '</div></div>',
      warnings: [],
    });
  });

  it('takes columns from 1 to 6, as an int or a string of digits', () => {
    for (const [columns, expected] of [
      [1, 1],
      [6, 6],
      ['4', 4],
    ] as const) {
      const { html, warnings } = render('gallery', { columns }, postWith([older]));
      expect(html).toContain(
        `class="macro-gallery gallery-cols-${expected}" data-post-id="p-1" data-columns="${expected}"`,
      );
      expect(warnings).toEqual([]);
    }
    expect(render('gallery', { columns: 1 }, postWith([newer])).html).toContain('sizes="100vw"');
  });

  it('falls back to 3 columns, with a warning, for a bad value', () => {
    for (const columns of [0, 7, 2.5, 'wide', true]) {
      const { html, warnings } = render('gallery', { columns }, postWith([older]));
      expect(html).toContain('gallery-cols-3');
      expect(warnings).toEqual(['gallery: columns must be a whole number from 1 to 6; using 3']);
    }
  });

  it('adds an escaped caption under the grid', () => {
    expect(render('gallery', { caption: 'Trip "2026" <b>' }, postWith([older])).html).toMatch(
      /<\/div><figcaption class="gallery-caption">Trip &quot;2026&quot; &lt;b&gt;<\/figcaption><\/div>$/,
    );
  });

  it('leaves the lightbox out when lightbox=false', () => {
    for (const lightbox of [false, 'false']) {
      expect(render('gallery', { lightbox }, postWith([older])).html).toBe(
        '<div class="macro-gallery gallery-cols-3" data-post-id="p-1" data-columns="3" data-lightbox="false">' +
          `<div class="gallery-container">${olderItem('')}</div></div>`,
      );
    }
    expect(render('gallery', { lightbox: 'maybe' }, postWith([older])).warnings).toEqual([
      'gallery: lightbox must be true or false; using true',
    ]);
  });

  it('accepts the legacy link and warns about unknown parameters', () => {
    expect(render('gallery', { link: 'file', colums: 2 }, postWith([older])).warnings).toEqual([
      'gallery: unknown parameter colums; ignored',
    ]);
  });

  it('says so, with a warning, when no image is linked to the post', () => {
    for (const onPost of [postWith([]), post('published', [])]) {
      const { html, warnings } = render('gallery', {}, onPost);
      expect(html).toContain(
        '<div class="gallery-container gallery-lightbox"><div class="gallery-empty">No linked images found.</div></div>',
      );
      expect(warnings).toEqual([
        'gallery: no images are linked to this post; insert one from Media to link it',
      ]);
    }
  });

  it('escapes hostile metadata', () => {
    const hostile = image('x.jpg', '2026-01-01T00:00:00.000Z', { alt: '"><script>alert(1)</script>' });
    const { html } = render('gallery', {}, postWith([hostile]));
    expect(html).toContain('alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).not.toContain('<script>');
  });
});

const archiveItem = (item: AbiMedia, group: string, title: string, alt: string) =>
  `<a class="photo-archive-item" href="${item.url}" data-lightbox="${group}" data-title="${title}">` +
  `<img src="${item.url}" alt="${alt}" loading="lazy" width="${item.width}" height="${item.height}" /></a>`;

const monthBlock = (label: string, items: string) =>
  '<div class="photo-archive-month-wrapper"><div class="photo-archive-month">' +
  `<div class="photo-archive-month-label"><span>${label}</span></div>` +
  `<div class="photo-archive-gallery">${items}</div></div></div>`;

describe('photo_archive', () => {
  const jan = image('jan.jpg', '2026-01-10T00:00:00.000Z', { title: 'January' });
  const feb = image('feb.jpg', '2026-02-03T00:00:00.000Z');
  const feb2 = image('feb2.jpg', '2026-02-28T23:00:00.000Z', { alt: 'Late' });
  const lastYear = image('old.jpg', '2025-02-01T00:00:00.000Z');
  const janItem = archiveItem(jan, 'photo-archive-2026-01', 'January', 'January');
  const febItem = archiveItem(feb, 'photo-archive-2026-02', 'feb.jpg', 'feb.jpg');
  const feb2Item = archiveItem(feb2, 'photo-archive-2026-02', 'feb2.jpg', 'Late');
  const oldItem = archiveItem(lastYear, 'photo-archive-2025-02', 'old.jpg', 'old.jpg');

  it('shows the recent months, newest first, without a year', () => {
    harness.installSite([], [jan, feb, feb2, lastYear]);
    expect(render('photo_archive')).toEqual({
      html:
        '<div class="macro-photo-archive photo-archive-recent-months" data-recent="10"><div class="photo-archive-container">' +
        monthBlock('February 2026', feb2Item + febItem) +
        monthBlock('January 2026', janItem) +
        monthBlock('February 2025', oldItem) +
        '</div></div>',
      warnings: [],
    });
  });

  it('keeps only the 10 newest months without a year', () => {
    const months = Array.from({ length: 12 }, (_, index) =>
      image(`m${index}.jpg`, new Date(Date.UTC(2024, index, 15)).toISOString()),
    );
    harness.installSite([], months);
    const { html } = render('photo_archive');
    expect(html.match(/<span>[^<]+<\/span>/g)).toEqual(
      ['December', 'November', 'October', 'September', 'August', 'July', 'June', 'May', 'April', 'March'].map(
        (month) => `<span>${month} 2024</span>`,
      ),
    );
  });

  it('shows a whole year', () => {
    harness.installSite([], [jan, feb, lastYear]);
    expect(render('photo_archive', { year: 2025 }).html).toBe(
      '<div class="macro-photo-archive photo-archive-full-year" data-year="2025"><div class="photo-archive-container">' +
        `${monthBlock('February 2025', oldItem)}</div></div>`,
    );
  });

  it('shows one month of a year, and a month across years without one', () => {
    harness.installSite([], [jan, feb, feb2, lastYear]);
    expect(render('photo_archive', { year: '2026', month: 2 }).html).toBe(
      '<div class="macro-photo-archive photo-archive-single-month" data-year="2026" data-month="2">' +
        `<div class="photo-archive-container">${monthBlock('February 2026', feb2Item + febItem)}</div></div>`,
    );
    const across = render('photo_archive', { month: 2 }).html;
    expect(across.match(/<span>[^<]+<\/span>/g)).toEqual([
      '<span>February 2026</span>',
      '<span>February 2025</span>',
    ]);
  });

  it('answers to photo_album as well', () => {
    harness.installSite([], [lastYear]);
    expect(render('photo_archive', { year: 2025 }, undefined, 'photo_album')).toEqual(
      render('photo_archive', { year: 2025 }),
    );
  });

  it('ignores a bad year or month, with a warning naming the macro', () => {
    harness.installSite([], [jan]);
    for (const year of [99, 10000, 'last', 2026.5, true]) {
      const { html, warnings } = render('photo_archive', { year }, undefined, 'photo_album');
      expect(html).toContain('photo-archive-recent-months');
      expect(warnings).toEqual(['photo_album: year must be a 4-digit year (e.g. 2024); ignored']);
    }
    for (const month of [0, 13, 'feb']) {
      const { html, warnings } = render('photo_archive', { year: 2026, month });
      expect(html).toContain('photo-archive-full-year');
      expect(warnings).toEqual(['photo_archive: month must be a number from 1 to 12; ignored']);
    }
  });

  it('says so, with a warning, when nothing matches or there are no images', () => {
    const empty =
      '<div class="photo-archive-container"><div class="photo-archive-empty">No photos found for this archive.</div></div>';
    harness.installSite([], [jan]);
    expect(render('photo_archive', { year: 2020 })).toEqual({
      html: `<div class="macro-photo-archive photo-archive-full-year" data-year="2020">${empty}</div>`,
      warnings: ['photo_archive: no images match; import some in Media'],
    });
    harness.installSite([]);
    expect(render('photo_archive').html).toContain(empty);
  });
});

describe('pymark.site media', () => {
  it('lists the media read-only, and none when the snapshot has no media', () => {
    harness.installSite([], [jan()]);
    const result = harness.pyodide.runPython(`
from pymark import site
errors = []
for change in ('site.media[0]["alt"] = "x"', 'site.media = ()'):
    try:
        exec(change)
    except (TypeError, AttributeError) as error:
        errors.append(type(error).__name__)
(site.media[0]["file_name"], errors)
`);
    expect(result.toJs()).toEqual(['jan.jpg', ['TypeError', 'AttributeError']]);
    result.destroy();
    harness.installSite([]);
    expect(harness.pyodide.runPython('from pymark import site\nlen(site.media)')).toBe(0);
  });
});

function jan(): AbiMedia {
  return image('jan.jpg', '2026-01-10T00:00:00.000Z');
}
