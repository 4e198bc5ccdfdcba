import { beforeAll, describe, expect, it } from 'vitest';
import { createPythonRunner, type PythonRunner } from '../../src/runtime/python-runner';
import type { OutputChunk } from '../../src/runtime/types';
import { bootSharedPython } from './python-snapshot';

interface Delivery {
  at: number;
  chunks: OutputChunk[];
}

let runner: PythonRunner;

beforeAll(async () => {
  const pyodide = await bootSharedPython();
  const interruptBuffer = new Int32Array(new SharedArrayBuffer(4));
  pyodide.setInterruptBuffer(interruptBuffer);
  // What the client's Stop does, triggered from inside the script so the test is deterministic.
  pyodide.registerJsModule('test_hooks', { requestInterrupt: () => Atomics.store(interruptBuffer, 0, 2) });
  runner = createPythonRunner(pyodide);
});

function run(code: string, fileName = 'hello.py', entrypoint = 'main') {
  const deliveries: Delivery[] = [];
  const result = runner.run({
    fileName,
    code,
    entrypoint,
    onOutput: (chunks) => deliveries.push({ at: performance.now(), chunks }),
  });
  return { result, deliveries, output: deliveries.flatMap((delivery) => delivery.chunks) };
}

/** All output of one stream, however it was batched. */
function textOf(output: OutputChunk[], stream: OutputChunk['stream']): string {
  return output
    .filter((chunk) => chunk.stream === stream)
    .map((chunk) => chunk.text)
    .join('');
}

