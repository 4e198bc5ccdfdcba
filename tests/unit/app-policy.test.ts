import { describe, expect, it } from 'vitest';
import { appPolicy, appPolicyMeta, scriptHashSource } from '../../scripts/app-policy';
import { previewDocument } from '../../src/render/preview-document';
import { sandboxFrameDocument } from '../../src/runtime/sandbox-frame';

/** The text of each inline script in a document, as the browser hashes it. */
function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1] ?? '');
}

const scriptSources = (policy: string) =>
  policy
    .split('; ')
    .find((directive) => directive.startsWith('script-src '))
    ?.split(' ')
    .slice(1);

describe("the app page's policy", () => {
  it("allows each frame's inline script by the hash of the text the frame gets", () => {
    const frames = [
      sandboxFrameDocument('http://localhost:4173', 'n0nce'),
      previewDocument('http://localhost:4173', 'n0nce'),
    ];
    const hashes = frames.flatMap(inlineScripts).map(scriptHashSource);
    expect(hashes).toHaveLength(2);
    expect(scriptSources(appPolicy)).toEqual(["'self'", "'wasm-unsafe-eval'", ...hashes]);
  });

  it('allows no inline script, eval or blob: script of its own, and is the same in a meta but for frame-ancestors', () => {
    expect(appPolicy).not.toMatch(
      /'unsafe-inline'[^;]*;.*script-src|script-src[^;]*('unsafe-inline'|'unsafe-eval'|blob:)/,
    );
    expect(appPolicy).toBe(`${appPolicyMeta}; frame-ancestors 'none'`);
  });
});

describe("the sandbox frame's policy", () => {
  it('allows no blob: script and imports only Pyodide’s module', () => {
    const html = sandboxFrameDocument(
      'http://localhost:4173',
      'n0nce',
      'http://localhost:4173/base/pyodide/',
    );
    const policy = /content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(scriptSources(policy)).toEqual([
      "'nonce-n0nce'",
      'http://localhost:4173/base/pyodide/pyodide.asm.mjs',
      "'wasm-unsafe-eval'",
    ]);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain('worker-src blob:');
  });
});
