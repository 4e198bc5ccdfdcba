import * as Comlink from 'comlink';
import { type WorkerEndpoint, workerEndpoint } from '../../src/runtime/worker-lifecycle';

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
  Comlink.expose(api, port2);
  const endpoint = workerEndpoint(port1, interrupt, () => {
    onTerminate();
    port1.close();
  });
  return { endpoint, crash: endpoint.fail };
}
