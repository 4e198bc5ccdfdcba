import { z } from 'zod';
import type { PythonRuntime, RenderItem } from '../../runtime/types';
import type { FolderAdapter } from '../../storage/folder/folder-adapter';
import { animationFrames, type FrameScheduler, LatestPerFrame } from './build-progress';
import {
  type BuildPhase,
  type BuildReport,
  checkMessage,
  type FolderRequest,
  type PageToWorker,
  type WorkerToPage,
  workerToPageSchema,
} from './build-protocol';
import { runFolderRequest } from './folder-relay';

/** What the client needs of the site build worker: a `Worker`, or a stand-in in tests. */
export interface BuildWorkerEndpoint {
  postMessage(message: PageToWorker, transfer?: Transferable[]): void;
  /** `error`: the worker failed to load (an old chunk gone after an update) or died outside a message. */
  addEventListener(type: 'message' | 'error', listener: (event: Event) => void): void;
}

/**
 * The site build worker, started by the first message the page sends it (a build or an export).
 * Started with the app, its module (760 kB) took about a second of CPU while Python booted from its
 * snapshot on the same two cores; most visits never build. One that fails is left behind, and the
 * next message starts another.
 */
export function startedOnFirstMessage(start: () => BuildWorkerEndpoint): BuildWorkerEndpoint {
  let worker: BuildWorkerEndpoint | undefined;
  const listeners: [type: 'message' | 'error', listener: (event: Event) => void][] = [];
  return {
    postMessage(message, transfer) {
      if (!worker) {
        const started = start();
        worker = started;
        started.addEventListener('error', () => {
          if (worker === started) worker = undefined;
        });
        for (const [type, listener] of listeners) started.addEventListener(type, listener);
      }
      worker.postMessage(message, transfer);
    },
    addEventListener(type, listener) {
      listeners.push([type, listener]);
      worker?.addEventListener(type, listener);
    },
  };
}

export interface BuildProgress {
  phase: BuildPhase;
  done: number;
  total: number;
}

export interface BuildRequest {
  /** Write into the connected folder's `site/`, when one is connected. */
  toFolder: boolean;
  /** Also make the site's zip (Download site). */
  zip: boolean;
  /** Keep an unknown macro's text in the page with a warning, or fail the build; absent: the engine's default. */
  allowUnknownMacros?: boolean;
  onProgress?: (progress: BuildProgress) => void;
}

/**
 * How the worker reaches the connected folder: `handle`, the directory handle it loads itself (the
 * browser); `page`, this page's folder adapter, through requests the client answers (the desktop
 * build, whose folder only the page's bridge to Electron's main process reaches).
 */
export type PageFolder = { access: 'handle' } | { access: 'page'; current: () => FolderAdapter | undefined };

export interface BuildAnswer {
  report: BuildReport;
  zip?: Blob;
}

/**
 * The page's side of the site build worker (site-build-worker.ts explains the split): starts builds,
 * passes progress on, relays the worker's macro batches to the app's Python runtime and its site
 * data, and answers with the report. One build at a time: the worker's memo is shared by all.
 */
export class SiteBuildClient {
  #nextId = 1;
  readonly #waiting = new Map<
    number,
    {
      resolve: (answer: BuildAnswer) => void;
      reject: (error: Error) => void;
      /** The build's progress, at most one a frame (build-progress.ts). */
      progress?: LatestPerFrame<BuildProgress>;
      zip?: Blob;
    }
  >();
  readonly #exports = new Map<number, { resolve: (zip: Blob) => void; reject: (error: Error) => void }>();
  #activeId: number | undefined;

