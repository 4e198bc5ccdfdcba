import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { appPolicy, appPolicyMeta, scriptHashSource } from '../../scripts/app-policy';
import { previewDocument } from '../../src/render/preview-document';
import { workerModuleWithPyodide } from '../../src/runtime/pyodide-files';
import { sandboxFrameDocument } from '../../src/runtime/sandbox-host';

const require = createRequire(import.meta.url);

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
    const frames = [sandboxFrameDocument('n0nce'), previewDocument('http://localhost:4173', 'n0nce')];
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
  it('allows no script but its own, none from a blob: URL or by URL at all', () => {
    const policy = /content="([^"]+)"/.exec(sandboxFrameDocument('n0nce'))?.[1] ?? '';
    expect(scriptSources(policy)).toEqual(["'nonce-n0nce'", "'wasm-unsafe-eval'"]);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain('worker-src blob:');
  });
});

describe("the sandbox worker's module", () => {
  it("begins with the installed Pyodide's module factory, less its export", async () => {
    const pyodideModule = readFileSync(require.resolve('pyodide/pyodide.asm.mjs'), 'utf8');
    const joined = await workerModuleWithPyodide(pyodideModule, new Blob(['worker();'])).text();
    expect(joined.startsWith('async function _createPyodideModule(')).toBe(true);
    expect(joined.endsWith('}\nworker();')).toBe(true);
    expect(joined).not.toContain('export default');
  });

  it("is refused, naming the file, when Pyodide's module does not end with the export it expects", () => {
    expect(() => workerModuleWithPyodide('export default somethingElse;', new Blob([]))).toThrow(
      /pyodide\.asm\.mjs does not end with "export default _createPyodideModule;"/,
    );
  });
});
