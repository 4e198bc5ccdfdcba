import { describe, expect, it } from 'vitest';
import type { MacroContext } from '../../src/core/abi';
import type { Script } from '../../src/core/script';
import { createHtmlSanitizer } from '../../src/render/sanitize-html';
import type { MacroScript, RenderOutcome } from '../../src/runtime/types';
import { MacroTrial } from '../../src/ui/macro-trial';

const sanitize = createHtmlSanitizer();

const at = '2026-12-01T10:00:00.000Z';
const script: Script = {
  ...{ id: '00000000-0000-4000-8000-00000000000a', title: 'Greet', slug: 'greet', kind: 'macro' },
  ...{ entrypoint: 'render', enabled: true, body: '', version: 3, createdAt: at, updatedAt: at },
};

const declared = [
  'TAKES_BODY = True',
  'PARAMS = {"name": {"type": "str"}, "times": {"type": "int"}, "ratio": {"type": "float"}, "loud": {"type": "bool"}}',
  'def render(context):',
  '    return "<b>x</b>"',
].join('\n');

/** Records what reaches the runtime and answers with `outcome`. */
function trialAnswering(outcome: RenderOutcome) {
  const calls: { script: MacroScript; context: MacroContext }[] = [];
  const trial = new MacroTrial({
    async renderMacro(sent, context) {
      calls.push({ script: sent, context });
      return outcome;
    },
    sanitize,
    renderBody: async (markdown) => `<p>${markdown}</p><script>bad()</script>`,
  });
  return { trial, calls };
}

describe('trying a macro', () => {
  it('types the form’s fields by the declaration, passes the body, and tries the code as edited', async () => {
    const { trial, calls } = trialAnswering({
      ok: true,
      html: '<p onclick="x()">hi</p>',
      warnings: ['careful'],
      printed: 'hello\n',
    });
    const result = await trial.try(script, declared, {
      fields: { name: 'Ada', times: '3', ratio: '2', loud: true },
      written: '',
      placement: 'inline',
      body: '*b*',
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.script.body).toBe(declared);
    expect(calls[0]!.context).toMatchObject({
      macro: 'greet',
      params: {
        name: { type: 'str', value: 'Ada' },
        times: { type: 'int', value: 3 },
        ratio: { type: 'float', value: 2 },
        loud: { type: 'bool', value: true },
      },
      placement: 'inline',
      body: '*b*',
      body_html: '<p>*b*</p>',
    });
    expect(result).toEqual({
      ok: true,
      html: '<p>hi</p>',
      rawHtml: '<p onclick="x()">hi</p>',
      printed: 'hello\n',
      warnings: ['careful'],
    });
  });

  it('refuses a field that is not of its declared type, without calling the macro', async () => {
    const { trial, calls } = trialAnswering({ ok: true, html: '', warnings: [] });
    // A float too large for a double would reach the macro as Infinity, which ABI v1 forbids.
    const huge = '9'.repeat(400);
    for (const [name, value, type] of [
      ['times', 'many', 'int'],
      ['ratio', huge, 'float'],
    ]) {
      const input = { fields: { [name!]: value! }, written: '', placement: 'block' as const, body: '' };
      await expect(trial.try(script, declared, input)).resolves.toEqual({
        ok: false,
        message: `${name} must be ${type}: "${value}" is not`,
        printed: '',
      });
    }
    expect(calls).toHaveLength(0);
  });

  it('reads the parameters of a macro without PARAMS as written in a call, and reports its error', async () => {
    const { trial, calls } = trialAnswering({
      ok: false,
      kind: 'exception',
      script: 'greet.py',
      message: 'ValueError: no',
      line: 2,
      printed: 'before\n',
    });
    const code = 'def render(context):\n    raise ValueError("no")\n';
    const input = { fields: {}, written: 'n=2 s="a b"', placement: 'block' as const, body: '' };
    await expect(trial.try(script, code, input)).resolves.toEqual({
      ok: false,
      message: 'ValueError: no (line 2)',
      printed: 'before\n',
    });
    expect(calls[0]!.context.params).toEqual({
      n: { type: 'int', value: 2 },
      s: { type: 'str', value: 'a b' },
    });
    expect(calls[0]!.context.body).toBeUndefined();
  });
});
