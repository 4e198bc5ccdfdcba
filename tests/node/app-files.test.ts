import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appFileOf, serveAppFile } from '../../electron/app-files';
import { isAppUrl, isWebUrl } from '../../electron/app-urls';

let base: string;
let dist: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'pymark-app-files-'));
  dist = join(base, 'dist');
  await mkdir(join(dist, 'pyodide'), { recursive: true });
  await writeFile(join(dist, 'index.html'), '<!doctype html>');
  await writeFile(join(dist, 'pyodide', 'pyodide.asm.wasm'), new Uint8Array([0, 97, 115, 109]));
  await writeFile(join(base, 'secret.txt'), 'secret');
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('the app scheme', () => {
  it('maps app://pymark/ URLs to files of dist/', () => {
    expect(appFileOf(dist, 'app://pymark/')).toBe(join(dist, 'index.html'));
    expect(appFileOf(dist, 'app://pymark/pyodide/pyodide.asm.wasm?v=1#x')).toBe(
      join(dist, 'pyodide', 'pyodide.asm.wasm'),
    );
    // The URL parser resolves dot segments, encoded ones too; they cannot climb above the root.
    expect(appFileOf(dist, 'app://pymark/../secret.txt')).toBe(join(dist, 'secret.txt'));
    expect(appFileOf(dist, 'app://pymark/%2e%2e/secret.txt')).toBe(join(dist, 'secret.txt'));
  });

  it.each([
    'app://pymark/..%2fsecret.txt',
    'app://pymark/pyodide/..%2f..%2fsecret.txt',
    'app://pymark/%2E%2E%2Fsecret.txt',
    'app://pymark/bad%zzescape',
    'app://pymark/index.html%00.png',
    'app://elsewhere/index.html',
  ])('refuses %s', (url) => {
    expect(appFileOf(dist, url)).toBeUndefined();
  });

  it('serves files with the isolation headers and their content type', async () => {
    const response = await serveAppFile(dist, new Request('app://pymark/pyodide/pyodide.asm.wasm'));
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'application/wasm',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
    });
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([0, 97, 115, 109]));

    const page = await serveAppFile(dist, new Request('app://pymark/'));
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe('<!doctype html>');
  });

  it('answers HEAD without a body, other methods with 405, and what is not there with 404', async () => {
    const head = await serveAppFile(dist, new Request('app://pymark/index.html', { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    expect((await serveAppFile(dist, new Request('app://pymark/', { method: 'POST' }))).status).toBe(405);
    expect((await serveAppFile(dist, new Request('app://pymark/missing.js'))).status).toBe(404);
    expect((await serveAppFile(dist, new Request('app://pymark/pyodide'))).status).toBe(404);
    expect((await serveAppFile(dist, new Request('app://pymark/%2e%2e/secret.txt'))).status).toBe(404);
  });
});

describe('navigation', () => {
  it('keeps the window on the app and sends only web pages to the OS browser', () => {
    expect(isAppUrl('app://pymark/index.html')).toBe(true);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('https://pymark/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
    expect(isWebUrl('https://example.com/post')).toBe(true);
    expect(isWebUrl('http://example.com/')).toBe(true);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'app://pymark/', 'smb://host/share']) {
      expect(isWebUrl(url), url).toBe(false);
    }
  });
});
