import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { siteSnapshotSchema } from '../../src/core/abi.ts';
import { createPythonRunner, type PythonRunner } from '../../src/runtime/python-runner.ts';
import { context, loadMacroHarness, type MacroHarness, runCollectingOutput, typed } from './macro-harness.ts';

/*
 * Runs the examples of docs/python-api.md in real Pyodide against the site the page shows, and
 * checks each prints (or renders) exactly what the page says: the documentation cannot drift.
 */

const page = readFileSync(new URL('../../docs/python-api.md', import.meta.url), 'utf8');

interface Fence {
  info: string;
  text: string;
}

const fences: Fence[] = [...page.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((match) => ({
  info: match[1] ?? '',
  text: match[2] ?? '',
}));

interface Example {
  kind: 'utility' | 'macro';
  code: string;
  params: Record<string, string | number | boolean>;
  expected: string;
  /** For a utility: the actions it leaves for the app, from a `json actions` fence after its output. */
  actions: unknown[];
}

/** Each `python utility` or `python macro {params}` fence with the `text` or `html` fence after it. */
const examples: Example[] = fences.flatMap((fence, index): Example[] => {
  const heading = /^python (utility|macro)(?: (.*))?$/.exec(fence.info);
  if (!heading) return [];
  const expected = fences[index + 1];
  if (!expected || !/^(text|html)$/.test(expected.info))
    throw new Error(
      `docs/python-api.md: the example ${fence.text.slice(0, 40)}… has no output fence after it`,
    );
  const actions = fences[index + 2]?.info === 'json actions' ? fences[index + 2]!.text : '[]';
  return [
    {
      kind: heading[1] as Example['kind'],
      code: fence.text,
      params: heading[2] ? (JSON.parse(heading[2]) as Example['params']) : {},
      expected: expected.text,
      actions: JSON.parse(actions) as unknown[],
    },
  ];
});

let harness: MacroHarness;
let runner: PythonRunner;

beforeAll(async () => {
  harness = await loadMacroHarness();
  runner = createPythonRunner(harness.pyodide);
  const site = fences.find((fence) => fence.info === 'json site');
  if (!site) throw new Error('docs/python-api.md shows no `json site` fence');
  harness.engine.updateSite({ snapshot: siteSnapshotSchema.parse(JSON.parse(site.text)) });
});

describe('docs/python-api.md examples (real Pyodide)', () => {
  it('has examples of both kinds', () => {
    expect(new Set(examples.map((example) => example.kind))).toEqual(new Set(['utility', 'macro']));
  });

  it.each(examples.map((example, index) => [index + 1, example] as const))('example %i', (_, example) => {
    if (example.kind === 'utility') {
      const { result, printed } = runCollectingOutput(runner, {
        fileName: 'example.py',
        code: example.code,
        entrypoint: 'main',
      });
      expect(result.kind).toBe('ok');
      expect((result.kind === 'ok' && result.actions) || []).toEqual(example.actions);
      expect(printed).toBe(example.expected);
      return;
    }
    const params = Object.fromEntries(
      Object.entries(example.params).map(([name, value]) => [name, typed(value)]),
    );
    const script = { id: 'example', version: 1, slug: 'example', body: example.code, entrypoint: 'render' };
    const item = harness.renderOne(script, context('example', params));
    expect(item).toMatchObject({ kind: 'ok', html: example.expected.trimEnd() });
  });
});
