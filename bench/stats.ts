/** Nearest-rank percentile of `samples` (0 < p ≤ 100): a value that was actually measured. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);
