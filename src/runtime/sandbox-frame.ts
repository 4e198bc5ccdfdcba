/*
 * The document of the sandbox frame (see sandbox-host.ts). It is a `srcdoc`, so it needs no request
 * and works offline. The frame is `credentialless`: it keeps the app's origin, and so the page's
 * process and agent cluster (messages cross no process boundary, the page can share the interrupt
 * buffer), but its storage is a fresh partition that holds nothing of the app's.
 *
 * Its script is a plain string because the frame loads nothing from the app: it cannot import the
 * bundle (or zod), so it checks its one message by hand and stays small enough to read whole.
 */

/** What the page sends the frame, once: what the worker needs, since the sandbox has no network. */
export interface SandboxStart {
  type: 'start';
  /** The worker's end of the page's MessageChannel; Comlink runs on it, so calls skip the frame. */
  port: MessagePort;
  /** Pyodide's interrupt buffer, written by the page (Stop, time limits) and read by the worker. */
  interruptBuffer: SharedArrayBuffer;
  /** The bundled worker module (`worker.ts`). */
  workerModule: Blob;
  /** Pyodide's `indexURL` and its files there, answered from memory inside the worker. */
  indexURL: string;
  pyodideFiles: Record<string, Blob>;
}

/**
 * The worker's Content Security Policy, inherited from this document: scripts only from the blobs the
 * frame makes (eval and `new Function` raise EvalError), WebAssembly compiles, and no network at all
 * (`default-src 'none'` covers fetch, XHR, WebSocket, EventSource, WebTransport, fonts, imports).
 */
export function sandboxPolicy(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}' blob: 'wasm-unsafe-eval'; worker-src blob:`;
}

/**
 * Runs in the worker as a classic script and imports the worker module from the Blob the frame sends
 * first; a failure is rethrown outside the promise so the frame sees it as the worker's `error` event.
 */
const workerBootstrap = `onmessage = (event) => {
  onmessage = null;
  import(URL.createObjectURL(event.data)).catch((error) => setTimeout(() => { throw error; }));
};`;

/**
 * The frame's script. It refuses to start a worker unless the browser really gave it a storage
 * partition of its own (`credentialless`) and cross-origin isolation: without them the worker would
 * share the app's storage, or could not be interrupted. From the worker it accepts exactly one
 * message, the module's request for its connection, sent before any user code exists; everything
 * later is dropped unread.
 */
const frameScript = (pageOrigin: string) => `(() => {
  'use strict';
  const pageOrigin = ${JSON.stringify(pageOrigin)};
  const fail = (message) => parent.postMessage({ type: 'worker-error', message }, pageOrigin);
  const isStart = (m) =>
    m.type === 'start' && m.port instanceof MessagePort && m.interruptBuffer instanceof SharedArrayBuffer &&
    m.workerModule instanceof Blob && typeof m.indexURL === 'string' &&
    typeof m.pyodideFiles === 'object' && m.pyodideFiles !== null &&
    Object.values(m.pyodideFiles).every((file) => file instanceof Blob);
  const start = (m) => {
    if (window.credentialless !== true) return fail('the sandbox frame did not get a storage partition of its own (credentialless)');
    if (!crossOriginIsolated) return fail('the sandbox frame is not cross-origin isolated');
    const bootstrap = new Blob([${JSON.stringify(workerBootstrap)}], { type: 'text/javascript' });
    const worker = new Worker(URL.createObjectURL(bootstrap));
    worker.onerror = (event) => fail(String(event.message || ''));
    worker.onmessage = (event) => {
      worker.onmessage = null;
      if (event.data !== 'connect') return;
      const connection = { port: m.port, interruptBuffer: m.interruptBuffer, indexURL: m.indexURL, pyodideFiles: m.pyodideFiles };
      worker.postMessage(connection, [m.port]);
    };
    worker.postMessage(m.workerModule);
  };
  let started = false;
  addEventListener('message', (event) => {
    const m = event.data;
    if (started || event.source !== parent || event.origin !== pageOrigin || typeof m !== 'object' || m === null) return;
    if (!isStart(m)) return;
    started = true;
    start(m);
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
