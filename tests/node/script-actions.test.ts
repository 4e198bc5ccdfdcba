import { beforeAll, describe, expect, it } from 'vitest';
import { createPythonRunner, type PythonRunner } from '../../src/runtime/python-runner.ts';
import { context, loadMacroHarness, type MacroHarness, post, runCollectingOutput } from './macro-harness.ts';

/*
 * A utility's allowlisted actions in real Pyodide: recorded by pymark.create_post & co, returned
 * with the run's result (checked against src/core/script-actions.ts by python-runner.ts), refused
 * outside a utility run and outside the allowlist.
 */

let harness: MacroHarness;
let runner: PythonRunner;

beforeAll(async () => {
  harness = await loadMacroHarness();
  runner = createPythonRunner(harness.pyodide);
  harness.installSite([{ ...post('published', ['python']), slug: 'hello', title: 'Hello' }]);
});

function run(code: string) {
  return runCollectingOutput(runner, { fileName: 'tidy.py', code, entrypoint: 'main' });
}

describe('pymark actions in a utility (real Pyodide)', () => {
  it('records each allowed call, in order, for the app to apply after the run', () => {
    const { result, printed } = run(`
import pymark
from pymark import site

def main():
    pymark.create_post("From Python", body="Hi.", tags=["py"], status="published")
    pymark.update_post("hello", title="Hello again", tags=[*site.post("hello")["tags"], "new"])
    pymark.rename_tag("python", "Python")
    pymark.delete_tag("old")
    pymark.rename_category("a", "b")
    pymark.delete_category("c")
    pymark.delete_post("hello")
    print(len(site.posts))  # the snapshot as the run started: actions apply when it ends
`);
    expect(printed).toBe('1\n');
    expect(result).toMatchObject({
      kind: 'ok',
      actions: [
        {
          type: 'create-post',
          title: 'From Python',
          body: 'Hi.',
          tags: ['py'],
          categories: [],
          status: 'published',
        },
        { type: 'update-post', post: 'hello', title: 'Hello again', tags: ['python', 'new'] },
        { type: 'rename-tag', from: 'python', to: 'Python' },
        { type: 'delete-tag', name: 'old' },
        { type: 'rename-category', from: 'a', to: 'b' },
        { type: 'delete-category', name: 'c' },
        { type: 'delete-post', post: 'hello' },
      ],
    });
  });

  it('starts every run with no actions, and keeps none of a run that fails', () => {
    expect(run('def main():\n    pass\n').result).not.toHaveProperty('actions');
    const failed = run(
      'import pymark\n\ndef main():\n    pymark.delete_post("hello")\n    raise ValueError("oops")\n',
    );
    expect(failed.result).toMatchObject({ kind: 'error', message: 'ValueError: oops' });
    expect(failed.result).not.toHaveProperty('actions');
    expect(run('def main():\n    pass\n').result).not.toHaveProperty('actions');
  });

  it('refuses anything outside the allowlist, naming what is allowed', () => {
    const { result } = run('import pymark\n\ndef main():\n    pymark.delete_script("tidy")\n');
    expect(result).toMatchObject({ kind: 'error', line: 4 });
    expect(result.kind === 'error' && result.message).toBe(
      'AttributeError: pymark has no delete_script: a utility may only create_post, update_post, delete_post, ' +
        'rename_tag, delete_tag, rename_category, delete_category, and read pymark.site; scripts never reach ' +
        'storage, the network or the page',
    );
  });

  it('checks arguments where the script passes them', () => {
    for (const [call, message] of [
      ['pymark.create_post(5)', 'TypeError: title must be a str, not int'],
      ['pymark.create_post("  ")', 'ValueError: title must not be empty'],
      ['pymark.create_post("x", tags="a,b")', 'TypeError: tags must be a list of str'],
      [
        'pymark.update_post("hello", status="gone")',
        `ValueError: status must be "draft" or "published", not 'gone'`,
      ],
      [
        'pymark.update_post("hello")',
        'ValueError: update_post needs at least one of title, body, tags, categories, status',
      ],
      [
        'pymark.create_post("x", body="x" * 1_000_001)',
        'ValueError: body must be at most 1,000,000 characters',
      ],
      [
        '[pymark.delete_tag("t") for _ in range(1001)]',
        'RuntimeError: a run may make at most 1000 changes; run the utility again for more',
      ],
    ]) {
      const { result } = run(`import pymark\n\ndef main():\n    ${call}\n`);
      expect(result).toMatchObject({ kind: 'error', message, line: 4 });
    }
  });

  it('lets macros only read: a call from render raises PermissionError', () => {
    const script = {
      id: 'act',
      version: 1,
      slug: 'act',
      body: 'import pymark\n\ndef render(context):\n    pymark.create_post("x")\n    return ""\n',
      entrypoint: 'render',
    };
    const item = harness.renderOne(script, context('act'));
    expect(item.kind !== 'ok' && item.message).toBe(
      'PermissionError: pymark.create_post() changes the project, which only a utility run may do; ' +
        'macros and transforms read it through pymark.site',
    );
  });
});
