import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { parseMacroDocument } from '../../src/core/markdown-macros';
import { bundledDefaults } from '../../src/storage/bundled-defaults';
import { readBundledDefaults } from '../../src/storage/defaults-seeder';
import { openPostStore } from '../../src/storage/idb-post-store';
import { openScriptStore } from '../../src/storage/idb-script-store';
import { addSampleProject } from '../../src/ui/sample-project';

describe('the sample project', () => {
  it('adds a macro with a docstring, a utility and a published welcome post that calls them and each built-in macro', async () => {
    const dbName = `sample-${crypto.randomUUID()}`;
    const scripts = await openScriptStore({ dbName });
    const posts = await openPostStore({ dbName });
    // A script already holding the sample macro's slug: the post calls the slug the macro got.
    await scripts.create({ title: 'Greeting', kind: 'utility' });
    const welcome = await addSampleProject({ scripts, posts });

    const added = (await scripts.list()).filter(
      (script) => script.title !== 'Greeting' || script.kind === 'macro',
    );
    const macro = added.find((script) => script.kind === 'macro');
    expect(macro?.slug).toBe('greeting_2');
    expect(macro?.body).toMatch(/def render\(context\):\n {4}"""Greets someone by name/);
    expect(added.some((script) => script.kind === 'utility' && script.title === 'Reading time')).toBe(true);
    expect(welcome.status).toBe('published');
    const called = parseMacroDocument(welcome.body).calls.map((call) => call.name);
    // Every built-in macro, whichever defaults/ ships.
    const builtIns = (await readBundledDefaults(bundledDefaults))
      .filter(({ script }) => script.kind === 'macro')
      .map(({ script }) => script.slug);
    expect(builtIns.length).toBeGreaterThan(0);
    expect(called.sort()).toEqual(['greeting_2', ...builtIns].sort());
  });
});
