import { describe, expect, it } from 'vitest';
import { sizeLimits } from '../../src/core/size-limits';
import {
  ProtocolError,
  parseMessage,
  pythonExceptionSchema,
  workerRenderRequestSchema,
  workerRunResultSchema,
} from '../../src/runtime/protocol';

describe('a render request arriving in the worker', () => {
  const post = { id: 'p', title: 'P', slug: 'p', status: 'published', tags: ['a'], categories: [] };
  const check = (request: unknown) => parseMessage(workerRenderRequestSchema, request, 'render request');

  it('passes when its site data meets the ABI', () => {
    expect(check({ batch: [], site: { snapshot: { posts: [post] } } }).site).toEqual({
      snapshot: { posts: [post] },
    });
  });

  it('is refused, naming what is wrong, when its site data does not', () => {
    expect(() => check({ batch: [], site: { snapshot: { posts: [{ ...post, tags: 'a' }] } } })).toThrow(
      /^Malformed render request: /,
    );
    expect(() => check({ batch: [], site: { changes: { upsert: [], remove: [1], order: null } } })).toThrow(
      ProtocolError,
    );
  });
});

describe('what a script says, on its way to the page', () => {
  const huge = 'v'.repeat(30_000_000);

  it('cuts a 30 MB return value, exception message and traceback to what a page can show', () => {
    const ok = parseMessage(
      workerRunResultSchema,
      { kind: 'ok', returnValue: huge, truncatedChars: 0 },
      'run',
    );
    if (ok.kind !== 'ok') throw new Error('expected an ok run');
    expect(ok.returnValue!.startsWith('v'.repeat(sizeLimits.shownValue))).toBe(true);
    expect(ok.returnValue!.endsWith('… (29,900,000 more characters not shown; at most 100,000 are)')).toBe(
      true,
    );
    const failed = parseMessage(
      workerRunResultSchema,
      { kind: 'error', message: `ValueError: ${huge}`, traceback: huge, truncatedChars: 0 },
      'run',
    );
    if (failed.kind !== 'error') throw new Error('expected a failed run');
    expect(failed.message.length).toBeLessThan(sizeLimits.shownMessage + 100);
    expect(failed.message.startsWith('ValueError: vvv')).toBe(true);
    expect(failed.traceback.length).toBeLessThan(sizeLimits.shownTraceback + 100);
    const raised = pythonExceptionSchema.parse({ message: huge, line: 3, traceback: huge });
    expect(raised.message.length + raised.traceback.length).toBeLessThan(
      sizeLimits.shownMessage + sizeLimits.shownTraceback + 200,
    );
  });

  it("cuts each line of a traceback to a message's length, so its last line cannot fill it", () => {
    const traceback = `Traceback (most recent call last):\n  File "x.py", line 2, in main\nValueError: ${huge}\n`;
    const failed = parseMessage(
      workerRunResultSchema,
      { kind: 'error', message: 'ValueError', traceback, truncatedChars: 0 },
      'run',
    );
    if (failed.kind !== 'error') throw new Error('expected a failed run');
    const lines = failed.traceback.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'Traceback (most recent call last):',
      '  File "x.py", line 2, in main',
    ]);
    expect(lines[2]!.endsWith('more characters not shown; at most 10,000 are)')).toBe(true);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThan(sizeLimits.shownMessage + 100);
  });
});
