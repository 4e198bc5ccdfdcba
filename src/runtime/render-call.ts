import { createContextChecker } from '../core/abi-context-check';
import type { RenderedItem, WorkerRenderResult } from './protocol';
import { scriptFileName } from './render-batch';
import type { RenderFailure, RenderItem, RenderOutcome } from './types';

/*
 * The main-thread halves of a renderMany call, around the worker round trip: checking contexts and
 * encoding the batch before it, turning the worker's answer into one outcome per item after it.
 */

export interface PreparedRender {
  /** Positions in `items` of the items in the batch, in batch order. */
  sent: number[];
  /** The items in the batch, in batch order; encoded once the worker is known (it may hold their scripts). */
  valid: RenderItem[];
  /** An outcome for each item whose context failed ABI v1: it never leaves the caller. */
  rejected: Map<number, RenderFailure>;
}

export function prepareRender(items: readonly RenderItem[]): PreparedRender {
  const sent: number[] = [];
  const valid: RenderItem[] = [];
  const rejected = new Map<number, RenderFailure>();
  const check = createContextChecker();
  items.forEach((item, index) => {
    const context = check(item.context);
    if (context.ok) {
      sent.push(index);
      // The item itself, not zod's copy: the encoder finds a shared post or env by identity.
      valid.push(item);
    } else {
      rejected.set(index, failure(item, 'invalid-context', context.error));
    }
  });
  return { sent, rejected, valid };
}

/**
 * How the batch's worker call ended: with an answer (and whether we had asked Python to stop), or
 * without one because the worker was replaced (`timeout`: after the time limit; `worker-failed`).
 */
export type RenderEnding =
  | { kind: 'answered'; result: WorkerRenderResult; timedOut: boolean }
  | { kind: 'lost'; why: 'timeout' | 'worker-failed'; message: string };

export interface RenderedOutcome {
  outcome: RenderOutcome;
  /** Time in Python, for the items that got there. */
  pythonMs?: number;
}

/** The ending to complete a render with when no item was sent (every context was invalid). */
export const nothingSent: RenderEnding = { kind: 'answered', result: { items: [] }, timedOut: false };

export interface CompletedRender {
  /** One per item of `items`; an unreached item's is a placeholder, to be rendered again. */
  outcomes: RenderedOutcome[];
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
  ending: RenderEnding,
): CompletedRender {
  const outcomes: RenderedOutcome[] = [];
  const unreached: number[] = [];
  prepared.rejected.forEach((outcome, index) => {
    outcomes[index] = { outcome };
  });
  prepared.sent.forEach((index, position) => {
    const item = items[index]!;
    const outcome = sentOutcome(item, position, ending, prepared.sent.length);
    if (outcome === 'unreached') {
      unreached.push(index);
      outcomes[index] = { outcome: failure(item, 'timeout', 'Not rendered yet') };
    } else {
      outcomes[index] = outcome;
    }
  });
  return { outcomes, unreached };
}

function sentOutcome(
  item: RenderItem,
  position: number,
  ending: RenderEnding,
  batchSize: number,
): RenderedOutcome | 'unreached' {
  if (ending.kind === 'lost')
    return batchSize === 1 ? { outcome: failure(item, ending.why, ending.message) } : 'unreached';
  const { result, timedOut } = ending;
  const rendered = result.items[position];
  if (rendered) return { outcome: toOutcome(item, rendered), pythonMs: rendered.pythonMs };
  // Past the item that was stopped: it never ran.
  if (position > result.items.length) return 'unreached';
  const name = scriptFileName(item.script.slug);
  if (timedOut)
    return { outcome: failure(item, 'timeout', `${name} ran past its time limit and was stopped`) };
  // Nobody asked for the interrupt: the macro raised KeyboardInterrupt itself.
  const interrupted = result.interrupted;
  const message = interrupted?.message ?? 'KeyboardInterrupt';
  return { outcome: { ...failure(item, 'exception', message), ...lineAndTraceback(interrupted ?? {}) } };
}

function toOutcome(item: RenderItem, rendered: RenderedItem): RenderOutcome {
  const printed = rendered.printed === undefined ? {} : { printed: rendered.printed };
  if (rendered.kind === 'ok')
    return { ok: true, html: rendered.html, warnings: rendered.warnings, ...printed };
  return { ...failure(item, rendered.kind, rendered.message), ...lineAndTraceback(rendered), ...printed };
}

function lineAndTraceback({ line, traceback }: { line?: number; traceback?: string }) {
  return { ...(line === undefined ? {} : { line }), ...(traceback === undefined ? {} : { traceback }) };
}

function failure(item: RenderItem, kind: RenderFailure['kind'], message: string): RenderFailure {
  return { ok: false, kind, script: scriptFileName(item.script.slug), message };
}
