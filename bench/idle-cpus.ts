import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';

/*
 * A diagnostic for the round trip's tail, not a way to meet its target: one busy loop per CPU at
 * Linux's SCHED_IDLE priority, which runs only when nothing else wants the CPU. While they run, an
 * idle virtual CPU never halts, so waking a thread on it costs no VM exit. Set against the same calls
 * on the machine as it is, in the same run, this shows how much of the tail is the machine's halting.
 */

const busyLoop = ['--idle', '0', 'sh', '-c', 'while :; do :; done'];

/**
 * Starts the busy loops; resolves to a function that stops them, or to the reason they could not
 * start (no `chrt`: not Linux, or util-linux missing).
 */
export async function keepIdleCpusRunning(): Promise<
  { stop: () => Promise<void> } | { unavailable: string }
> {
  const loops: ChildProcess[] = [];
  for (let cpu = 0; cpu < availableParallelism(); cpu++) {
    const loop = spawn('chrt', busyLoop, { stdio: 'ignore' });
    const started = await Promise.race([
      once(loop, 'spawn').then(() => undefined),
      once(loop, 'error').then(([error]) => String((error as Error).message)),
    ]);
    if (started !== undefined) {
      await stopAll(loops);
      return { unavailable: `chrt --idle could not start: ${started}` };
    }
    loops.push(loop);
  }
  return { stop: () => stopAll(loops) };
}

async function stopAll(loops: ChildProcess[]): Promise<void> {
  await Promise.all(
    loops.map(async (loop) => {
      if (loop.exitCode !== null || loop.signalCode !== null) return;
      const exited = once(loop, 'exit');
      loop.kill('SIGKILL');
      await exited;
    }),
  );
}