describe('python runner (real Pyodide)', () => {
  it('streams output in batches while the script runs', () => {
    const { result, deliveries, output } = run(
      'import time\nfor i in range(3):\n    print(f"tick {i}")\n    time.sleep(0.05)\n',
    );
    expect(result).toEqual({ kind: 'ok', truncatedChars: 0 });
    expect(textOf(output, 'stdout')).toBe('tick 0\ntick 1\ntick 2\n');
    expect(deliveries.length).toBeGreaterThan(1);
    // Delivered during the run, not all at its end.
    expect(deliveries.at(-1)!.at - deliveries[0]!.at).toBeGreaterThanOrEqual(80);
  });

  it('merges a burst of prints into few batches of whole chunks', () => {
    const { deliveries, output } = run('for i in range(2000):\n    print(i)\n');
    expect(textOf(output, 'stdout')).toBe(Array.from({ length: 2000 }, (_, i) => `${i}\n`).join(''));
    // Batched by time (output-batcher.test.ts checks the rule with its own clock): a loaded machine
    // makes more batches, but unbatched output would be one delivery per print.
    expect(deliveries.length).toBeLessThan(200);
    for (const delivery of deliveries) expect(delivery.chunks).toHaveLength(1);
  });

  it('keeps stderr apart from stdout, in order', () => {
    const { output } = run('import sys\nprint("out")\nprint("err ✓", file=sys.stderr)\nprint("out 2")\n');
    const merged = output.reduce<OutputChunk[]>((acc, chunk) => {
      const last = acc.at(-1);
      if (last?.stream === chunk.stream) last.text += chunk.text;
      else acc.push({ ...chunk });
      return acc;
    }, []);
    expect(merged).toEqual([
      { stream: 'stdout', text: 'out\n' },
      { stream: 'stderr', text: 'err ✓\n' },
      { stream: 'stdout', text: 'out 2\n' },
    ]);
  });

  it('reports an uncaught exception with a traceback of the user file only', () => {
    const { result } = run('def divide(a, b):\n    return a / b\n\nprint(divide(1, 0))\n');
    expect(result).toMatchObject({ kind: 'error', message: 'ZeroDivisionError: division by zero', line: 2 });
    if (result.kind !== 'error') throw new Error('expected an error');
    expect(result.traceback).toMatch(
      /^Traceback \(most recent call last\):\n {2}File "hello\.py", line 4, in <module>\n {4}print\(divide\(1, 0\)\)\n/,
    );
    expect(result.traceback).toContain('  File "hello.py", line 2, in divide\n    return a / b\n');
    expect(result.traceback).toMatch(/ZeroDivisionError: division by zero\n$/);
    expect(result.traceback).not.toMatch(/pymark-runner|<exec>|run_script|_pyodide/);
  });

  it('names exceptions from other modules the way Python does', () => {
    const { result } = run('import json\njson.loads("{")\n', 'parse.py');
    expect(result).toMatchObject({ kind: 'error', line: 2 });
    if (result.kind !== 'error') throw new Error('expected an error');
    expect(result.message).toMatch(/^json\.decoder\.JSONDecodeError: /);
    expect(result.traceback).toContain('File "parse.py", line 2, in <module>');
  });

  it('locates a SyntaxError with the usual file, line and caret display', () => {
    const { result, output } = run('print("never runs")\nx = (1 +\n');
    expect(output).toEqual([]);
    expect(result).toMatchObject({ kind: 'error', line: 2, message: "SyntaxError: '(' was never closed" });
    if (result.kind !== 'error') throw new Error('expected an error');
    expect(result.traceback).toContain('  File "hello.py", line 2\n    x = (1 +\n        ^\n');
    expect(result.traceback).not.toContain('Traceback (most recent call last)');
  });

  it('answers input() and stdin reads with a clear end of input, at the line that asked', () => {
    const { result } = run('def main():\n    name = input("Your name? ")\n');
    expect(result).toMatchObject({
      kind: 'error',
      line: 2,
      message: 'EOFError: input() has no console to read from in Pymark; put the value in the script instead',
    });
    expect(run('import sys\nprint(repr(sys.stdin.read()))\n').output).toEqual([
      { stream: 'stdout', text: "''\n" },
    ]);
  });

  it('calls main() and reports the repr of what it returns', () => {
    expect(run('def main():\n    return {"a": [1, 2]}\n').result).toEqual({
      kind: 'ok',
      returnValue: "{'a': [1, 2]}",
      truncatedChars: 0,
    });
    expect(run('def main():\n    return "hi"\n').result).toMatchObject({ returnValue: "'hi'" });
    expect(run('def main():\n    print("side effect")\n').result).toEqual({ kind: 'ok', truncatedChars: 0 });
  });

  it('calls the named entrypoint instead of main()', () => {
    const code = 'def main():\n    return "main"\n\ndef build():\n    return "build"\n';
    expect(run(code, 'tool.py', 'build').result).toMatchObject({ kind: 'ok', returnValue: "'build'" });
    expect(run('print("top level only")\n', 'tool.py', 'build').result).toEqual({
      kind: 'ok',
      truncatedChars: 0,
    });
  });

  it('does not call the entrypoint again when the script calls it under a __main__ guard', () => {
    const { result, output } = run(
      'def main():\n    print("main ran")\n    return 1\n\nif __name__ == "__main__":\n    main()\n',
    );
    expect(textOf(output, 'stdout')).toBe('main ran\n');
    expect(result).toEqual({ kind: 'ok', truncatedChars: 0 });
    // Reversed comparison, and a guard that does something else: still the script's own call.
    expect(
      textOf(run("def main():\n    print('x')\n\nif '__main__' == __name__:\n    pass\n").output, 'stdout'),
    ).toBe('');
  });

  it('treats sys.exit(0) as success and a non-zero exit as an error', () => {
    expect(run('import sys\nsys.exit(0)\n').result).toEqual({ kind: 'ok', truncatedChars: 0 });
    expect(run('import sys\nsys.exit(3)\n').result).toMatchObject({
      kind: 'error',
      message: 'SystemExit: 3',
      line: 2,
    });
  });

  it('runs every script in a fresh __main__ namespace', () => {
    expect(run('counter = 41\nprint(__name__)\n').output).toEqual([{ stream: 'stdout', text: '__main__\n' }]);
    expect(run('print(counter)\n').result).toMatchObject({
      kind: 'error',
      message: "NameError: name 'counter' is not defined",
      line: 1,
    });
  });

  it('keeps the head and the tail of a flood and counts what was left out between', () => {
    const { result, output } = run('print("x" * 300_000)\nprint("more")\n');
    // 300,006 characters: the first 200,000 and the last 50,000 are kept, the final line included.
    expect(textOf(output, 'stdout')).toBe(`${'x'.repeat(200_000)}${'x'.repeat(49_994)}\nmore\n`);
    expect(output.find((chunk) => chunk.skipped)?.skipped).toEqual({ chars: 50_006, lines: 0 });
    expect(result).toEqual({ kind: 'ok', truncatedChars: 50_006 });
  });

  it('ends as interrupted on KeyboardInterrupt from the interrupt buffer, and the next run works', () => {
    const { result, output } = run(
      'import test_hooks\nprint("before")\ntest_hooks.requestInterrupt()\nwhile True:\n    pass\n',
    );
    expect(output).toEqual([{ stream: 'stdout', text: 'before\n' }]);
    expect(result).toMatchObject({ kind: 'interrupted', message: 'KeyboardInterrupt' });
    expect(run('print("after")\n')).toMatchObject({
      result: { kind: 'ok' },
      output: [{ stream: 'stdout', text: 'after\n' }],
    });
  });
});
