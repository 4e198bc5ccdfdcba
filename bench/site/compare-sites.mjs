// Compares two built sites file by file: that the baseline builds what pymark builds. Paths found in
// only one of them, and files whose bytes differ (with the first line that differs). pymark's own
// record of what it wrote (.pymark-site.json) is not part of the site.
// Usage: node bench/site/compare-sites.mjs <pymark-site> <eleventy-site>  (exit 1 when they differ)
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const notSite = new Set(['.pymark-site.json']);

function files(root) {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath ?? entry.path, entry.name)))
    .filter((path) => !notSite.has(path))
    .sort();
}

/** The first line where two texts differ, shown from both: where to look. */
function firstDifference(a, b) {
  const [linesA, linesB] = [a.split('\n'), b.split('\n')];
  const line = linesA.findIndex((text, index) => text !== linesB[index]);
  const at = line === -1 ? linesA.length : line;
  return { line: at + 1, a: (linesA[at] ?? '').slice(0, 240), b: (linesB[at] ?? '').slice(0, 240) };
}

/** What differs between the sites in folders `a` and `b`. */
export function compareSites(a, b) {
  const [inA, inB] = [files(a), files(b)];
  const setB = new Set(inB);
  const setA = new Set(inA);
  const differing = [];
  let identical = 0;
  for (const path of inA.filter((file) => setB.has(file))) {
    const [bytesA, bytesB] = [readFileSync(join(a, path)), readFileSync(join(b, path))];
    if (bytesA.equals(bytesB)) identical++;
    else differing.push({ path, ...firstDifference(bytesA.toString('utf8'), bytesB.toString('utf8')) });
  }
  return {
    files: [inA.length, inB.length],
    onlyIn: [inA.filter((file) => !setB.has(file)), inB.filter((file) => !setA.has(file))],
    identical,
    differing,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [a, b] = process.argv.slice(2);
  const report = compareSites(a, b);
  console.info(`${report.files[0]} files in ${a}, ${report.files[1]} in ${b}`);
  console.info(`${report.identical} identical, ${report.differing.length} differing`);
  for (const [index, folder] of [a, b].entries()) {
    const only = report.onlyIn[index];
    if (only.length > 0) console.info(`Only in ${folder} (${only.length}):\n  ${only.join('\n  ')}`);
  }
  for (const { path, line, a: lineA, b: lineB } of report.differing.slice(0, 20)) {
    console.info(`${path}:${line}\n  < ${lineA}\n  > ${lineB}`);
  }
  process.exitCode = report.onlyIn.some((only) => only.length > 0) || report.differing.length > 0 ? 1 : 0;
}
