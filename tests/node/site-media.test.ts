import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NodeProjectSource, NodeSiteTarget } from '../../src/cli/node-folders';
import { sharpThumbnail } from '../../src/cli/sharp-thumbnails';
import type { Media, ThumbnailMaker } from '../../src/core/media';
import { serializeSidecar } from '../../src/core/media-file';
import { createNodeRuntime, type NodeRuntime } from '../../src/runtime/node/node-runtime';
import { SiteBuilder } from '../../src/site/build-site';
import { readProject } from '../../src/site/project';
import { writeSite } from '../../src/site/site-writer';
import { sharedSnapshots } from './python-snapshot';
import { blogFixture, buildNodeBundles, copyFixture } from './site-harness';

/* The site build publishing a project's media: images, thumbnails made with sharp, and the macros' srcset. */

let python: NodeRuntime;
const dirs: string[] = [];

beforeAll(async () => {
  const bundles = await buildNodeBundles();
  python = createNodeRuntime({
    workers: 1,
    workerUrl: new URL(`file://${bundles}/python-worker.mjs`),
    snapshots: sharedSnapshots,
  });
  await python.ready();
}, 180_000);

afterAll(() => {
  python?.dispose();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const postId = '00000000-0000-4000-8000-0000000000aa';

function media(
  fileName: string,
  createdAt: string,
  width: number,
  height: number,
  extra: Partial<Media> = {},
): Media {
  return {
    id: crypto.randomUUID(),
    fileName,
    mimeType: fileName.endsWith('.png') ? 'image/png' : 'image/jpeg',
    size: 0,
    width,
    height,
    createdAt,
    updatedAt: createdAt,
    title: '',
    alt: '',
    caption: '',
    linkedPostIds: [],
    ...extra,
  };
}

async function addImage(dir: string, item: Media): Promise<Uint8Array> {
  const { width, height } = item;
  const image = sharp({ create: { width, height, channels: 3, background: '#3366cc' } });
  const bytes = new Uint8Array(await (item.mimeType === 'image/png' ? image.png() : image.jpeg()).toBuffer());
  const path = join(dir, 'media', item.createdAt.slice(0, 4), item.createdAt.slice(5, 7), item.fileName);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  writeFileSync(`${path}.yml`, serializeSidecar({ ...item, size: bytes.length }));
  return bytes;
}

/** The blog fixture plus the two media macros, a post with a gallery and an archive, and two images. */
async function mediaProject(): Promise<{ dir: string; sea: Uint8Array }> {
  const dir = copyFixture(blogFixture);
  dirs.push(dir);
  for (const macro of ['gallery', 'photo_archive']) {
    copyFileSync(new URL(`../../defaults/${macro}.py`, import.meta.url), join(dir, 'scripts', `${macro}.py`));
  }
  writeFileSync(
    join(dir, 'posts', 'photos.md'),
    [
      '---',
      `id: "${postId}"`,
      'title: "Photos"',
      'status: "published"',
      'createdAt: "2026-02-21T08:00:00.000Z"',
      '---',
      '[[gallery columns=3]]',
      '',
      '[[photo_archive year=2026]]',
      '',
      '[[photo_album]]',
      '',
    ].join('\n'),
  );
  const sea = await addImage(
    dir,
    media('sea view.jpg', '2026-02-20T10:00:00.000Z', 1600, 1200, {
      alt: 'The sea',
      linkedPostIds: [postId],
    }),
  );
  await addImage(dir, media('dot.png', '2025-12-01T10:00:00.000Z', 200, 100));
  return { dir, sea };
}

async function build(dir: string, builder: SiteBuilder) {
  const read = await readProject(new NodeProjectSource(dir));
  if (!read.ok) throw new Error(JSON.stringify(read.problems));
  const result = await builder.build(read.project);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result;
}

function counting(maker: ThumbnailMaker): { maker: ThumbnailMaker; calls: number[] } {
  const counted = {
    calls: [] as number[],
    maker: (async (image, width) => {
      counted.calls.push(width);
      return maker(image, width);
    }) as ThumbnailMaker,
  };
  return counted;
}

describe('publishing media', () => {
  test('copies the images and their thumbnails, and links the thumbnails in srcset', async () => {
    const { dir, sea } = await mediaProject();
    const thumbnails = counting(sharpThumbnail);
    const result = await build(dir, new SiteBuilder(python, { thumbnails: thumbnails.maker }));
    const published = [...result.files.keys()].filter((path) => /^(media|thumbnails)\//.test(path));
    expect(published).toEqual([
      'media/2025/12/dot.png',
      'media/2026/02/sea view.jpg',
      'thumbnails/2026/02/sea view.jpg.large.webp',
      'thumbnails/2026/02/sea view.jpg.medium.webp',
      'thumbnails/2026/02/sea view.jpg.small.webp',
    ]);
    expect(result.files.get('media/2026/02/sea view.jpg')).toEqual(sea);
    for (const [size, width] of [
      ['small', 320],
      ['medium', 640],
      ['large', 1280],
    ] as const) {
      const meta = await sharp(result.files.get(`thumbnails/2026/02/sea view.jpg.${size}.webp`)!).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', width, (width * 3) / 4]);
    }

    const page = new TextDecoder().decode(result.files.get('posts/photos/index.html'));
    const seaUrl = '/sub/media/2026/02/sea%20view.jpg';
    const thumb = (size: string) => `/sub/thumbnails/2026/02/sea%20view.jpg.${size}.webp`;
    // The gallery: the linked image only, with its thumbnails in srcset, through the sanitizer intact.
    expect(page).toContain(
      '<div class="macro-gallery gallery-cols-3" data-post-id="00000000-0000-4000-8000-0000000000aa" data-columns="3" data-lightbox="true">',
    );
    expect(page).toContain(
      `<img src="${seaUrl}" alt="The sea" loading="lazy" srcset="${thumb('small')} 320w, ${thumb('medium')} 640w, ${thumb('large')} 1280w, ${seaUrl} 1600w" sizes="(max-width: 600px) 100vw, 33vw" width="1600" height="1200">`,
    );
    // photo_archive year=2026 shows February 2026 only; photo_album (its alias) the recent months.
    expect(page).toContain('<div class="macro-photo-archive photo-archive-full-year" data-year="2026">');
    expect(page.match(/<span>(\w+ \d{4})<\/span>/g)).toEqual([
      '<span>February 2026</span>',
      '<span>February 2026</span>',
      '<span>December 2025</span>',
    ]);
    expect(page).toContain(
      '<img src="/sub/media/2025/12/dot.png" alt="dot.png" loading="lazy" width="200" height="100">',
    );
    expect(thumbnails.calls.sort()).toEqual([1280, 320, 640]);
  }, 120_000);

  test('rebuilds make no thumbnail twice, and write only the files that changed', async () => {
    const { dir } = await mediaProject();
    const thumbnails = counting(sharpThumbnail);
    const builder = new SiteBuilder(python, { thumbnails: thumbnails.maker });
    const out = join(dir, '_site');
    const first = await writeSite((await build(dir, builder)).files, new NodeSiteTarget(out));
    expect(first.written).toContain('thumbnails/2026/02/sea view.jpg.small.webp');

    writeFileSync(
      join(dir, 'posts', 'photos.md'),
      `${readFileSync(join(dir, 'posts', 'photos.md'), 'utf8')}More.\n`,
    );
    const second = await writeSite((await build(dir, builder)).files, new NodeSiteTarget(out));
    expect(second.written.filter((path) => /^(media|thumbnails)\//.test(path))).toEqual([]);
    expect(second.written).toContain('posts/photos/index.html');
    expect(thumbnails.calls).toHaveLength(3);
    expect(readFileSync(join(out, 'media/2026/02/sea view.jpg')).length).toBeGreaterThan(0);
  }, 120_000);

  test('without a thumbnail maker, publishes the images and links no thumbnail', async () => {
    const { dir } = await mediaProject();
    const result = await build(dir, new SiteBuilder(python));
    expect([...result.files.keys()].filter((path) => path.startsWith('thumbnails/'))).toEqual([]);
    expect(new TextDecoder().decode(result.files.get('posts/photos/index.html'))).not.toContain('srcset');
  }, 120_000);

  test.each([
    ['a sub-path', 'https://x.github.io/blog/', '/blog/'],
    ['the root', 'https://example.com', '/'],
  ])(
    'an image inserted as Markdown links under %s, in the page and the feeds',
    async (_, baseUrl, base) => {
      const { dir } = await mediaProject();
      const siteYml = join(dir, 'site.yml');
      writeFileSync(
        siteYml,
        readFileSync(siteYml, 'utf8').replace(/^base_url: .*$/m, `base_url: "${baseUrl}"`),
      );
      // What Insert into post and a drop write: the image's site path.
      const photos = join(dir, 'posts', 'photos.md');
      writeFileSync(
        photos,
        `${readFileSync(photos, 'utf8')}\n![The sea](/media/2026/02/sea%20view.jpg)\n\n[the dot](/media/2025/12/dot.png)\n`,
      );
      const result = await build(dir, new SiteBuilder(python, { thumbnails: sharpThumbnail }));
      const text = (path: string) => new TextDecoder().decode(result.files.get(path));
      const seaUrl = `${base}media/2026/02/sea%20view.jpg`;
      const thumb = (size: string) => `${base}thumbnails/2026/02/sea%20view.jpg.${size}.webp`;
      const page = text('posts/photos/index.html');
      expect(page).toContain(
        `<img src="${seaUrl}" alt="The sea" srcset="${thumb('small')} 320w, ${thumb('medium')} 640w, ${thumb('large')} 1280w, ${seaUrl} 1600w" sizes="(max-width: 1600px) 100vw, 1600px" width="1600" height="1200">`,
      );
      expect(page).toContain(`<a href="${base}media/2025/12/dot.png">the dot</a>`);
      // Every link to the site's images is under the base path, and names a file the build wrote.
      const linked = [...page.matchAll(/(?:src|href)="([^"]*\/(?:media|thumbnails)\/[^"]*)"/g)].map(
        (match) => match[1]!,
      );
      const srcsets = [...page.matchAll(/srcset="([^"]*)"/g)].flatMap((match) =>
        match[1]!.split(', ').map((source) => source.split(' ')[0]!),
      );
      for (const url of [...linked, ...srcsets]) {
        expect(url.startsWith(base)).toBe(true);
        expect(result.files.has(decodeURIComponent(url.slice(base.length)))).toBe(true);
      }
      // Feeds carry absolute links, under the base path too.
      const absolute = new URL(base, baseUrl).href;
      expect(text('rss.xml')).toContain(`src=&#34;${absolute}media/2026/02/sea%20view.jpg&#34;`);
      expect(text('atom.xml')).toContain(`href=&#34;${absolute}media/2025/12/dot.png&#34;`);
    },
    120_000,
  );

  test('stops at an image that is not an image, naming it', async () => {
    const { dir } = await mediaProject();
    writeFileSync(join(dir, 'media/2026/02/sea view.jpg'), 'not a picture');
    const read = await readProject(new NodeProjectSource(dir));
    expect(read).toEqual({
      ok: false,
      problems: [
        {
          file: 'media/2026/02/sea view.jpg',
          message: 'media/2026/02/sea view.jpg is not an image Pymark can use (JPEG, PNG, GIF or WebP)',
        },
      ],
    });
  });
});
