import { z } from 'zod';
import { checkTransformResult, type TransformInput } from '../core/transform-abi';
import { parseMessage, type WorkerTransformAnswer, workerTransformAnswerSchema } from './protocol';
import type { TransformOutcome } from './types';

const transformReplySchema = z.object({ answer: z.string(), pythonMs: z.number().nonnegative() });

/**
 * A transform's reply from the worker, checked, with its answer decoded; a malformed one throws,
 * which fails the call like a crash.
 */
export function decodeTransformReply(reply: unknown): { answer: WorkerTransformAnswer; pythonMs: number } {
  const { answer, pythonMs } = parseMessage(transformReplySchema, reply, 'transform reply from the worker');
  let data: unknown;
  try {
    data = JSON.parse(answer);
  } catch {
    throw new Error('the transform answer from the worker is not JSON');
  }
  return {
    answer: parseMessage(workerTransformAnswerSchema, data, 'transform answer from the worker'),
    pythonMs,
  };
}

/** How a transform call ended, as the client's time limit saw it. */
export type TransformEnding =
  | { kind: 'answered'; answer: WorkerTransformAnswer; stoppedBy: 'timeout' | 'cancelled' | undefined }
  | { kind: 'lost'; why: 'timeout' | 'cancelled' | 'worker-failed'; message: string };

/** The outcome of a transform call by `script` (its file name) on `input`. */
export function transformOutcome(
  script: string,
  input: TransformInput,
  ending: TransformEnding,
  timeLimitMs: number,
): TransformOutcome {
  const stopped = {
    timeout: `${script} did not finish within the time limit (${timeLimitMs / 1000} s)`,
    cancelled: `${script} was stopped`,
  };
  if (ending.kind === 'lost') {
    const message =
      ending.why === 'worker-failed' ? ending.message : `${stopped[ending.why]}; Python was restarted`;
    return { ok: false, kind: ending.why, script, message };
  }
  const { answer } = ending;
  switch (answer.kind) {
    case 'interrupted': {
      // Interrupted with nobody asking (the script raised KeyboardInterrupt itself) reads as its time running out.
      const why = ending.stoppedBy ?? 'timeout';
      return {
        ok: false,
        kind: why,
        script,
        message: stopped[why],
        ...(answer.printed ? { printed: answer.printed } : {}),
      };
    }
    case 'error':
      return {
        ok: false,
        kind: 'exception',
        script,
        message: answer.message,
        ...(answer.line === null ? {} : { line: answer.line }),
        traceback: answer.traceback,
        printed: answer.printed,
      };
    case 'returned': {
      const checked = checkTransformResult(answer.result, input, answer.type);
      if (checked.ok) return { ok: true, post: checked.post, printed: answer.printed };
      const message = `${script}: the result of transform() does not fit: ${checked.problem}`;
      return { ok: false, kind: 'invalid-result', script, message, printed: answer.printed };
    }
  }
}
