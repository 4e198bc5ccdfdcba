import { describe, expect, it } from 'vitest';
import { type AbiPost, type MacroEnv, parseMacroContext } from '../../src/core/abi';
import { createContextChecker } from '../../src/core/abi-context-check';

const env: MacroEnv = { preview: false, language: 'en', base_url: '' };
const post: AbiPost = { id: 'p', title: 'T', slug: 't', status: 'published', tags: ['a'], categories: [] };
const valid = { macro: 'm', params: {}, args: [], env, post };

/** Contexts that differ from a valid one in one place each, the checker's shortcuts among them. */
const cases: [string, unknown][] = [
  ['a minimal context', valid],
  [
    'every value type',
    {
      ...valid,
      params: {
        s: { type: 'str', value: '' },
        i: { type: 'int', value: -3 },
        f: { type: 'float', value: 2 },
      },
      args: [
        { type: 'bool', value: false },
        { type: 'float', value: 1.5 },
        { type: 'int', value: 2 ** 53 - 1 },
      ],
    },
  ],
  // The env and core-post shortcuts: anything past them is zod's to judge.
  ['an env with an extra key', { ...valid, env: { ...env, extra: 1 } }],
  ['an env with an empty language', { ...valid, env: { ...env, language: '' } }],
  ['an env with a string preview', { ...valid, env: { ...env, preview: 'no' } }],
  ['a post with a further JSON field', { ...valid, post: { ...post, rating: 5 } }],
  ['a post with a date', { ...valid, post: { ...post, created_at: '2024-01-02T03:04:05Z' } }],
  ['a post with an empty id', { ...valid, post: { ...post, id: '' } }],
  ['a post with an empty status', { ...valid, post: { ...post, status: '' } }],
  ['a post with a number tag', { ...valid, post: { ...post, tags: ['a', 1] } }],
  [
    'a post with a sparse categories',
    { ...valid, post: { ...post, categories: Array.from({ length: 2, 1: 'b' }) } },
  ],
  ['a post without categories', { ...valid, post: { ...post, categories: undefined } }],
  [
    'a null-prototype params',
    { ...valid, params: Object.assign(Object.create(null), { a: { type: 'str', value: 'x' } }) },
  ],
  // ABI 1.1's optional keys.
  ['a placement', { ...valid, placement: 'inline' }],
  ['a paired call', { ...valid, placement: 'block', body: '*x*', body_html: '<p><em>x</em></p>' }],
  ['an unknown placement', { ...valid, placement: 'float' }],
  ['a body that is not a string', { ...valid, body: 1 }],
  ['a body_html set to undefined', { ...valid, body_html: undefined }],
  ['a body beside an extra key', { ...valid, body: '', extra: 1 }],
  ['not an object', 'context'],
  ['null', null],
  ['an array', []],
  ['a missing key', { macro: 'm', params: {}, args: [], env }],
  ['an extra key', { ...valid, extra: 1 }],
  ['an extra key set to undefined', { ...valid, extra: undefined }],
  ['an empty macro name', { ...valid, macro: '' }],
  ['a macro name that is not a string', { ...valid, macro: 1 }],
  ['params as an array', { ...valid, params: [] }],
  ['an empty param name', { ...valid, params: { '': { type: 'str', value: 'x' } } }],
  ['a symbol param name', { ...valid, params: { [Symbol('s')]: { type: 'str', value: 'x' } } }],
  ['a bare param value', { ...valid, params: { a: 'x' } }],
  ['an unknown type tag', { ...valid, params: { a: { type: 'list', value: [] } } }],
  ['a str that is a number', { ...valid, params: { a: { type: 'str', value: 1 } } }],
  ['an int with a fraction', { ...valid, params: { a: { type: 'int', value: 1.5 } } }],
  ['an int past the safe range', { ...valid, params: { a: { type: 'int', value: 2 ** 53 } } }],
  ['an int given as a string', { ...valid, params: { a: { type: 'int', value: '1' } } }],
  ['a float NaN', { ...valid, args: [{ type: 'float', value: Number.NaN }] }],
  ['a float Infinity', { ...valid, args: [{ type: 'float', value: Number.POSITIVE_INFINITY }] }],
  ['a bool given as 0', { ...valid, args: [{ type: 'bool', value: 0 }] }],
  ['a tagged value with an extra key', { ...valid, args: [{ type: 'str', value: 'x', extra: 1 }] }],
  ['a tagged value without its value', { ...valid, args: [{ type: 'str' }] }],
  ['a sparse args array', { ...valid, args: new Array(2) }],
  ['args as an object', { ...valid, args: {} }],
  [
    'a class instance as a tagged value',
    {
      ...valid,
      args: [
        new (class {
          type = 'str';
          value = 'x';
        })(),
      ],
    },
  ],
  ['an env with an empty language', { ...valid, env: { ...env, language: '' } }],
  ['an env with an extra key', { ...valid, env: { ...env, theme: 'dark' } }],
  ['a post without an id', { ...valid, post: { ...post, id: '' } }],
  ['a post with a bad date', { ...valid, post: { ...post, created_at: 'yesterday' } }],
  ['a post with extra JSON fields', { ...valid, post: { ...post, series: { part: 2 } } }],
  ['a post with a non-JSON field', { ...valid, post: { ...post, when: new Date(0) } }],
];

describe('the batch context checker', () => {
  it.each(cases)('agrees with parseMacroContext on %s', (_, context) => {
    const expected = parseMacroContext(context);
    const actual = createContextChecker()(context);
    expect(actual.ok).toBe(expected.ok);
    if (!expected.ok) expect(actual).toEqual(expected);
  });

  it('returns the valid context itself, not a copy', () => {
    const result = createContextChecker()(valid);
    expect(result.ok && result.value).toBe(valid);
  });

  it('judges each context of a batch on its own, even with a shared env and post', () => {
    const check = createContextChecker();
    const badPost = { ...post, tags: 'a' };
    const outcomes = [
      check(valid),
      check({ ...valid, post: badPost }),
      check({ ...valid, params: { a: { type: 'int', value: 0.5 } } }),
      check({ ...valid, post: badPost, macro: 'n' }),
      check({ ...valid, macro: 'n' }),
    ];
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, false, false, true]);
    expect(outcomes[1]).toEqual(parseMacroContext({ ...valid, post: badPost }));
  });
});
