/**
 * `npm test`: every check CI runs, each started as soon as what it needs is done, so that a 2-core
 * machine has work for both cores. The static checks, the build and the unit project do not depend on
 * each other and run side by side; the end-to-end project needs the build, and waits for the unit
 * project too, so that the two (the unit project runs two files at a time, the end-to-end project
 * one: see vite.config.ts) do not fight over the cores and stretch the browser tests' waits.
 *
 * Output streams as it comes, each line led by its check's name; the exit code is non-zero when any
 * check failed, and a check whose prerequisite failed is skipped.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';

/** @typedef {{ name: string; command: string[]; after?: string[] }} Check */

/** @type {Check[]} */
const checks = [
  { name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'] },
  { name: 'typecheck:python', command: ['npm', 'run', '--silent', 'typecheck:python'] },
  { name: 'lint', command: ['npm', 'run', '--silent', 'lint'] },
  { name: 'build', command: ['npm', 'run', '--silent', 'build'] },
  { name: 'unit', command: ['npm', 'run', '--silent', 'test:unit'] },
  {
    name: 'e2e',
    command: ['npx', '--no-install', 'vitest', 'run', '--project', 'e2e'],
    after: ['build', 'unit'],
  },
];

const width = Math.max(...checks.map((check) => check.name.length));
const started = performance.now();
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const say = (name, line) => console.log(`${name.padEnd(width)} | ${line}`);

/** @type {Map<string, Promise<boolean>>} */
const results = new Map();

/** Runs `check` once its prerequisites passed; resolves to whether it passed. */
function run(check) {
  let result = results.get(check.name);
  if (!result) {
    result = runAfterPrerequisites(check);
    results.set(check.name, result);
  }
  return result;
}

async function runAfterPrerequisites(check) {
  const prerequisites = await Promise.all((check.after ?? []).map((name) => run(byName(name))));
  if (prerequisites.includes(false)) {
    say(check.name, `skipped: ${check.after?.join(' or ')} failed`);
    return false;
  }
  const since = performance.now();
  say(check.name, `$ ${check.command.join(' ')}`);
  const [command, ...args] = check.command;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
      say(check.name, line),
    );
  }
  const code = await new Promise((resolve) => {
    child.on('error', (error) => {
      say(check.name, error.message);
      resolve(1);
    });
    child.on('close', (exitCode, signal) => resolve(exitCode ?? signal));
  });
  const passed = code === 0;
  say(check.name, `${passed ? 'passed' : `FAILED (${code})`} in ${seconds(since)}`);
  return passed;
}

function byName(name) {
  const check = checks.find((candidate) => candidate.name === name);
  if (!check) throw new Error(`no check named ${name}`);
  return check;
}

const outcomes = await Promise.all(checks.map(run));
const failed = checks.filter((_, index) => !outcomes[index]).map((check) => check.name);
// The load average says how far other work on the machine stretched these times.
const load = loadavg()
  .map((average) => average.toFixed(2))
  .join(', ');
console.log(
  `${failed.length === 0 ? 'All checks passed' : `Failed: ${failed.join(', ')};`} in ${seconds(started)}` +
    ` (load average ${load})`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
