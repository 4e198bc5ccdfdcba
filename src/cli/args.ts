import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface BuildCommand {
  command: 'build';
  project: string;
  out: string;
  json: boolean;
  allowUnknownMacros: boolean;
  watch: boolean;
}

export type ParsedArgs = BuildCommand | { command: 'help' } | { command: 'usage-error'; message: string };

export const usage = `Usage: pymark build <project-folder> [options]

Builds the static site of a Pymark project folder (posts/, scripts/, templates/, assets/, site.yml).

Options:
  --out <dir>               where the site goes (default: <project-folder>/site)
  --json                    print a machine-readable report on stdout instead of the summary
  --allow-unknown-macros    keep unknown macros as their text instead of failing the build
  --watch                   rebuild whenever a file of the project changes
  -h, --help                show this help

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
    allowUnknownMacros: values['allow-unknown-macros'] ?? false,
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
      'allow-unknown-macros': { type: 'boolean' },
      watch: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
