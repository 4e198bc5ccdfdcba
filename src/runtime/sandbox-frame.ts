/*
 * The document of the sandbox frame (see sandbox-host.ts). It is a `srcdoc`, so it needs no request
 * and works offline, and runs in an opaque origin: no storage, no service worker, no DOM of the app.
 *
 * Its script is a plain string because the frame loads nothing from the app: it cannot import the
 * bundle (or zod), so it checks its three messages by hand and stays small enough to read whole.
 */

/** Messages the page sends to the frame. `start` carries what the worker needs, since the frame has no network. */
export type PageToFrame =
  | {
      type: 'start';
      /** The worker's end of the page's MessageChannel; Comlink runs on it, so calls skip the frame. */
      port: MessagePort;
      /** The bundled worker module (`worker.ts`). */
      workerModule: Blob;
      /** Pyodide's `indexURL` and its files there, answered from memory inside the worker. */
      indexURL: string;
      pyodideFiles: Record<string, Blob>;
    }
  | { type: 'interrupt' }
  | { type: 'clear-interrupt'; id: number };

/**
 * The worker's Content Security Policy, inherited from this document: scripts only from the blobs the
 * frame makes (eval and `new Function` raise EvalError), WebAssembly compiles, and no network at all
 * (`default-src 'none'` covers fetch, XHR, WebSocket, EventSource, WebTransport, fonts, imports).
 */
export function sandboxPolicy(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}' blob: 'wasm-unsafe-eval'; worker-src blob:`;
}

/**
 * Runs in the worker as a classic script: classic, because a module worker from an opaque origin's
 * blob fails to load in Chromium and a `data:` worker is never cross-origin isolated (no
 * SharedArrayBuffer). It imports the worker module from the Blob the frame sends first; a failure is
 * rethrown outside the promise so the frame sees it as the worker's `error` event.
 */
const workerBootstrap = `onmessage = (event) => {
  onmessage = null;
  import(URL.createObjectURL(event.data)).catch((error) => setTimeout(() => { throw error; }));
};`;

/**
 * The frame's script. It owns the interrupt buffer because a SharedArrayBuffer cannot cross from
 * the page into an opaque origin (another agent cluster); the page asks it to raise or clear SIGINT.
 * From the worker it accepts exactly one message, the module's request for its connection, sent
 * before any user code exists; everything later is dropped unread.
 */
const frameScript = (pageOrigin: string) => `(() => {
  'use strict';
  const pageOrigin = ${JSON.stringify(pageOrigin)};
  const SIGINT = 2;
  let interrupt;
  const isStart = (m) =>
    m.port instanceof MessagePort && m.workerModule instanceof Blob && typeof m.indexURL === 'string' &&
    typeof m.pyodideFiles === 'object' && m.pyodideFiles !== null &&
    Object.values(m.pyodideFiles).every((file) => file instanceof Blob);
  const start = (m) => {
    const buffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    interrupt = new Int32Array(buffer);
    const bootstrap = new Blob([${JSON.stringify(workerBootstrap)}], { type: 'text/javascript' });
    const worker = new Worker(URL.createObjectURL(bootstrap));
    worker.onerror = (event) =>
      parent.postMessage({ type: 'worker-error', message: String(event.message || '') }, pageOrigin);
    worker.onmessage = (event) => {
      worker.onmessage = null;
      if (event.data !== 'connect') return;
      const connection = { port: m.port, interruptBuffer: buffer, indexURL: m.indexURL, pyodideFiles: m.pyodideFiles };
      worker.postMessage(connection, [m.port]);
    };
    worker.postMessage(m.workerModule);
  };
  addEventListener('message', (event) => {
    const m = event.data;
    if (event.source !== parent || event.origin !== pageOrigin || typeof m !== 'object' || m === null) return;
    if (m.type === 'start' && !interrupt && isStart(m)) start(m);
    else if (m.type === 'interrupt' && interrupt) Atomics.store(interrupt, 0, SIGINT);
    else if (m.type === 'clear-interrupt' && interrupt && Number.isSafeInteger(m.id)) {
      Atomics.store(interrupt, 0, 0);
      parent.postMessage({ type: 'interrupt-cleared', id: m.id }, pageOrigin);
    }
  });
})();`;

/** The frame's `srcdoc`. `nonce` must be fresh per frame: it is what lets this one inline script run. */
export function sandboxFrameDocument(pageOrigin: string, nonce: string): string {
  return [
    '<!doctype html>',
    `<meta http-equiv="Content-Security-Policy" content="${sandboxPolicy(nonce)}">`,
    `<script nonce="${nonce}">${frameScript(pageOrigin)}</script>`,
  ].join('\n');
}
