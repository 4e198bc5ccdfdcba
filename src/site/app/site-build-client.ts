import type { PythonRuntime, RenderItem } from '../../runtime/types';
import type { FolderAdapter } from '../../storage/folder/folder-adapter';
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
  postMessage(message: PageToWorker): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
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
  /** Keep an unknown macro's text in the page with a warning (the default), or fail the build. */
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
      onProgress?: (progress: BuildProgress) => void;
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
  ) {
    worker.addEventListener('message', (event) => this.#receive(event.data));
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
        ...(request.onProgress ? { onProgress: request.onProgress } : {}),
      });
      this.worker.postMessage({
        type: 'build',
        id,
        zip: request.zip,
        folder: request.toFolder ? this.folder.access : 'none',
        allowUnknownMacros: request.allowUnknownMacros ?? true,
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
      // Nothing can be trusted of the worker's work after this: end whatever waits for it.
      for (const waiting of [...this.#waiting.values(), ...this.#exports.values()])
        waiting.reject(error instanceof Error ? error : new Error(String(error)));
      this.#waiting.clear();
      this.#exports.clear();
      return;
    }
    switch (message.type) {
      case 'render':
        void this.#relay(message.requestId, message.items);
        return;
      case 'site-data':
        this.runtime.setSiteData(message.snapshot);
        return;
      case 'folder':
        void this.#runFolderRequest(message.requestId, message.request);
        return;
      case 'progress':
        this.#waiting.get(message.id)?.onProgress?.({
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
        waiting?.resolve({ report: message.report, ...(waiting.zip ? { zip: waiting.zip } : {}) });
        return;
      }
      case 'failed': {
        const waiting = this.#waiting.get(message.id) ?? this.#exports.get(message.id);
        this.#waiting.delete(message.id);
        this.#exports.delete(message.id);
        waiting?.reject(new Error(message.message));
        return;
      }
    }
  }

  async #runFolderRequest(requestId: number, request: FolderRequest): Promise<void> {
    try {
      const folder = this.folder.access === 'page' ? this.folder.current() : undefined;
      const value = await runFolderRequest(folder, request);
      this.worker.postMessage({ type: 'folder-done', requestId, value });
    } catch (error) {
      this.worker.postMessage({
        type: 'folder-failed',
        requestId,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }

  async #relay(requestId: number, items: RenderItem[]): Promise<void> {
    try {
      const outcomes = await this.runtime.renderMany(items);
      this.worker.postMessage({ type: 'rendered', requestId, outcomes });
    } catch (error) {
      this.worker.postMessage({
        type: 'render-failed',
        requestId,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
