import type { z } from 'zod';
import {
  type AbiPost,
  abiPostSchema,
  formatIssues,
  type MacroContext,
  type MacroEnv,
  type MacroValue,
  macroEnvSchema,
  parseMacroResult,
} from '../core/abi';
import { macroResultSize, oversizedCallMessage, sizeLimits } from '../core/size-limits';
import type { CallEnding } from './call-executor';
import type {
  CallReads,
  RenderedItem,
  WorkerRenderAnswer,
  WorkerRenderRequest,
  WorkerScript,
} from './protocol';
import { callEnd, type ScriptCall } from './script-stats';
import type { MacroScript, RenderFailure, RenderItem, RenderOutcome } from './types';

/*
 * The page's halves of a render call, around the worker round trip: checking contexts and building
 * the request before it, turning the answer into one outcome per item after it.
 */

/** How errors and tracebacks name a script. */
export function scriptFileName(slug: string): string {
  return `${slug}.py`;
}

export function workerScript({ id, version, slug, body, entrypoint }: MacroScript): WorkerScript {
  return { id, version, fileName: scriptFileName(slug), code: body, entrypoint };
}

interface PreparedRender {
  /** Positions in `items` of the calls in each script's batch of the request, in request order. */
  sent: number[][];
  request: Omit<WorkerRenderRequest, 'site'>;
  /** An outcome for each item whose context failed ABI v1: it never leaves the page. */
  rejected: Map<number, RenderFailure>;
}

/**
 * Checks each context's env and post against ABI v1, once per distinct object (the calls of a post
 * share them, so identity finds the repeats), and builds the request. The rest of a context (the
 * macro's name, its params and args, a paired call's body) is not checked here call by call: it was
 * made on this page from what the macro parser and the Try form let through, both of which hold it
 * to ABI v1 where it is typed (docs/round-trip.md, "What the page checks"). A check per call cost
 * more than the macro (about 19 µs per call in Chromium, where zod cannot compile).
 * The request holds one batch per script, each with that script's calls in their order: the worker
 * puts the interpreter's memory back whenever it moves on to another script (memory-wall.ts), so a
 * request that mixes scripts pays one restore per script, not one per call, and no script's batch
 * holds another's source. `sent` maps the answer back to `items`.
 */