  constructor(
    private readonly worker: BuildWorkerEndpoint,
    private readonly runtime: Pick<PythonRuntime, 'renderMany' | 'setSiteData'>,
    /** Called after a build handed the runtime the site's data, so the preview can take its own back. */
    private readonly afterBuild: () => void = () => {},
    private readonly folder: PageFolder = { access: 'handle' },
    /** When progress is shown: before the next paint (tests pass a manual clock). */
    private readonly frames: FrameScheduler = animationFrames,
  ) {
    worker.addEventListener('message', (event) => this.#receive((event as MessageEvent<unknown>).data));
    // Nothing the worker had will answer: its builds and exports fail, and `building` ends.
    worker.addEventListener('error', (event) => {
      const message = (event as Partial<ErrorEvent>).message;
      const reason = typeof message === 'string' && message !== '' ? message : 'it failed to start';
      this.#abandonAll(new Error(`The site build worker stopped: ${reason}`));
    });
  }

  get building(): boolean {
    return this.#activeId !== undefined;
  }

  build(request: BuildRequest): Promise<BuildAnswer> {
    if (this.#activeId !== undefined) return Promise.reject(new Error('A build is already running.'));
    const id = this.#nextId++;
    this.#activeId = id;
    return new Promise<BuildAnswer>((resolve, reject) => {
      this.#waiting.set(id, {
        resolve,
        reject,
        ...(request.onProgress ? { progress: new LatestPerFrame(request.onProgress, this.frames) } : {}),
      });
      this.worker.postMessage({
        type: 'build',
        id,
        zip: request.zip,
        folder: request.toFolder ? this.folder.access : 'none',
        allowUnknownMacros: request.allowUnknownMacros,
      });
    }).finally(() => {
      if (this.#activeId === id) this.#activeId = undefined;
      this.afterBuild();
    });
  }

  /** Stops the running build before it writes anything; once writing, it finishes (the site stays whole). */
  cancel(): void {
    if (this.#activeId !== undefined) this.worker.postMessage({ type: 'cancel', id: this.#activeId });
  }

  /** Every file of the project as a zip (Export project); `fromFolder`: templates and assets too. */
  exportProject(fromFolder: boolean): Promise<Blob> {
    const id = this.#nextId++;
    return new Promise<Blob>((resolve, reject) => {
      this.#exports.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'export', id, folder: fromFolder ? this.folder.access : 'none' });
    });
  }

  #receive(data: unknown): void {
    let message: WorkerToPage;
    try {
      message = checkMessage(workerToPageSchema, data, 'the site build worker');
    } catch (error) {
      this.#abandonAll(error);
      return;
    }
    switch (message.type) {
      case 'render':
        void this.#relay(message.requestId, message.items);
        return;
      case 'site-data':
        // The runtime checks the snapshot against the ABI (build-protocol.ts says why not here too).
        try {
          this.runtime.setSiteData(message.snapshot);
        } catch (error) {
          const why = error instanceof z.ZodError ? z.prettifyError(error) : describe(error);
          this.#abandonAll(new Error(`Unexpected site data from the site build worker: ${why}`));
        }
        return;
      case 'folder':
        void this.#runFolderRequest(message.requestId, message.request);
        return;
      case 'progress':
        this.#waiting.get(message.id)?.progress?.offer({
          phase: message.phase,
          done: message.done,
          total: message.total,
        });
        return;
      case 'zip': {
        const exported = this.#exports.get(message.id);
        this.#exports.delete(message.id);
        exported?.resolve(message.blob);
        const waiting = this.#waiting.get(message.id);
        if (waiting) waiting.zip = message.blob;
        return;
      }
      case 'finished': {
        const waiting = this.#waiting.get(message.id);
        this.#waiting.delete(message.id);
        waiting?.progress?.drop();
        waiting?.resolve({ report: message.report, ...(waiting.zip ? { zip: waiting.zip } : {}) });
        return;
      }
      case 'failed': {
        const building = this.#waiting.get(message.id);
        building?.progress?.drop();
        const waiting = building ?? this.#exports.get(message.id);
        this.#waiting.delete(message.id);
        this.#exports.delete(message.id);
        waiting?.reject(new Error(message.message));
        return;
      }
    }
  }

  /** Nothing can be trusted of the worker's work after `error`: ends whatever waits for it. */
  #abandonAll(error: unknown): void {
    for (const waiting of this.#waiting.values()) waiting.progress?.drop();
    for (const waiting of [...this.#waiting.values(), ...this.#exports.values()])
      waiting.reject(error instanceof Error ? error : new Error(String(error)));
    this.#waiting.clear();
    this.#exports.clear();
  }

  async #runFolderRequest(requestId: number, request: FolderRequest): Promise<void> {
    try {
      const folder = this.folder.access === 'page' ? this.folder.current() : undefined;
      const value = await runFolderRequest(folder, request);
      // A file read for the worker is the worker's: moved, not copied (the page keeps no use for it).
      const transfer = value instanceof Uint8Array ? ownBuffer(value) : [];
      this.worker.postMessage({ type: 'folder-done', requestId, value }, transfer);
    } catch (error) {
      this.worker.postMessage({ type: 'folder-failed', requestId, message: describe(error) });
    }
  }

  async #relay(requestId: number, items: RenderItem[]): Promise<void> {
    try {
      const outcomes = await this.runtime.renderMany(items);
      this.worker.postMessage({ type: 'rendered', requestId, value: outcomes });
    } catch (error) {
      this.worker.postMessage({ type: 'render-failed', requestId, message: describe(error) });
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The buffer under `bytes` when they are all of it (so moving it moves nothing else), as a transfer list. */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer[] {
  const { buffer } = bytes;
  return buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength
    ? [buffer]
    : [];
}
