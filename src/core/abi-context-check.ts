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
      ownKeyCount(context) === 5 &&
      typeof context.macro === 'string' &&
      context.macro.length > 0 &&
      isParams(context.params) &&
      isArgs(context.args) &&
      envs.accepts(context.env) &&
      posts.accepts(context.post)
    )
      return { ok: true, value: context as MacroContext };
    return parseMacroContext(context);
  };
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
