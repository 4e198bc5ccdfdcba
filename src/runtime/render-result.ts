import { parseMacroResult } from '../core/abi';
import { ProtocolError, type PythonException, type RenderedItem, type WorkerRenderResult } from './protocol';

/*
 * Decodes the JSON text of a batch's results (protocol.ts, `workerRenderAnswerSchema`). Checked by
 * hand, not with zod: a batch can hold ten thousand entries, and here each costs a few `typeof`s.
 */

/** The results in `text`, one item per finished macro call; throws a `ProtocolError` if malformed. */
export function decodeRenderResult(text: string): WorkerRenderResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw malformed(String(error));
  }
  if (!isRecord(parsed)) throw malformed('not an object');
  const { outcomes, micros, interrupted, printed } = parsed;
  if (!Array.isArray(outcomes) || !Array.isArray(micros) || outcomes.length !== micros.length)
    throw malformed('expected as many outcomes as times');
  const items = outcomes.map((outcome: unknown, index) => decodeOutcome(outcome, toMs(micros[index])));
  if (printed !== undefined) addPrinted(items, printed);
  if (interrupted === null) return { items };
  return { items, interrupted: decodeException(interrupted) };
}

function decodeOutcome(outcome: unknown, pythonMs: number): RenderedItem {
  // A bare str: a result without warnings, the common case.
  if (typeof outcome === 'string') return { kind: 'ok', html: outcome, warnings: [], pythonMs };
  if (!Array.isArray(outcome)) throw malformed('an outcome is neither html nor a list');
  const [tag, first, second, third] = outcome as unknown[];
  if (tag === 'ok' && typeof first === 'string' && isStringArray(second))
    return { kind: 'ok', html: first, warnings: second, pythonMs };
  if (tag === 'invalid' && typeof first === 'string') {
    // The ABI's own schema decides and words what is wrong; Python only took the fast lane.
    const result = parseMacroResult(second, first);
    return result.ok
      ? { kind: 'ok', ...result.value, pythonMs }
      : { kind: 'invalid-result', message: result.error, pythonMs };
  }
  if (tag === 'error') return { kind: 'exception', ...decodeException([first, second, third]), pythonMs };
  throw malformed(`unknown outcome ${JSON.stringify(tag)}`);
}

/** `{item index: text}`: what items printed, attached to them. */
function addPrinted(items: RenderedItem[], printed: unknown): void {
  if (!isRecord(printed)) throw malformed('a malformed record of printed output');
  for (const [key, text] of Object.entries(printed)) {
    const item = /^(0|[1-9]\d*)$/.test(key) ? items[Number(key)] : undefined;
    if (!item || typeof text !== 'string')
      throw malformed(`printed output for no item (${JSON.stringify(key)})`);
    item.printed = text;
  }
}

/** `[message, line | null, traceback]` or `{message, line, traceback}`, as Python's `describe` gives them. */
function decodeException(value: unknown): PythonException {
  const [message, line, traceback] = Array.isArray(value)
    ? value
    : isRecord(value)
      ? [value.message, value.line, value.traceback]
      : [];
  if (typeof message !== 'string' || typeof traceback !== 'string') throw malformed('a malformed exception');
  if (line === null) return { message, traceback };
  if (!Number.isSafeInteger(line) || (line as number) < 1) throw malformed('a malformed exception line');
  return { message, line: line as number, traceback };
}

function toMs(micros: unknown): number {
  if (typeof micros !== 'number' || !(micros >= 0)) throw malformed('a malformed time');
  return micros / 1000;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function malformed(problem: string): ProtocolError {
  return new ProtocolError(`Malformed render results from the worker: ${problem}`);
}
