export interface FolderWatchOptions {
  /** Runs one sync; `FolderSync.syncNow` already queues overlapping calls. */
  sync: () => Promise<unknown>;
  /**
   * Starts a native watch (FileSystemObserver) that calls `onChange` when files change, returning
   * how to stop it; `undefined` where there is none, and then the folder is polled instead.
   */
  observe?: (onChange: () => void) => (() => void) | undefined;
  pollIntervalMs: number;
  /** Hears `focus`: a user back from another editor expects its changes to show. `window` in the app. */
  focusTarget?: EventTarget;
  /**
   * Other news of changes: the stores, whose committed changes (saves in the app) are written out,
   * and on the desktop, main's watch of the folder.
   */
  changeSources?: readonly { subscribe(listener: () => void): () => void }[];
  /** Collapses a burst of triggers (a save touching several files, a git checkout) into one sync. */
  debounceMs?: number;
  /** Hears syncs that threw (a folder gone, permission revoked); the watch keeps going. */
  onError?: (error: unknown) => void;
}

/** Keeps a connected folder in sync while the app is open. Returns a stop function. */
export function watchFolder(options: FolderWatchOptions): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    options.sync().catch((error: unknown) => options.onError?.(error));
  };
  const trigger = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, options.debounceMs ?? 200);
  };

  const stops: (() => void)[] = [];
  const stopObserving = options.observe?.(trigger);
  if (stopObserving) {
    stops.push(stopObserving);
  } else {
    const poll = setInterval(trigger, options.pollIntervalMs);
    stops.push(() => clearInterval(poll));
  }
  if (options.focusTarget) {
    const target = options.focusTarget;
    target.addEventListener('focus', trigger);
    stops.push(() => target.removeEventListener('focus', trigger));
  }
  for (const source of options.changeSources ?? []) stops.push(source.subscribe(trigger));

  return () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const stop of stops) stop();
  };
}
