import { describe, expect, it } from 'vitest';
import { OutputBatcher } from '../../src/runtime/output-batcher';
import type { OutputChunk } from '../../src/runtime/types';

describe('a flood of output', () => {
  it('keeps its head as it comes and its tail at the end, saying what was left out between', () => {
    const delivered: OutputChunk[] = [];
    const batcher = new OutputBatcher((chunks) => delivered.push(...chunks), {
      intervalMs: 0,
      maxChars: 20,
      tailChars: 12,
      now: () => 0,
    });
    for (let line = 0; line < 10; line++) batcher.write('stdout', `line ${line}\n`);
    batcher.write('stderr', 'end\n');
    batcher.finish();
    const text = delivered.map((chunk) => chunk.text).join('');
    expect(text.startsWith('line 0\nline 1\nline 2')).toBe(true);
    expect(text.endsWith('line 9\nend\n')).toBe(true);
    const gap = delivered.find((chunk) => chunk.skipped);
    // 74 characters printed, 20 in the head and 12 in the tail: 42 left out, holding 6 line ends.
    expect(gap?.skipped).toEqual({ chars: 42, lines: 6 });
    expect(batcher.truncatedChars).toBe(42);
    expect(delivered.at(-1)).toEqual({ stream: 'stderr', text: 'end\n' });
  });

  it('leaves output that fits alone', () => {
    const delivered: OutputChunk[] = [];
    const batcher = new OutputBatcher((chunks) => delivered.push(...chunks), {
      intervalMs: 0,
      maxChars: 100,
      tailChars: 10,
      now: () => 0,
    });
    batcher.write('stdout', 'short\n');
    batcher.finish();
    expect(delivered).toEqual([{ stream: 'stdout', text: 'short\n' }]);
    expect(batcher.truncatedChars).toBe(0);
  });
});
