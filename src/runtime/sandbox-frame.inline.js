/*
 * The sandbox frame's script (sandbox-host.ts, docs/security.md), inlined into the frame's `srcdoc`
 * exactly as written: the app page's Content-Security-Policy allows it by its SHA-256
 * (scripts/app-policy.ts), so it is plain JavaScript that no build step rewrites. It loads nothing
 * from the app: it checks its one message by hand and stays small enough to read whole.
 *
 * It refuses to start a worker unless the browser really gave it a storage partition of its own
 * (`credentialless`) and cross-origin isolation: without them the worker would share the app's
 * storage, or could not be interrupted. It reads nothing its worker sends: it hands the worker its
 * connection up front and has no message listener on it, so the only thing that crosses back is the
 * text of a worker error, which goes to the page as text.
 */
(() => {
  // Credentialless keeps the app's origin, so the frame's own origin is the page's.
  const pageOrigin = self.origin;
  const fail = (message) => parent.postMessage({ type: 'worker-error', message }, pageOrigin);
  const isStart = (m) =>
    m.type === 'start' &&
    m.port instanceof MessagePort &&
    m.interruptBuffer instanceof SharedArrayBuffer &&
    m.workerModule instanceof Blob &&
    typeof m.indexURL === 'string' &&
    typeof m.pyodideFiles === 'object' &&
    m.pyodideFiles !== null &&
    Object.values(m.pyodideFiles).every((file) => file instanceof Blob);
  const start = (m) => {
    if (window.credentialless !== true)
      return fail('the sandbox frame did not get a storage partition of its own (credentialless)');
    if (!crossOriginIsolated) return fail('the sandbox frame is not cross-origin isolated');
    // A blob: worker inherits this document's policy, which a worker loaded from a URL would not.
    const worker = new Worker(URL.createObjectURL(m.workerModule), { type: 'module' });
    worker.onerror = (event) => fail(String(event.message || 'the Python worker failed to start'));
    const connection = {
      port: m.port,
      interruptBuffer: m.interruptBuffer,
      indexURL: m.indexURL,
      pyodideFiles: m.pyodideFiles,
    };
    worker.postMessage(connection, [m.port]);
  };
  let started = false;
  addEventListener('message', (event) => {
    const m = event.data;
    if (started || event.source !== parent || event.origin !== pageOrigin) return;
    if (typeof m !== 'object' || m === null || !isStart(m)) return;
    started = true;
    start(m);
  });
})();
