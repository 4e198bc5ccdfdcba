import type { WorkerRenderAnswer, WorkerRenderRequest } from './protocol';

/*
 * A render call through shared memory instead of a Comlink message (docs/round-trip.md).
 *
 * A Comlink call is a MessagePort message each way, and Chromium carries those over Mojo, its IPC
 * system, even between two threads of one process. Here the page writes the request into a
 * SharedArrayBuffer and `Atomics.notify` wakes the worker, which waits with `Atomics.waitAsync` (so
 * its event loop, and Comlink, keep running); the answer comes back the same way. On the project's
 * 2-core VM the same renders took 0.56–0.87 of their Comlink time at p50 and 0.57–0.98 at p95 (the
 * bench compares them in every run). Neither side spins: busy-waiting made the tail far worse there.
 *
 * Everything else (boot, runs, checks) still goes over Comlink, and so does a render whose request
 * does not fit. An answer that does not fit is held by the worker and fetched with one Comlink call.
 * Calls are one at a time (the client's queue), so one request slot and one answer slot suffice.
 *
 * Layout: an Int32 header, a Float64 heap size, then the request's bytes and the answer's bytes.
 */

const header = {
  requestTicket: 0,
  batchBytes: 1,
  /** -1: no site data with this request. */
  siteBytes: 2,
  answerTicket: 3,
  answerStatus: 4,
  answerBytes: 5,
  /** Set by the page when it gives up on the worker, to release its own wait. */
  closed: 6,
} as const;
const headerInts = 8;
const heapOffset = headerInts * Int32Array.BYTES_PER_ELEMENT;
const dataOffset = heapOffset + Float64Array.BYTES_PER_ELEMENT;

const answerStatus = { answered: 1, held: 2, failed: 3 } as const;

/** A failure's message is cut to this: it is for a person to read. */
const maxMessageChars = 4096;

/** Room for a post's calls (the site data, sent once per worker, often travels by Comlink). */
const defaultRenderLaneBytes = 1024 * 1024;

/** What a render through the lane came back with. */
export type LaneAnswer =
  | { kind: 'answered'; answer: WorkerRenderAnswer }
  /** Too large for the lane: the worker holds it until `takeHeldRender`. */
  | { kind: 'held' }
  /** The worker could not render the request; as a rejected Comlink call would say. */
  | { kind: 'failed'; message: string }
  /** The lane was closed (the worker is gone) before an answer came. */
  | { kind: 'closed' };

class Regions {
  readonly ints: Int32Array;
  readonly heap: Float64Array;
  readonly request: Uint8Array;
  readonly answer: Uint8Array;

