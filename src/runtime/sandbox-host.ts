import { z } from 'zod';
import { pyodideDataFiles, pyodideModuleFile, workerModuleWithPyodide } from './pyodide-files';
import frameScript from './sandbox-frame.inline.js?raw';
import { type WorkerEndpoint, workerEndpoint } from './worker-lifecycle';

/*
 * Main-thread side of the Python sandbox (threat model: docs/security.md). Each worker lives in its
 * own `<iframe credentialless>`: a storage partition of its own, so user code cannot open the app's
 * IndexedDB, Cache Storage or OPFS or share its BroadcastChannels; a worker, so no DOM; and a CSP
 * without network or eval. The sandbox has no network, so the page fetches the worker module and
 * Pyodide's files (from the precache when offline) and hands them over: Pyodide's module joined to
 * the worker's (pyodide-files.ts), its data files as Blobs. The worker makes no request at all.
 */

export interface SandboxOptions {
  /** The bundled worker module, e.g. `import url from './worker.ts?worker&url'`. */
  workerScriptUrl: string;
  /** Where Pyodide's files are served, with a trailing slash. */
  pyodideBaseUrl: string;
}

type SandboxFiles = Awaited<ReturnType<typeof fetchSandboxFiles>>;

const frameToPageSchema = z.object({ type: z.literal('worker-error'), message: z.string() });

/**
 * Returns a `createWorker` for `createPythonRuntime`. The files are fetched once and shared by every
 * worker it creates (restarts included); a failed fetch is retried by the next worker.
 */
export function sandboxedWorkers(options: SandboxOptions): () => WorkerEndpoint {
  let files: Promise<SandboxFiles> | undefined;
  const loadFiles = () => {
    files ??= fetchSandboxFiles(options).catch((error: unknown) => {
      files = undefined;
      throw error;
    });
    return files;
  };
  return () => createSandboxedWorker(loadFiles());
}

async function fetchSandboxFiles({ workerScriptUrl, pyodideBaseUrl }: SandboxOptions) {
  const fetchOk = async (url: string) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not load ${url} (HTTP ${response.status})`);
    return response;
  };
  const fetchBlob = async (url: string) => (await fetchOk(url)).blob();
  const indexURL = new URL(pyodideBaseUrl, location.href).href;
  const [workerModule, pyodideModule, ...blobs] = await Promise.all([
    fetchBlob(workerScriptUrl),
    fetchOk(indexURL + pyodideModuleFile).then((response) => response.text()),
    ...pyodideDataFiles.map((file) => fetchBlob(indexURL + file)),
  ]);
  return {
    workerModule: workerModuleWithPyodide(pyodideModule, workerModule),
    indexURL,
    pyodideFiles: Object.fromEntries(
      pyodideDataFiles.map((file, index) => [indexURL + file, blobs[index] as Blob]),
    ),
  };
}

/**
 * One frame with one worker. Comlink talks to the worker over `port1`; the frame only starts it.
 *
 * The frame is a `srcdoc`, so it needs no request and works offline, and `credentialless`: it keeps
 * the app's origin, and so the page's process and agent cluster (messages cross no process
 * boundary, the page can share the interrupt buffer), but its storage is a fresh partition that
 * holds nothing of the app's.
 */
function createSandboxedWorker(files: Promise<SandboxFiles>): WorkerEndpoint {
  const channel = new MessageChannel();
  const interruptBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const frame = document.createElement('iframe');
  // Removing the frame ends its worker at once, even one stuck in a loop.
  const endpoint = workerEndpoint(channel.port1, new Int32Array(interruptBuffer), () => {
    removeEventListener('message', onFrameMessage);
    frame.remove();
    channel.port1.close();
  });
  // Before the frame navigates: its document then gets a fresh storage partition.
  frame.setAttribute('credentialless', '');
  // Cross-origin isolation must be delegated to the frame, or its worker gets no SharedArrayBuffer.
  frame.allow = 'cross-origin-isolated';
  frame.hidden = true;
  frame.title = 'Python sandbox';
  frame.srcdoc = sandboxFrameDocument(crypto.randomUUID());

  const onFrameMessage = (event: MessageEvent) => {
    if (event.source !== frame.contentWindow || event.source === null) return;
    const message = frameToPageSchema.safeParse(event.data);
    if (message.success) endpoint.fail(message.data.message); // only the frame's script posts here
  };
  addEventListener('message', onFrameMessage);

  frame.addEventListener(
    'load',
    () => {
      files.then(
        // What the worker needs, once (sandbox-frame.inline.js checks it): the sandbox has no network.
        (sandboxFiles) =>
          frame.contentWindow?.postMessage(
            { type: 'start', port: channel.port2, interruptBuffer, ...sandboxFiles },
            location.origin,
            [channel.port2],
          ),
        (error: unknown) => endpoint.fail(`the Python files could not be loaded: ${String(error)}`),
      );
    },
    { once: true },
  );
  document.body.append(frame);
  return endpoint;
}

/**
 * The worker's Content Security Policy, inherited from the frame's document. The frame starts one
 * worker, from the Blob the page sent (`worker-src blob:`); that Blob holds every script the worker
 * runs, so no script may come from anywhere else, a `blob:` URL included. Eval and `new Function`
 * raise EvalError; WebAssembly compiles. No network at all: `default-src 'none'` covers fetch, XHR,
 * WebSocket, EventSource, WebTransport, fonts and `import()`.
 */
function sandboxPolicy(nonce: string): string {
  return `default-src 'none'; script-src 'nonce-${nonce}' 'wasm-unsafe-eval'; worker-src blob:`;
}

/**
 * The frame's `srcdoc`. `nonce` must be fresh per frame: it lets the frame's one inline script run
 * under the frame's own policy. A `srcdoc` document, and the blob: worker it starts, inherit the app
 * page's policy on top of their own, so that script must be one the page's policy allows by hash
 * (scripts/app-policy.ts): it is fixed text (sandbox-frame.inline.js).
 */
export function sandboxFrameDocument(nonce: string): string {
  return [
    '<!doctype html>',
    `<meta http-equiv="Content-Security-Policy" content="${sandboxPolicy(nonce)}">`,
    `<script nonce="${nonce}">${frameScript}</script>`,
  ].join('\n');
}
