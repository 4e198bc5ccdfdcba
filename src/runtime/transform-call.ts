import { checkTransformResult, type TransformInput } from '../core/transform-abi';
import type { CallEnding } from './call-executor';
import type { WorkerTransformAnswer } from './protocol';
import type { TransformOutcome } from './types';

/** The outcome of a transform call by `script` (its file name) on `input`. */
export function transformOutcome(
  script: string,
  input: TransformInput,
  ending: CallEnding<WorkerTransformAnswer>,
  timeLimitMs: number,
): TransformOutcome {
  const stopped = {
    timeout: `${script} did not finish within the time limit (${timeLimitMs / 1000} s)`,
    cancelled: `${script} was stopped`,
  };
  if (ending.kind === 'not-sent') return { ok: false, kind: 'cancelled', script, message: stopped.cancelled };
  if (ending.kind === 'lost') {
    if (ending.why === 'worker-failed')
      return { ok: false, kind: 'worker-failed', script, message: ending.message };
    const why = ending.why === 'stop' ? 'cancelled' : 'timeout';
    return { ok: false, kind: why, script, message: `${stopped[why]}; Python was restarted` };
  }
  const { result } = ending.answer;
  switch (result.kind) {
    case 'interrupted': {
      // Interrupted with nobody asking (the script raised KeyboardInterrupt itself) reads as its time running out.
      const why = ending.stoppedBy === 'stop' ? 'cancelled' : 'timeout';
      return {
        ok: false,
        kind: why,
        script,
        message: stopped[why],
        ...(result.printed ? { printed: result.printed } : {}),
      };
    }
    case 'error':
      return {
        ok: false,
        kind: 'exception',
        script,
        message: result.message,
        ...(result.line === null ? {} : { line: result.line }),
        traceback: result.traceback,
        printed: result.printed,
      };
    case 'returned': {
      const checked = checkTransformResult(result.result, input, result.type);
      if (checked.ok) return { ok: true, post: checked.post, printed: result.printed };
      const message = `${script}: the result of transform() does not fit: ${checked.problem}`;
      return { ok: false, kind: 'invalid-result', script, message, printed: result.printed };
    }
  }
}