export function prepareRender(items: readonly RenderItem[]): PreparedRender {
  const rejected = new Map<number, RenderFailure>();
  const [envProblems, postProblems] = [
    new Map<unknown, string | undefined>(),
    new Map<unknown, string | undefined>(),
  ];
  /** The positions in `items` of each script's calls, by script id, version and code, in order of first call. */
  const groups = new Map<string, number[]>();
  // A key holds the script's whole code: built once per script object, not per call.
  const groupKeys = new Map<MacroScript, string>();
  items.forEach((item, index) => {
    const { env, post } = item.context;
    const problem =
      checkOnce(envProblems, env, macroEnvSchema, 'env') ??
      checkOnce(postProblems, post, abiPostSchema, 'post');
    if (problem !== undefined) {
      rejected.set(index, failure(item, 'invalid-context', `Invalid macro context: ${problem}`));
      return;
    }
    let key = groupKeys.get(item.script);
    if (key === undefined) {
      key = `${item.script.id}\0${item.script.version}\0${item.script.body}`;
      groupKeys.set(item.script, key);
    }
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  const sent = [...groups.values()];
  const batch = sent.map((group) => ({
    script: workerScript(items[group[0]!]!.script),
    calls: JSON.stringify(wireBatch(group.map((index) => items[index]!.context))),
  }));
  return { sent, request: { batch }, rejected };
}

/**
 * One script's calls as macro_engine.py reads them (python/wire.py, `Batch`): each env and post once,
 * however many calls share it. Calls of one post share its objects, so identity finds the repeats.
 */
function wireBatch(contexts: MacroContext[]) {
  const [envs, posts]: [MacroEnv[], AbiPost[]] = [[], []];
  const [envIndexes, postIndexes] = [new Map<MacroEnv, number>(), new Map<AbiPost, number>()];
  const calls = contexts.map(({ macro, params, args, env, post, ...extras }) => {
    const call: WireCall = {
      macro,
      // Bare values: JSON keeps a str, int and bool apart, but writes a whole float (2.0) as 2.
      params: {},
      args: [],
      env: indexIn(envs, envIndexes, env),
      post: indexIn(posts, postIndexes, post),
    };
    const [floatParams, floatArgs]: [string[], number[]] = [[], []];
    for (const name in params) {
      const { type, value } = params[name]!;
      call.params[name] = value;
      if (type === 'float') floatParams.push(name);
    }
    for (const { type, value } of args) {
      if (type === 'float') floatArgs.push(call.args.length);
      call.args.push(value);
    }
    if (floatParams.length > 0) call.float_params = floatParams;
    if (floatArgs.length > 0) call.float_args = floatArgs;
    // placement, body and body_html (ABI 1.1), when the context has them.
    if (Object.keys(extras).length > 0) call.extras = extras;
    return call;
  });
  return { envs, posts, calls };
}

/** One call as python/wire.py's `Call` has it. */
export interface WireCall {
  macro: string;
  params: Record<string, MacroValue['value']>;
  args: MacroValue['value'][];
  float_params?: string[];
  float_args?: number[];
  env: number;
  post: number;
  extras?: Omit<MacroContext, 'macro' | 'params' | 'args' | 'env' | 'post'>;
}

/** The position of `value` in `values`, appended on first sight. */
function indexIn<T>(values: T[], indexes: Map<T, number>, value: T): number {
  const known = indexes.get(value);
  if (known !== undefined) return known;
  indexes.set(value, values.length);
  return values.push(value) - 1;
}

/** What is wrong with `value` by ABI v1, worded as zod words it, checked once per distinct object. */
function checkOnce(
  checked: Map<unknown, string | undefined>,
  value: unknown,
  schema: z.ZodType,
  path: string,
): string | undefined {
  if (!checked.has(value)) {
    const parsed = schema.safeParse(value);
    checked.set(
      value,
      parsed.success
        ? undefined
        : formatIssues(parsed.error.issues.map((issue) => ({ ...issue, path: [path, ...issue.path] }))),
    );
  }
  return checked.get(value);
}

interface CompletedRender {
  /** One per item of `items`; an unreached item's is `cancelled` until it is rendered again. */
  outcomes: RenderOutcome[];
  /** The calls that reached an end, as Diagnostics counts them. */
  counted: ScriptCall[];
  /**
   * Positions in `items` of the items that never ran because an earlier one was stopped, or whose
   * fate is unknown because the worker was lost with them: the caller sends them again, so one
   * looping macro does not cost the others of its post.
   */
  unreached: number[];
}

/** One outcome per item of `items`, in order, and which items must be sent again. */
export function completeRender(
  items: readonly RenderItem[],
  prepared: PreparedRender,
  ending: CallEnding<WorkerRenderAnswer>,
): CompletedRender {
  const outcomes: RenderOutcome[] = [];
  const counted: ScriptCall[] = [];
  const unreached: number[] = [];
  prepared.rejected.forEach((outcome, index) => {
    outcomes[index] = outcome;
  });
  const batch = {
    calls: prepared.sent.reduce((calls, group) => calls + group.length, 0),
    scripts: new Set(prepared.sent.map((group) => items[group[0]!]!.script.id)).size,
  };
  prepared.sent.forEach((group, part) => {
    // Undefined: the worker did not get to this script, as the time limit ended an earlier one.
    const results = ending.kind === 'answered' ? ending.answer.results[part] : undefined;
    const read = results && 'items' in results ? results : undefined;
    const { id: scriptId, slug } = items[group[0]!]!.script;
    const name = scriptFileName(slug);
    for (const [position, index] of group.entries()) {
      const item = items[index]!;
      const rendered = read?.items[position];
      const outcome = rendered
        ? toOutcome(item, name, rendered, read!.reads[rendered.reads]!)
        : unrenderedOutcome(item, position, ending, results, batch);
      if (outcome) {
        outcomes[index] = outcome;
        const pythonMs = rendered && rendered.pythonNs / 1e6;
        counted.push({ scriptId, name, end: callEnd(outcome), pythonMs });
      } else {
        unreached.push(index);
        // Rendered again unless the render was cancelled meanwhile: then it stays what it is.
        outcomes[index] = failure(item, 'cancelled', cancelled);
      }
    }
  });
  return { outcomes, counted, unreached };
}

/**
 * The outcome of a call the worker gave no result for (`results`: its script's, if the worker got to
 * it), or undefined if it must be sent again.
 */
function unrenderedOutcome(
  item: RenderItem,
  position: number,
  ending: CallEnding<WorkerRenderAnswer>,
  results: WorkerRenderAnswer['results'][number] | undefined,
  batch: { calls: number; scripts: number },
): RenderFailure | undefined {
  if (ending.kind === 'not-sent') return failure(item, 'cancelled', cancelled);
  if (ending.kind === 'lost') {
    if (ending.why === 'stop') return failure(item, 'cancelled', cancelled);
    // A macro that ignored the interrupt: which one is unknown, so each call goes again on its own.
    if (ending.why === 'timeout' && batch.calls > 1) return undefined;
    // A crash, whose text a script may have written: each script's calls go again on their own, so
    // it becomes the error of the calls of the script that crashed, not of every script in the batch.
    if (ending.why === 'worker-failed' && batch.scripts > 1) return undefined;
    return failure(item, ending.why, ending.message);
  }
  // Its script's batch never ran: the time limit ended an earlier one.
  if (results === undefined) return undefined;
  // The script changed its engine so that its results could not be read, or ended short of this call.
  if ('unreadable' in results)
    return { ...failure(item, 'exception', unreadable), traceback: `${unreadable}:\n${results.unreadable}` };
  if (results.interrupted === null)
    return { ...failure(item, 'exception', unfinished), traceback: unfinished };
  // Past the call that was stopped: it never ran.
  if (position > results.items.length) return undefined;
  const name = scriptFileName(item.script.slug);
  if (ending.stoppedBy === 'stop') return failure(item, 'cancelled', cancelled);
  if (ending.stoppedBy) return failure(item, 'timeout', `${name} ran past its time limit and was stopped`);
  // Nobody asked for the interrupt: the macro raised KeyboardInterrupt itself.
  return {
    ...failure(item, 'exception', results.interrupted.message),
    ...lineAndTraceback(results.interrupted),
  };
}

const unreadable = 'The macro changed the interpreter so that its results could not be read';
const unfinished = 'The macro changed the interpreter so that it gave no result for this call';
const cancelled = 'Not rendered: the render was cancelled';

/** The outcome of a call that finished, its script named `name`. */
function toOutcome(item: RenderItem, name: string, rendered: RenderedItem, reads: CallReads): RenderOutcome {
  const printed = rendered.printed === undefined ? { reads } : { printed: rendered.printed, reads };
  if (rendered.kind === 'raised')
    return { ...failure(item, 'exception', rendered.message), ...lineAndTraceback(rendered), ...printed };
  // Refused in Python (macro_engine.py), and here too, out of its reach, should a script have changed that.
  const size = rendered.kind === 'oversized' ? rendered.size : macroResultSize(rendered.result);
  if (rendered.kind === 'oversized' || size > sizeLimits.macroHtmlPerCall)
    return { ...failure(item, 'invalid-result', oversizedCallMessage(name, size)), ...printed };
  // The ABI's own schema decides and words what is wrong with a result.
  const result = parseMacroResult(rendered.result, name);
  if (!result.ok) return { ...failure(item, 'invalid-result', result.error), ...printed };
  return { ok: true, ...result.value, ...printed };
}

/** A Python exception's line (when it has one) and traceback, as an outcome carries them. */
export function lineAndTraceback(exception: { line: number | null; traceback: string } | null | undefined) {
  if (!exception) return {};
  return { ...(exception.line === null ? {} : { line: exception.line }), traceback: exception.traceback };
}

function failure(item: RenderItem, kind: RenderFailure['kind'], message: string): RenderFailure {
  return { ok: false, kind, script: scriptFileName(item.script.slug), message };
}
