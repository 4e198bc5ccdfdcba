import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';

/**
 * Runs `make` once per run across the unit project's worker processes: the first caller for `dir`
 * (a fresh folder of this run, node-bundles-setup.ts) makes `what`, and the callers meanwhile, in
 * other processes, wait for it to be made or for its failure. Resolves to whether this caller made it.
 */
export async function madeOncePerRun(dir: string, what: string, make: () => Promise<void>): Promise<boolean> {
  const made = join(dir, 'made');
  const failed = join(dir, 'failed');
  if (claimed(join(dir, 'making'))) {
    try {
      await make();
    } catch (error) {
      writeFileSync(failed, error instanceof Error ? (error.stack ?? error.message) : String(error));
      throw error;
    }
    writeFileSync(made, '');
    return true;
  }
  await vi.waitFor(
    () => {
      if (existsSync(failed))
        throw new Error(`Another test file failed to make ${what}:\n${readFileSync(failed, 'utf8')}`);
      if (!existsSync(made)) throw new Error(`${what} in ${dir} is still being made`);
    },
    { timeout: 120_000, interval: 50 },
  );
  return false;
}

/** Whether this call made `marker`: exactly one caller across the run's worker processes does. */
function claimed(marker: string): boolean {
  try {
    mkdirSync(marker);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
