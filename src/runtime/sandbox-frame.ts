/*
 * The document of the sandbox frame (see sandbox-host.ts). It is a `srcdoc`, so it needs no request
 * and works offline. The frame is `credentialless`: it keeps the app's origin, and so the page's
 * process and agent cluster (messages cross no process boundary, the page can share the interrupt
 * buffer), but its storage is a fresh partition that holds nothing of the app's.
 *
 * A `srcdoc` document, and the blob: worker it starts, inherit the app page's policy on top of their
 * own, so the frame's script must be one the page's policy allows by hash: it is fixed text
 * (sandbox-frame.inline.js).
 */
import frameScript from './sandbox-frame.inline.js?raw';

/** What the page sends the frame, once: what the worker needs, since the sandbox has no network. */
export interface SandboxStart {
  type: 'start';
  /** The worker's end of the page's MessageChannel; Comlink runs on it, so calls skip the frame. */
  port: MessagePort;
  /** Pyodide's interrupt buffer, written by the page (Stop, time limits) and read by the worker. */
  interruptBuffer: SharedArrayBuffer;
  /**
   * The bundled worker module (`worker.ts`) behind Pyodide's module (pyodide-files.ts), started as a
   * module worker from a Blob.
   */
  workerModule: Blob;
  /** Pyodide's `indexURL` and its data files there, answered from memory inside the worker. */
  indexURL: string;
  pyodideFiles: Record<string, Blob>;
}

/** The frame's script, as inlined; the app page's policy lists its SHA-256 (scripts/app-policy.ts). */
export const sandboxFrameScript: string = frameScript;

/**
 * The worker's Content Security Policy, inherited from this document. The frame starts one worker,
 * from the Blob the page sent (`worker-src blob:`); that Blob holds every script the worker runs, so
 * no script may come from anywhere else, a `blob:` URL included. Eval and `new Function` raise
 * EvalError; WebAssembly compiles. No network at all: `default-src 'none'` covers fetch, XHR,
 * WebSocket, EventSource, WebTransport, fonts and `import()`.
 */
export function sandboxPolicy(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}' 'wasm-unsafe-eval'; worker-src blob:`;
}

/**
 * The frame's `srcdoc`. `nonce` must be fresh per frame: it lets the frame's one inline script run
 * under the frame's own policy (the page's allows it by hash).
 */
export function sandboxFrameDocument(nonce: string): string {
  return [
    '<!doctype html>',
    `<meta http-equiv="Content-Security-Policy" content="${sandboxPolicy(nonce)}">`,
    `<script nonce="${nonce}">${sandboxFrameScript}</script>`,
  ].join('\n');
}
