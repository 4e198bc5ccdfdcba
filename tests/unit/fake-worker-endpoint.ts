import * as Comlink from 'comlink';
import type { WorkerEndpoint } from '../../src/runtime/client';
import { portEndpoint } from '../../src/runtime/port-endpoint';

export interface FakeWorkerEndpoint {
  endpoint: WorkerEndpoint;
  /** Fires the endpoint's `error` event, as a crashing worker does. */
  crash(message: string): void;
}

/**
 * A worker endpoint for client tests: `api` is served with Comlink over a real MessageChannel, so the
 * client's wrapping and validation run as they do against the real worker.
 */
export function fakeWorkerEndpoint(
  api: object,
  interrupt: Int32Array,
  onTerminate: () => void,
): FakeWorkerEndpoint {
  const { port1, port2 } = new MessageChannel();
  const errors = new EventTarget();
  Comlink.expose(api, port2);
  const endpoint = portEndpoint(port1, errors, interrupt, onTerminate);
  return {
    endpoint,
    crash: (message) => errors.dispatchEvent(Object.assign(new Event('error'), { message })),
  };
}
