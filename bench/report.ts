/*
 * The bench's output: one JSON file per run under bench/results/, and bench/RESULTS.md with the
 * latest run as a table. A missed target is reported, never thrown: the numbers are the result.
 */

export interface Target {
  /** E.g. `≤ 0.25 ×` or `< 0.5 ms`. */
  text: string;
  met: boolean;
}

export interface Figure {
  name: string;
  unit: 'ms' | 'µs/macro';
  value: number;
  baselineName: string;
  baseline: number;
  /** value / baseline. */
  ratio: number;
  /** Absent: reported for context, no target set. */
  target?: Target;
  note?: string;
}

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  os: string;
  node: string;
  chromium: string;
  /** The 1-minute load average when the run started and when it ended: others' work skews figures. */
  load: [number, number];
  /**
   * Linux's CPU idle driver and, under `haltpoll`, how long an idle virtual CPU polls before it halts:
   * waking a halted one costs a VM exit, which is most of a cross-thread round trip's tail here.
   */
  cpuIdle?: { driver: string; haltPollNs?: number };
}

export interface Revision {
  commit: string;
  /** Whether src/ and defaults/ (what is measured) differed from that commit. */
  modified: boolean;
}

export interface BenchRun {
  date: string;
  machine: Machine;
  revision: Revision;
  figures: Figure[];
  /** Every sample the figures were computed from, by measurement. */
  samples: Record<string, unknown>;
}

/** Three significant digits, without exponent notation. */
export function formatNumber(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 1) return value.toPrecision(3);
  return value.toFixed(Math.min(6, 2 - Math.floor(Math.log10(Math.max(value, 1e-6)))));
}

const formatRatio = (ratio: number) => `${formatNumber(ratio)} ×`;

function verdict(target: Target | undefined): string {
  if (!target) return 'no target (context)';
  return target.met ? 'meets target' : '**misses target**';
}

export function renderTable(figures: readonly Figure[]): string {
  const rows = figures.map((figure) =>
    [
      figure.name,
      `${formatNumber(figure.value)} ${figure.unit}`,
      `${formatNumber(figure.baseline)} ${figure.unit} (${figure.baselineName})`,
      formatRatio(figure.ratio),
      figure.target?.text ?? '—',
      verdict(figure.target),
    ].join(' | '),
  );
  return [
    '| Figure | Measured | Baseline, same run | Ratio | Target | Result |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

/** One line of the history table: when, which code, and each figure's ratio to its baseline. */
export function historyRow(run: BenchRun): string {
  const ratios = run.figures.map((figure) => `${figure.name}: ${formatNumber(figure.ratio)} ×`).join('; ');
  return `| ${run.date} | ${run.revision.commit} | ${run.machine.load[0].toFixed(1)} | ${ratios} |`;
}

/**
 * What follows the history table of an earlier RESULTS.md: the sections written by hand and those of
 * the other benches (site build, limits), kept as they are, but for a section whose heading says the
 * next run replaces it.
 */
export function sectionsAfterHistory(markdown: string): string {
  const [, history = ''] = markdown.split('\n## History\n');
  const start = history.indexOf('\n## ');
  if (start < 0) return '';
  return history
    .slice(start + 1)
    .split(/^(?=## |<!-- )/m)
    .filter((section) => !/^## .*the next run replaces it/.test(section))
    .join('');
}

/** The history rows of an earlier RESULTS.md, oldest first. */
export function historyRows(markdown: string): string[] {
  const [, history = ''] = markdown.split('\n## History\n');
  // Only its own table: the sections after it (the site benches') have history tables of their own.
  const [table = ''] = history.split('\n## ');
  return table.split('\n').filter((line) => /^\| \d{4}-/.test(line));
}

export function renderResultsMarkdown(
  run: BenchRun,
  jsonPath: string,
  method: string,
  history: readonly string[],
): string {
  const { machine } = run;
  const notes = run.figures
    .filter((figure) => figure.note)
    .map((figure) => `- ${figure.name}: ${figure.note}`);
  return [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.mjs); every figure is set against a baseline measured in the',
    "same run. Only the latest run's raw samples are kept (bench/results/); the history table below keeps",
    "every run's ratios.",
    '',
    `- Date: ${run.date}`,
    `- Machine: ${machine.cores} cores (nproc), ${machine.cpu}, ${machine.memoryGiB} GiB, ${machine.os}`,
    `- Load average (1 min) at start and end: ${machine.load.map((load) => load.toFixed(2)).join(', ')}` +
      (Math.max(...machine.load) > machine.cores
        ? ' — more than the cores: other work on the machine skews these figures, the absolute ones most'
        : ''),
    ...(machine.cpuIdle ? [`- CPU idle: ${describeCpuIdle(machine.cpuIdle)}`] : []),
    `- Chromium ${machine.chromium} (headless, playwright-core), Node ${machine.node}`,
    `- Code: ${run.revision.commit}${run.revision.modified ? ', with uncommitted changes in src/ or defaults/' : ''}`,
    `- Samples: ${jsonPath}`,
    '',
    renderTable(run.figures),
    '',
    '## Notes',
    '',
    ...notes,
    '',
    '## How each figure is measured',
    '',
    method,
    '',
    '## History',
    '',
    '| Date | Code | Load | Ratio of each figure to its baseline |',
    '| --- | --- | --- | --- |',
    ...history,
    '',
  ].join('\n');
}

function describeCpuIdle({ driver, haltPollNs }: NonNullable<Machine['cpuIdle']>): string {
  if (haltPollNs === undefined) return `driver ${driver}`;
  const polls =
    haltPollNs === 0 ? 'an idle CPU halts at once' : `an idle CPU polls ${haltPollNs} ns before it halts`;
  return `driver ${driver}, guest_halt_poll_ns=${haltPollNs} (${polls}; waking a halted virtual CPU costs a VM exit)`;
}

/**
 * `markdown` with the section between `start` and `end` (marker lines included) replaced by
 * `section`, or with `section` appended when it has none yet: each bench owns its own section.
 */
export function withSection(markdown: string, start: string, end: string, section: string): string {
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  return from >= 0 && to > from
    ? markdown.slice(0, from) + section + markdown.slice(to + end.length)
    : `${markdown.trimEnd()}\n\n${section}\n`;
}
