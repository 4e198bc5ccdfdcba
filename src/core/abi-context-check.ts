import { type AbiParse, abiPostSchema, type MacroContext, macroEnvSchema, parseMacroContext } from './abi';

/*
 * `parseMacroContext` for the many contexts of one batch, at a fraction of its cost. zod stays the
 * source of truth: the quick check below only ever says "valid" for what the ABI's schema accepts
 * (tests/unit/abi-context-check.test.ts holds it to that), and anything it does not accept goes to
 * zod, which decides and words the error.
 */

/** Checks the contexts of one batch; what it returns for a valid context is that context itself. */
export type ContextChecker = (context: unknown) => AbiParse<MacroContext>;

/**
 * A checker for one batch. Calls of a document share one env and one post object, so each distinct
 * one is parsed with zod once (by identity: a batch is checked synchronously, nothing changes them
 * meanwhile); the per-call parts are checked by hand.
 */
export function createContextChecker(): ContextChecker {
  const envs = new ValidOnce(macroEnvSchema);
  const posts = new ValidOnce(abiPostSchema);
  return (context) => {
    if (
      isPlainObject(context) &&
      ownKeyCount(context) === 5 + optionalKeyCount(context) &&
      typeof context.macro === 'string' &&
      context.macro.length > 0 &&
      isParams(context.params) &&
      isArgs(context.args) &&
      (isEnv(context.env) || envs.accepts(context.env)) &&
      (isCorePost(context.post) || posts.accepts(context.post))
    )
      return { ok: true, value: context as MacroContext };
    return parseMacroContext(context);
  };
}

/** The context's optional keys (ABI 1.1), each with what zod accepts for it. */
const optionalKeys: readonly (readonly [string, (value: unknown) => boolean])[] = [
  ['placement', (value) => value === undefined || value === 'block' || value === 'inline'],
  ['body', (value) => value === undefined || typeof value === 'string'],
  ['body_html', (value) => value === undefined || typeof value === 'string'],
];

/** How many optional keys the context has, each valid; an invalid one makes the count miss, for zod to judge. */
function optionalKeyCount(context: Record<string, unknown>): number {
  let count = 0;
  for (const [key, accepts] of optionalKeys) {
    if (!Object.hasOwn(context, key)) continue;
    if (!accepts(context[key])) return Number.NaN;
    count += 1;
  }
  return count;
}

/** Whether zod's `schema` accepts an object, asked once per distinct object. */
class ValidOnce {
  readonly #known = new Map<unknown, boolean>();
  readonly #schema: { safeParse(value: unknown): { success: boolean } };

  constructor(schema: { safeParse(value: unknown): { success: boolean } }) {
    this.#schema = schema;
  }

  accepts(value: unknown): boolean {
    let valid = this.#known.get(value);
    if (valid === undefined) {
      valid = this.#schema.safeParse(value).success;
      this.#known.set(value, valid);
    }
    return valid;
  }
}

/** `macroEnvSchema`, a strict object: zod costs more than the render of a single macro. */
function isEnv(env: unknown): boolean {
  return (
    isPlainObject(env) &&
    Object.getOwnPropertySymbols(env).length === 0 &&
    ownKeyCount(env) === 3 &&
    typeof env.preview === 'boolean' &&
    typeof env.language === 'string' &&
    env.language.length > 0 &&
    typeof env.base_url === 'string'
  );
}

/** A post of `abiPostSchema`'s required core and nothing else, the common case; any other is zod's to judge. */
function isCorePost(post: unknown): boolean {
  return (
    isPlainObject(post) &&
    Object.getOwnPropertySymbols(post).length === 0 &&
    ownKeyCount(post) === 6 &&
    typeof post.id === 'string' &&
    post.id.length > 0 &&
    typeof post.title === 'string' &&
    typeof post.slug === 'string' &&
    typeof post.status === 'string' &&
    post.status.length > 0 &&
    isStrings(post.tags) &&
    isStrings(post.categories)
  );
}

function isStrings(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  // An index loop: a hole is no string, and zod rejects it too.
  for (let index = 0; index < list.length; index += 1) {
    if (typeof list[index] !== 'string') return false;
  }
  return true;
}

/** `MacroContext['params']`: a record of non-empty names to typed values. */
function isParams(params: unknown): boolean {
  // Symbol keys are something zod's record rejects; leave them to it.
  if (!isPlainObject(params) || Object.getOwnPropertySymbols(params).length > 0) return false;
  for (const name in params) {
    if (name.length === 0 || !isMacroValue(params[name])) return false;
  }
  return true;
}

function isArgs(args: unknown): boolean {
  if (!Array.isArray(args)) return false;
  // An index loop, not `every`: that skips the holes of a sparse array, which zod rejects.
  for (let index = 0; index < args.length; index += 1) {
    if (!isMacroValue(args[index])) return false;
  }
  return true;
}

/** `macroValueSchema`: exactly `type` and `value`, the value of the tagged type (numbers finite, ints safe). */
function isMacroValue(tagged: unknown): boolean {
  if (!isPlainObject(tagged) || ownKeyCount(tagged) !== 2) return false;
  const { value } = tagged;
  switch (tagged.type) {
    case 'str':
      return typeof value === 'string';
    case 'int':
      return Number.isSafeInteger(value);
    case 'float':
      return Number.isFinite(value);
    case 'bool':
      return typeof value === 'boolean';
    default:
      return false;
  }
}

/** A literal-like object; anything more exotic (class instances, proxies of other realms) is zod's to judge. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The keys zod's strict objects look at (`for…in`); with the required ones present, a count finds extras. */
function ownKeyCount(object: object): number {
  let count = 0;
  for (const _ in object) count += 1;
  return count;
}
