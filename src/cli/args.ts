import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface BuildCommand {
  command: 'build';
  project: string;
  out: string;
  json: boolean;
  /** False with `--fail-on-unknown-macros`: an unknown macro stops the build instead of warning. */
  allowUnknownMacros: boolean;
  watch: boolean;
}

export type ParsedArgs = BuildCommand | { command: 'help' } | { command: 'usage-error'; message: string };

export const usage = `Usage: pymark build <project-folder> [options]
       pymark import <reference-app-folder> [--into <pymark-folder>] [--dry-run]

Builds the static site of a Pymark project folder (posts/, scripts/, templates/, assets/, site.yml).

Options:
  --out <dir>               where the site goes (default: <project-folder>/site)
  --json                    print a machine-readable report on stdout instead of the summary
  --fail-on-unknown-macros  fail the build on a macro no enabled script provides (by default it
                            stays in the page as its text, with a warning, as in the reference app)
  --watch                   rebuild whenever a file of the project changes
  -h, --help                show this help

\`pymark import\` copies a reference desktop app project (its scripts and posts) into a Pymark
folder and reports what it took, converted and left (docs/compatibility.md).

Exit codes: 0 built, 1 content or macro errors (listed with file and line), 2 bad usage or settings.`;

export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return { command: 'usage-error', message: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  const [command, project, ...extra] = positionals;
  if (command !== 'build') {
    return { command: 'usage-error', message: command ? `unknown command "${command}"` : 'no command given' };
  }
  if (!project) return { command: 'usage-error', message: 'no project folder given' };
  if (extra.length > 0) return { command: 'usage-error', message: `unexpected argument "${extra[0]}"` };
  const projectDir = resolve(project);
  return {
    command: 'build',
    project: projectDir,
    out: resolve(values.out ?? `${projectDir}/site`),
    json: values.json ?? false,
    allowUnknownMacros: !(values['fail-on-unknown-macros'] ?? false),
    watch: values.watch ?? false,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      out: { type: 'string' },
      json: { type: 'boolean' },
      'fail-on-unknown-macros': { type: 'boolean' },
      // The default since unknown macros stay as text; still accepted, so older command lines work.
      'allow-unknown-macros': { type: 'boolean' },
      watch: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
