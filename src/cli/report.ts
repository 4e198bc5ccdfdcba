import type { BuildStats } from '../site/build-site';
import type { BuildProblem } from '../site/project';
import type { WriteReport } from '../site/site-writer';

/** What one run of `pymark build` came to: printed as a summary, or as JSON with `--json`. */
export interface BuildReport {
  ok: boolean;
  /** 0 built, 1 content or macro errors, 2 bad usage or settings. */
  exitCode: 0 | 1 | 2;
  project: string;
  out: string;
  durationMs: number;
  stats?: BuildStats & { written: number; unchanged: number; removed: number; pythonWorkers: number };
  problems: BuildProblem[];
  warnings: BuildProblem[];
}

export function countWrites(write: WriteReport) {
  return { written: write.written.length, unchanged: write.unchanged, removed: write.removed.length };
}

/** `posts/a.md:12:5: message (youtube.py:7)`: the shape editors and terminals turn into links. */
export function formatProblem(problem: BuildProblem): string {
  const at = [problem.file, problem.line, problem.line === undefined ? undefined : problem.column]
    .filter((part) => part !== undefined)
    .join(':');
  const script = problem.script
    ? ` (${problem.script}${problem.scriptLine === undefined ? '' : `:${problem.scriptLine}`})`
    : '';
  return `${at}: ${problem.message}${script}`;
}

export function formatSummary(report: BuildReport): string {
  const lines: string[] = [];
  for (const warning of report.warnings) lines.push(`warning: ${formatProblem(warning)}`);
  for (const problem of report.problems) lines.push(`error: ${formatProblem(problem)}`);
  const seconds = `${(report.durationMs / 1000).toFixed(2)} s`;
  const { stats } = report;
  if (report.ok && stats) {
    lines.push(
      `Built ${stats.posts} posts (${stats.drafts} drafts left out) into ${report.out}: ` +
        `${stats.written} files written, ${stats.unchanged} unchanged, ${stats.removed} removed; ` +
        `${stats.macroCalls} macro calls, ${stats.macrosRun} run in Python; ${seconds}`,
    );
  } else {
    const count = report.problems.length;
    lines.push(`Build failed with ${count} error${count === 1 ? '' : 's'}; nothing was written (${seconds})`);
  }
  return `${lines.join('\n')}\n`;
}
