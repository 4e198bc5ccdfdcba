import type { loadPyodide } from 'pyodide';
import { z } from 'zod';
import { parseMessage, sharedArrayBufferSchema } from './protocol';
import { pyodideDataFiles } from './pyodide-files';

/*
 * Worker side of the sandbox handshake (the frame's half is in sandbox-frame.inline.js). The frame
 * posts the connection as soon as it starts the worker and never listens to it, so the worker takes
 * the first message it gets, listening from the moment this module is evaluated (before any await,
 * so the message cannot be dispatched unheard). It keeps the port in this closure, never on a
 * global: user Python sees the worker's globals through `js`, and must not get the port.
 */
const connectionMessage = new Promise<unknown>((resolve) => {
  self.addEventListener('message', (event) => resolve(event.data), { once: true });
});

/*
 * Pyodide's module factory, declared in this module's own scope by the text the page put in front of
 * it (workerModuleWithPyodide, pyodide-files.ts): the worker imports no script. Undeclared when this
 * module runs alone, hence the `typeof` check where it is read.
 */
declare const _createPyodideModule: unknown;

const connectionSchema = z.object({
  port: z.instanceof(MessagePort),
  interruptBuffer: sharedArrayBufferSchema,
  indexURL: z.url(),
  pyodideFiles: z.record(z.string(), z.instanceof(Blob)),
});

type CreatePyodideModule = NonNullable<NonNullable<Parameters<typeof loadPyodide>[0]>['createPyodideModule']>;

/** What `loadPyodide` needs beyond `indexURL` to boot without a network. */
export interface OfflinePyodideOptions {
  /** Pyodide's Emscripten module factory, handed over by the sandbox rather than imported by `loadPyodide`. */
  createPyodideModule: CreatePyodideModule;
}

/** The page's end of Comlink (`port`), the interrupt buffer and how to boot Pyodide offline. */
export async function connectToSandboxHost() {
  const connection = parseMessage(connectionSchema, await connectionMessage, 'sandbox connection');
  const files = new Map(Object.entries(connection.pyodideFiles));
  for (const file of pyodideDataFiles) {
    if (!files.has(connection.indexURL + file))
      throw new Error(`The sandbox connection lacks Pyodide's ${file}`);
  }
  answerFetchesFrom(files);
  if (typeof _createPyodideModule !== 'function')
    throw new Error("The Python worker lacks Pyodide's module factory: its module must begin with Pyodide's");
  const createPyodideModule = _createPyodideModule as CreatePyodideModule;
  const { port, interruptBuffer, indexURL } = connection;
  return { port, interruptBuffer, indexURL, pyodideOptions: { createPyodideModule } };
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
