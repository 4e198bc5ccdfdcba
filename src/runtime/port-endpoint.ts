import type { WorkerEndpoint } from './client';

/**
 * A worker endpoint over the page's end of a MessageChannel: Comlink's messages travel on `port`,
 * and the `error` events the client listens for come from `errors`, where the worker's host reports
 * a crash. `terminate` ends the worker; the port is closed after it.
 */
export function portEndpoint(
  port: MessagePort,
  errors: EventTarget,
  interrupt: Int32Array,
  terminate: () => void,
): WorkerEndpoint {
  const target = (type: string) => (type === 'error' ? errors : port);
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer ?? []),
    addEventListener: (type, listener) => target(type).addEventListener(type, listener),
    removeEventListener: (type, listener) => target(type).removeEventListener(type, listener),
    start: () => port.start(),
    interrupt,
    terminate() {
      terminate();
      port.close();
    },
  };
}