  constructor(buffer: SharedArrayBuffer) {
    const capacity = (buffer.byteLength - dataOffset) / 2;
    this.ints = new Int32Array(buffer, 0, headerInts);
    this.heap = new Float64Array(buffer, heapOffset, 1);
    this.request = new Uint8Array(buffer, dataOffset, capacity);
    this.answer = new Uint8Array(buffer, dataOffset + capacity, capacity);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes `text` into `room` at `offset`; its byte length, or undefined (and nothing written) if it does not fit. */
function encodeInto(room: Uint8Array, offset: number, text: string): number | undefined {
  // UTF-8 takes at least a byte per UTF-16 unit, so a long text is known to overflow unencoded.
  if (text.length > room.length - offset) return undefined;
  // Not `TextEncoder.encodeInto`: Chromium refuses views of shared memory there.
  const bytes = encoder.encode(text);
  if (bytes.length > room.length - offset) return undefined;
  room.set(bytes, offset);
  return bytes.length;
}

/** TextDecoder refuses views of shared memory, so the bytes are copied out first. */
function decode(room: Uint8Array, offset: number, length: number): string {
  return decoder.decode(room.slice(offset, offset + length));
}

/** The page's side of one worker's lane. */
export class RenderLane {
  readonly buffer: SharedArrayBuffer;
  readonly #regions: Regions;
  #lastTicket = 0;

  constructor(byteLength = defaultRenderLaneBytes) {
    this.buffer = new SharedArrayBuffer(dataOffset + 2 * byteLength);
    this.#regions = new Regions(this.buffer);
  }

  /** Sends a render request; its ticket, or undefined if it does not fit (send it by Comlink then). */
  send({ batch, site }: WorkerRenderRequest): number | undefined {
    const { ints, request } = this.#regions;
    if (Atomics.load(ints, header.closed)) return undefined;
    const batchBytes = encodeInto(request, 0, batch);
    if (batchBytes === undefined) return undefined;
    const siteBytes = site === undefined ? -1 : encodeInto(request, batchBytes, site);
    if (siteBytes === undefined) return undefined;
    ints[header.batchBytes] = batchBytes;
    ints[header.siteBytes] = siteBytes;
    this.#lastTicket = (this.#lastTicket % 0x7fffffff) + 1;
    // Last: the store the worker waits on, which publishes everything written before it.
    Atomics.store(ints, header.requestTicket, this.#lastTicket);
    Atomics.notify(ints, header.requestTicket);
    return this.#lastTicket;
  }

  /** Waits, without blocking the thread, for the answer to the request sent under `ticket`. */
  async answer(ticket: number): Promise<LaneAnswer> {
    const { ints, heap, answer } = this.#regions;
    for (;;) {
      if (Atomics.load(ints, header.closed)) return { kind: 'closed' };
      const current = Atomics.load(ints, header.answerTicket);
      if (current === ticket) break;
      const wait = Atomics.waitAsync(ints, header.answerTicket, current);
      if (wait.async) await wait.value;
    }
    const status = Atomics.load(ints, header.answerStatus);
    const text = decode(answer, 0, Atomics.load(ints, header.answerBytes));
    if (status === answerStatus.answered)
      return { kind: 'answered', answer: { results: text, heapBytes: heap[0]! } };
    if (status === answerStatus.held) return { kind: 'held' };
    if (status === answerStatus.failed)
      return { kind: 'failed', message: text || 'the worker could not render the request' };
    return { kind: 'failed', message: `the worker answered with an unknown status (${status})` };
  }

  /** Releases a pending `answer` and refuses further requests: the worker is gone. */
  close(): void {
    const { ints } = this.#regions;
    Atomics.store(ints, header.closed, 1);
    Atomics.notify(ints, header.answerTicket);
  }
}

/**
 * The worker's side: answers each request that arrives in `buffer` with `render`, one at a time,
 * for as long as the worker lives. `hold` keeps an answer too large for the lane, for
 * `takeHeldRender`. A request `render` throws on is answered as failed, with its message.
 */
export async function serveRenderLane(
  buffer: SharedArrayBuffer,
  render: (request: WorkerRenderRequest) => WorkerRenderAnswer | Promise<WorkerRenderAnswer>,
  hold: (answer: WorkerRenderAnswer) => void,
): Promise<never> {
  const { ints, heap, request, answer } = new Regions(buffer);
  let served = 0;
  for (;;) {
    const wait = Atomics.waitAsync(ints, header.requestTicket, served);
    if (wait.async) await wait.value;
    const ticket = Atomics.load(ints, header.requestTicket);
    if (ticket === served) continue;
    served = ticket;
    const batchBytes = ints[header.batchBytes]!;
    const siteBytes = ints[header.siteBytes]!;
    const batch = decode(request, 0, batchBytes);
    const site = siteBytes < 0 ? undefined : decode(request, batchBytes, siteBytes);
    let status: number = answerStatus.failed;
    let bytes = 0;
    try {
      const rendered = await render(site === undefined ? { batch } : { batch, site });
      heap[0] = rendered.heapBytes;
      const written = encodeInto(answer, 0, rendered.results);
      if (written === undefined) {
        hold(rendered);
        status = answerStatus.held;
      } else {
        status = answerStatus.answered;
        bytes = written;
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      bytes = encodeInto(answer, 0, message.slice(0, maxMessageChars)) ?? 0;
    }
    Atomics.store(ints, header.answerStatus, status);
    Atomics.store(ints, header.answerBytes, bytes);
    Atomics.store(ints, header.answerTicket, ticket);
    Atomics.notify(ints, header.answerTicket);
  }
}
