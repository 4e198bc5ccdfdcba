import { checkTransformResult, type TransformInput } from '../core/transform-abi';
import type { CallEnding } from './call-executor';
import type { PythonException, WorkerTransformAnswer } from './protocol';
import { lineAndTraceback } from './render-call';
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
    case 'interrupted':
      if (ending.stoppedBy) {
        const why = ending.stoppedBy === 'stop' ? 'cancelled' : 'timeout';
        return { ok: false, kind: why, script, message: stopped[why], ...printedOf(result) };
      }
      // Nobody asked for the stop: the script raised KeyboardInterrupt itself, as runs and renders say.
      return raised(script, result);
    case 'error':
      return raised(script, result);
    case 'returned': {
      const checked = checkTransformResult(result.result, input, result.type);
      if (checked.ok) return { ok: true, post: checked.post, printed: result.printed };
      const message = `${script}: the result of transform() does not fit: ${checked.problem}`;
      return { ok: false, kind: 'invalid-result', script, message, printed: result.printed };
    }
  }
}

/** The outcome of a transform that raised `exception`. */
function raised(
  script: string,
  exception: PythonException & { printed?: string | undefined },
): TransformOutcome {
  return {
    ok: false,
    kind: 'exception',
    script,
    message: exception.message,
    ...lineAndTraceback(exception),
    ...printedOf(exception),
  };
}

/** What the transform printed, when the answer says (it does not when the stop landed outside its call). */
function printedOf({ printed }: { printed?: string | undefined }): { printed?: string } {
  return printed ? { printed } : {};
}
