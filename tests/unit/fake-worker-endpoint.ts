import * as Comlink from 'comlink';
import type { WorkerEndpoint } from '../../src/runtime/client';
import { portEndpoint } from '../../src/runtime/port-endpoint';
import type { WorkerRenderAnswer, WorkerRenderRequest } from '../../src/runtime/protocol';
import { serveRenderLane } from '../../src/runtime/render-lane';

export interface FakeWorkerEndpoint {
  endpoint: WorkerEndpoint;
  /** Fires the endpoint's `error` event, as a crashing worker does. */
  crash(message: string): void;
}

/** What the endpoint needs to know of a fake API: the rest is served as it is. */
interface LaneServedApi {
  boot?: (request: { renderLane?: SharedArrayBuffer }) => unknown;
  render?: (request: WorkerRenderRequest, via: 'lane') => unknown;
}

/**
 * A worker endpoint for client tests: `api` is served with Comlink over a real MessageChannel, so the
 * client's wrapping and validation run as they do against the sandboxed worker. As the real worker
 * does, it serves `api.render` through the render lane the boot request brings, too.
 */
export function fakeWorkerEndpoint(
  fakeApi: object,
  interrupt: Int32Array,
  onTerminate: () => void,
): FakeWorkerEndpoint {
  const api = fakeApi as LaneServedApi;
  const { port1, port2 } = new MessageChannel();
  const errors = new EventTarget();
  let held: WorkerRenderAnswer | undefined;
  const served = {
    ...fakeApi,
    boot: async (request: { renderLane?: SharedArrayBuffer }) => {
      const { render } = api;
      if (request.renderLane && render) {
        // Answers go through the lane unchecked: the client checks them, whichever way they come.
        void serveRenderLane(
          request.renderLane,
          async (renderRequest) => (await render(renderRequest, 'lane')) as WorkerRenderAnswer,
          (answer) => {
            held = answer;
          },
        );
      }
      return api.boot?.(request);
    },
    takeHeldRender: async () => held,
  };
  Comlink.expose(served, port2);
  const endpoint = portEndpoint(port1, errors, interrupt, onTerminate);
  return {
    endpoint,
    crash: (message) => errors.dispatchEvent(Object.assign(new Event('error'), { message })),
  };
}
