/*
 * Defence in depth for the sandbox (docs/security.md). The frame's own storage partition and the CSP
 * already keep the app's storage and the network out of reach; after boot, the worker also loses
 * every global that reaches outside it, so a script finds nothing to call and fails with a plain
 * AttributeError instead of relying on the browser. Pyodide keeps working: it needs none of these
 * once booted.
 */

/** Network, storage, other workers, message loops and the frame. `postMessage` and `close` are the frame's worker object. */
const escapeGlobals = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'EventSource',
  'WebTransport',
  'importScripts',
  'Worker',
  'SharedWorker',
  'BroadcastChannel',
  // Pyodide made its own channel as it loaded. A script's ports answering each other loop for good,
  // past the end of its call, where no timer reset reaches (docs/security.md).
  'MessageChannel',
  'indexedDB',
  'caches',
  'postMessage',
  'close',
  // Chromium's old sandboxed file system, still reachable from a worker beside OPFS.
  'webkitRequestFileSystem',
  'webkitRequestFileSystemSync',
  'webkitResolveLocalFileSystemURL',
  'webkitResolveLocalFileSystemSyncURL',
] as const;

/**
 * Storage, other-context and device handles hung off `navigator`: storage buckets are storage the
 * partition would keep; USB, HID, serial, Bluetooth and the GPU reach hardware no script needs.
 */
const escapeNavigatorProperties = [
  'storage',
  'storageBuckets',
  'locks',
  'serviceWorker',
  'usb',
  'hid',
  'serial',
  'bluetooth',
  'gpu',
] as const;

/** Removes the globals above; throws if one survives, so a worker that is not locked down never runs scripts. */
export function lockDown(): void {
  for (const name of escapeGlobals) removeEverywhere(globalThis, name);
  for (const name of escapeNavigatorProperties) removeEverywhere(navigator, name);
  const survivors = [
    ...escapeGlobals.filter((name) => name in globalThis),
    ...escapeNavigatorProperties.filter((name) => name in navigator).map((name) => `navigator.${name}`),
  ];
  if (survivors.length > 0) throw new Error(`The Python sandbox could not remove ${survivors.join(', ')}`);
}

/** Deletes `name` from `target` and its prototype chain (Web IDL puts some on the object, some on prototypes). */
function removeEverywhere(target: object, name: string): void {
  for (let object: object | null = target; object !== null; object = Object.getPrototypeOf(object)) {
    if (Object.hasOwn(object, name)) Reflect.deleteProperty(object, name);
  }
}
