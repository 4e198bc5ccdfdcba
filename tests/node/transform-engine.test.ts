import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readIncomingPost } from '../../src/core/incoming-post.ts';
import { sizeLimits } from '../../src/core/size-limits.ts';
import { draftFromIncoming, type TransformInput } from '../../src/core/transform-abi.ts';
import { parseMessage, workerTransformAnswerSchema } from '../../src/runtime/protocol.ts';
import { createTransformEngine, type TransformEngine } from '../../src/runtime/python-services.ts';
import { transformOutcome } from '../../src/runtime/transform-call.ts';
import type { TransformOutcome } from '../../src/runtime/types.ts';
import { context, loadMacroHarness, type MacroHarness, post as sitePost } from './macro-harness.ts';

let harness: MacroHarness;
let engine: TransformEngine;
let interruptBuffer: Int32Array;

beforeAll(async () => {
  harness = await loadMacroHarness();
  engine = createTransformEngine(harness.pyodide);
  interruptBuffer = new Int32Array(new SharedArrayBuffer(4));
  harness.pyodide.setInterruptBuffer(interruptBuffer);
  harness.pyodide.registerJsModule('test_hooks', {
    // What the client's time limit does, from inside the transform so the test is deterministic.
    requestInterrupt: () => Atomics.store(interruptBuffer, 0, 2),
  });
});

function incoming(search: string): TransformInput {
  const read = readIncomingPost(search);
  if (read.kind !== 'incoming') throw new Error(`no incoming post in ${search}`);
  return draftFromIncoming(read.incoming);
}

const sharedLink = incoming(
  '?share_title=Pyodide%200.29&share_text=Python%20in%20the%20browser.%0A%0AFast.&share_url=https%3A%2F%2Fwww.pyodide.org%2Fen%2Fstable%2F',
);

let scriptNumber = 0;
/** Runs `body`'s transform on `post` as the client would, and returns the checked outcome. */
function transform(
  body: string,
  post: TransformInput = sharedLink,
  entrypoint = 'transform',
  stoppedBy?: 'timeout',
): TransformOutcome {
  scriptNumber += 1;
  const fileName = `transform_${scriptNumber}.py`;
  const result = engine.transform({
    script: { id: `t${scriptNumber}`, version: 1, fileName, code: body, entrypoint },
    post,
  });
  // Checked as the client checks it.
  const answer = parseMessage(workerTransformAnswerSchema, { result, pythonMs: 0, heapBytes: 0 }, 'answer');
  return transformOutcome(
    fileName,
    post,
    { kind: 'answered', answer, ...(stoppedBy && { stoppedBy }) },
    5000,
  );
}

