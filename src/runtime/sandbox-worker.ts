import type { Endpoint } from 'comlink';
import type { loadPyodide } from 'pyodide';
import { z } from 'zod';
import { parseMessage, sharedArrayBufferSchema } from './protocol';
import { pyodideFiles } from './pyodide-files';

/*
 * Worker side of the sandbox handshake (the frame's half is in sandbox-frame.ts). The worker asks the
 * frame for its connection once its module has loaded, and keeps the port in this closure, never on
 * a global: user Python sees the worker's globals through `js`, and must not get the port.
 */

const connectionSchema = z.object({
  port: z.instanceof(MessagePort),
  interruptBuffer: sharedArrayBufferSchema,
  indexURL: z.url(),
  pyodideFiles: z.record(z.string(), z.instanceof(Blob)),
});

type CreatePyodideModule = NonNullable<NonNullable<Parameters<typeof loadPyodide>[0]>['createPyodideModule']>;

/** What `loadPyodide` needs beyond `indexURL` to boot without a network. */
export interface OfflinePyodideOptions {
  /** Pyodide's Emscripten module factory, imported from its Blob instead of by URL. */
  createPyodideModule: CreatePyodideModule;
}

const pyodideModuleSchema = z.object({
  default: z.custom<CreatePyodideModule>((value) => typeof value === 'function', 'expected a function'),
});

export interface SandboxConnection {
  /** The page's end of Comlink. */
  endpoint: Endpoint;
  /** Pyodide's interrupt buffer, shared with the page, which writes SIGINT into it. */
  interruptBuffer: SharedArrayBuffer;
  indexURL: string;
  pyodideOptions: OfflinePyodideOptions;
}

export async function connectToSandboxHost(): Promise<SandboxConnection> {
  const message = await new Promise<unknown>((resolve) => {
    self.addEventListener('message', (event) => resolve(event.data), { once: true });
    self.postMessage('connect');
  });
  const connection = parseMessage(connectionSchema, message, 'sandbox connection');
  const files = new Map(Object.entries(connection.pyodideFiles));
  for (const file of pyodideFiles) {
    if (!files.has(connection.indexURL + file))
      throw new Error(`The sandbox connection lacks Pyodide's ${file}`);
  }
  answerFetchesFrom(files);
  const moduleBlob = files.get(`${connection.indexURL}pyodide.asm.mjs`) as Blob;
  const pyodideModule: unknown = await import(/* @vite-ignore */ URL.createObjectURL(moduleBlob));
  const createPyodideModule = parseMessage(pyodideModuleSchema, pyodideModule, 'Pyodide module').default;
  return {
    endpoint: connection.port,
    interruptBuffer: connection.interruptBuffer,
    indexURL: connection.indexURL,
    pyodideOptions: { createPyodideModule },
  };
}

/**
 * The sandbox's CSP allows no network, so Pyodide's boot-time fetches (wasm, stdlib, lock file) are
 * answered from the Blobs the page sent. Anything else is refused; lockdown removes `fetch` later.
 */
function answerFetchesFrom(files: Map<string, Blob>): void {
  self.fetch = async (input) => {
    const url = input instanceof Request ? input.url : String(input);
    const file = files.get(url);
    if (!file) throw new TypeError(`The Python sandbox has no network (${url})`);
    return new Response(file);
  };
}
