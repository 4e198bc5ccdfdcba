import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { OffThreadSanitizer, type SanitizerWorker } from '../../src/render/off-thread-sanitizer';
import { createHtmlSanitizer } from '../../src/render/sanitize-html';
import type { SanitizeRequest } from '../../src/render/sanitizer-protocol';

const src = fileURLToPath(new URL('../../src/', import.meta.url));

/** Every module `entry` loads at run time, statically or by `import()`, followed through relative specifiers. */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    // Type-only imports are erased from the bundle.
    const text = readFileSync(file, 'utf8').replace(/(?:import|export) type [^;]*;/g, '');
    for (const [, specifier] of text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
      const target = resolve(dirname(file), specifier!);
      if (target.endsWith('.ts')) visit(target);
      else if (!/\?|\.\w+$/.test(specifier!)) visit(`${target}.ts`);
    }
  };
  visit(entry);
  return seen;
}

/** A worker that answers on a later task, as a real one does, with the real sanitizer. */
class StandInWorker implements SanitizerWorker {
  readonly requests: SanitizeRequest[] = [];
  readonly #listeners: Record<string, ((event: never) => void)[]> = { message: [], error: [] };
  terminated = false;
  constructor(
    private readonly answerTo: (request: SanitizeRequest) => unknown = (request) => ({
      id: request.id,
      htmls: request.htmls.map(createHtmlSanitizer(request.embeds)),
    }),
  ) {}
  addEventListener(type: 'message' | 'error', listener: (event: never) => void): void {
    this.#listeners[type]!.push(listener);
  }
  postMessage(request: SanitizeRequest): void {
    this.requests.push(structuredClone(request));
    setTimeout(() => {
      const answer = this.answerTo(request);
      for (const listener of this.#listeners.message!) listener({ data: answer } as never);
    });
  }
  fail(message: string): void {
    for (const listener of this.#listeners.error!) listener({ message } as never);
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe('sanitizing off the page thread', () => {
  test("the page's code cannot sanitize in place: no module it loads imports the HTML parser", () => {
    const page = importGraph(join(src, 'main.ts'));
    const names = [...page].map((file) => relative(src, file));
    expect(names).toContain('render/off-thread-renderer.ts');
    expect(names).toContain('render/off-thread-sanitizer.ts');
    expect(names).not.toContain('render/sanitize-html.ts');
    for (const workerModule of ['sanitizer-worker.ts', 'render-worker.ts']) {
      const worker = [...importGraph(join(src, 'render', workerModule))].map((file) => relative(src, file));
      expect(worker).toContain('render/sanitize-html.ts');
    }
  });

  test('hands every batch to the worker and answers with what it sanitized, in order', async () => {
    const workers: StandInWorker[] = [];
    const sanitizer = new OffThreadSanitizer(() => {
      workers.push(new StandInWorker());
      return workers.at(-1)!;
    });
    expect(await sanitizer.sanitizeMany([])).toEqual([]);
    expect(workers).toHaveLength(0);
    const [first, second] = await Promise.all([
      sanitizer.sanitizeMany(['<b onclick="x()">a</b>', '<script>x()</script>c']),
      sanitizer.sanitizeMany(['<i>b</i>']),
    ]);
    expect(first).toEqual(['<b>a</b>', 'c']);
    expect(second).toEqual(['<i>b</i>']);
    expect(workers).toHaveLength(1);
    expect(workers[0]!.requests.map((request) => request.htmls.length)).toEqual([2, 1]);
  });

  test('a failed worker fails its waiting batches with the reason, and the next batch gets a new one', async () => {
    const workers: StandInWorker[] = [];
    const sanitizer = new OffThreadSanitizer(() => {
      workers.push(new StandInWorker());
      return workers.at(-1)!;
    });
    const waiting = sanitizer.sanitizeMany(['<p>a</p>']);
    workers[0]!.fail('out of memory');
    await expect(waiting).rejects.toThrow('the HTML sanitizer stopped: out of memory');
    expect(workers[0]!.terminated).toBe(true);
    expect(await sanitizer.sanitizeMany(['<p>b</p>'])).toEqual(['<p>b</p>']);
    expect(workers).toHaveLength(2);
  });

  test('an answer that is not a sanitizer answer fails its batch, saying so, instead of leaving it waiting', async () => {
    const sanitizer = new OffThreadSanitizer(
      () => new StandInWorker((request) => ({ id: request.id, htmls: 'not a list' })),
    );
    await expect(sanitizer.sanitizeMany(['<p>a</p>'])).rejects.toThrow(
      'the HTML sanitizer sent an invalid answer',
    );
  });
});