describe('transforms in real Pyodide', () => {
  it('reshape the draft into the post to save', () => {
    const outcome = transform(
      'def transform(post):\n    return {"title": post["title"].upper(), "body": post["body"], "tags": ["a", "b"]}\n',
    );
    expect(outcome).toEqual({
      ok: true,
      post: {
        title: 'PYODIDE 0.29',
        body: 'Python in the browser.\n\nFast.\n\n<https://www.pyodide.org/en/stable/>',
        tags: ['a', 'b'],
        categories: [],
      },
      printed: '',
    });
  });

  it('keep all a transform printed, up to 100,000 characters, and refuse a body over 1,000,000', () => {
    const printed = transform('def transform(post):\n    print("x" * 150_000)\n    return "b"\n');
    expect(printed.printed).toMatch(/^x{100000}… \(50001 more characters\)$/);
    expect(transform('def transform(post):\n    return "w" * 1_000_001\n')).toMatchObject({
      ok: false,
      kind: 'invalid-result',
      message: expect.stringContaining('longer than 1,000,000 characters'),
    });
  });

  it('take a bare str as the body, and may return the draft changed in place', () => {
    expect(transform('def transform(post):\n    return "just this"\n')).toMatchObject({
      ok: true,
      post: { title: 'Pyodide 0.29', body: 'just this' },
    });
    expect(
      transform(
        'def transform(post):\n    post["tags"].append("x")\n    post["title"] += "!"\n    return post\n',
      ),
    ).toMatchObject({ ok: true, post: { title: 'Pyodide 0.29!', tags: ['x'] } });
  });

  it('report an exception with the line in the script, its traceback and what it printed', () => {
    const outcome = transform(
      'def transform(post):\n    print("looking at", post["title"])\n    return 1 / 0\n',
    );
    expect(outcome).toMatchObject({
      ok: false,
      kind: 'exception',
      message: 'ZeroDivisionError: division by zero',
      line: 3,
      printed: 'looking at Pyodide 0.29\n',
    });
    expect(outcome.ok === false && outcome.traceback).toContain('return 1 / 0');
  });

  it('cut a 30 MB exception message and its traceback in Python, before the answer crosses', () => {
    const result = engine.transform({
      script: {
        id: 'huge',
        version: 1,
        fileName: 'huge.py',
        code: 'def transform(post):\n    raise ValueError("m" * 30_000_000)\n',
        entrypoint: 'transform',
      },
      post: sharedLink,
    });
    if (result.kind !== 'error') throw new Error('expected an error');
    expect(result.message.length).toBeLessThan(sizeLimits.shownMessage + 100);
    expect(result.traceback.length).toBeLessThan(sizeLimits.shownTraceback + 100);
    expect(
      result.message ===
        `ValueError: ${'m'.repeat(9_988)}… (29,990,012 more characters not shown; at most 10,000 are)`,
    ).toBe(true);
  });

  it('refuse a result outside the contract, naming the script and the problem', () => {
    const problem = (body: string) => {
      const outcome = transform(body);
      if (outcome.ok) throw new Error('expected a refusal');
      expect(outcome.kind).toBe('invalid-result');
      return outcome.message;
    };
    expect(problem('def transform(post):\n    pass\n')).toMatch(
      /^transform_\d+\.py: the result of transform\(\) does not fit: it must return a dict .* not None$/,
    );
    expect(problem('def transform(post):\n    return {1, 2}\n')).toMatch(/not a set$/);
    expect(problem('def transform(post):\n    return {"title": "t", "body": "b", "tag": ["x"]}\n')).toMatch(
      /Unrecognized key: "tag"/,
    );
    expect(problem('def transform(post):\n    return {"title": " ", "body": "b"}\n')).toMatch(
      /title: title must not be empty/,
    );
    expect(
      problem('def transform(post):\n    return {"title": "t", "body": "b", "tags": ["ok", 3]}\n'),
    ).toMatch(/tags\[1\]: /);
  });

  it('quote the code that ran in a traceback, not an earlier version of the same script', () => {
    const script = { id: 'edited', version: 1, fileName: 'edited.py', entrypoint: 'transform' };
    const traceback = (code: string) => {
      const answer = engine.transform({ script: { ...script, code }, post: sharedLink });
      if (answer.kind !== 'error') throw new Error(`expected an error, got ${answer.kind}`);
      return answer.traceback;
    };
    expect(traceback('def transform(post):\n    return post["first"]\n')).toContain('return post["first"]');
    const second = traceback('def transform(post):\n    return post["second"]  # edited\n');
    expect(second).toContain('return post["second"]  # edited');
    expect(second).not.toContain('first');
  });

  it('say so when the script has no such function, or does not compile', () => {
    expect(transform('def render(context):\n    return ""\n')).toMatchObject({
      ok: false,
      kind: 'exception',
      message: expect.stringMatching(/defines no function transform\(post\)$/),
    });
    expect(transform('def transform(post:\n    return post\n')).toMatchObject({
      ok: false,
      kind: 'exception',
      line: 1,
      message: expect.stringMatching(/^SyntaxError: /),
    });
  });

  it('end as a timeout when interrupted, keeping what they printed, and restore the streams', () => {
    const outcome = transform(
      'import test_hooks\ndef transform(post):\n    print("stuck here")\n    test_hooks.requestInterrupt()\n    while True:\n        pass\n',
      sharedLink,
      'transform',
      'timeout',
    );
    expect(outcome).toMatchObject({
      ok: false,
      kind: 'timeout',
      message: expect.stringContaining('time limit (5 s)'),
      printed: 'stuck here\n',
    });
    expect(
      harness.pyodide.runPython('import sys; sys.stdout is sys.__stdout__ or type(sys.stdout).__name__'),
    ).not.toBe('Printed');
  });

  it('report a KeyboardInterrupt nobody asked for as the exception it is, with its traceback', () => {
    const outcome = transform(
      'def transform(post):\n    print("giving up")\n    raise KeyboardInterrupt("mine")\n',
    );
    expect(outcome).toMatchObject({
      ok: false,
      kind: 'exception',
      message: 'KeyboardInterrupt: mine',
      line: 3,
      printed: 'giving up\n',
    });
    expect(outcome.ok === false && outcome.traceback).toContain('raise KeyboardInterrupt("mine")');
  });

  it('run the bundled link_post.py default', () => {
    const body = readFileSync(new URL('../../defaults/link_post.py', import.meta.url), 'utf8');
    expect(transform(body)).toEqual({
      ok: true,
      post: {
        title: 'Pyodide 0.29',
        body: '> Python in the browser.\n>\n> Fast.\n\nVia [pyodide.org](<https://www.pyodide.org/en/stable/>)',
        tags: ['link'],
        categories: [],
      },
      printed: '',
    });
    const bare = incoming('?share_url=https%3A%2F%2Fexample.com%2Fa');
    expect(transform(body, bare)).toMatchObject({
      ok: true,
      post: { title: 'example.com', body: 'Via [example.com](<https://example.com/a>)', tags: ['link'] },
    });
  });
  it("see the preview's drafts, as utilities do; a macro called next sees none", () => {
    const [published, draft] = [sitePost('published', []), sitePost('draft', [])];
    harness.installSite([published, draft]);
    const titles =
      'from pymark import site\n\ndef transform(post):\n    return ",".join(p["title"] for p in site.posts)\n';
    expect(transform(titles)).toMatchObject({
      ok: true,
      post: { body: `${published.title},${draft.title}` },
    });
    const macro = {
      id: 'm',
      version: 1,
      slug: 'm',
      entrypoint: 'render',
      body: titles.replace('transform(post)', 'render(context)'),
    };
    expect(harness.renderOne(macro, context('m'))).toMatchObject({ kind: 'ok', html: published.title });
  });
});
