import type { PyodideAPI } from 'pyodide';

/*
 * The wall between scripts (docs/security.md, "One script, one call"): the interpreter's whole
 * WebAssembly memory, copied at a checkpoint and written back before another script runs. A script
 * can change anything in its interpreter, its own reset included; it cannot reach this copy, which
 * lives in JavaScript outside the memory it can address. What Pyodide keeps outside that memory and
 * that must match it (the table of JavaScript values Python refers to, the finalizers of proxies, the
 * file system, which is JavaScript's) is saved and put back beside it.
 */

/** The parts of Pyodide's Emscripten module the wall reads and writes. */
interface EmscriptenModule {
  HEAPU8: Uint8Array;
  /** The JavaScript value in slot `index` of hiwire's table; traps past its end. */
  __hiwire_get(index: number): unknown;
  __hiwire_set(index: number, value: unknown): number;
  /** The JavaScript value in slot `index` of hiwire's table of values that are never freed. */
  __hiwire_immortal_get(index: number): unknown;
  finalizationRegistry: ProxyFinalizers;
  /** The heap's current end (dlmalloc's sbrk). */
  _sbrk(increment: number): number;
  /** The class of Pyodide's proxies of a Python object with these type flags; Pyodide calls it for each proxy. */
  getPyProxyClass(flags: number): { prototype: { getBuffer?: (...args: unknown[]) => unknown } };
  /** Grows the memory to at least `bytes` and renews Emscripten's views of it; falsy if it could not. */
  growMemory(bytes: number): number | undefined;
  /** Dynamic libraries loaded so far: one loaded after the checkpoint lives in memory the restore takes back. */
  LDSO: { loadedLibsByName: Record<string, unknown> };
}

interface ProxyFinalizers {
  register(target: object, held: unknown, token?: object): void;
  unregister(token: object): unknown;
}

interface EmscriptenFileSystem {
  readdir(path: string): string[];
  lstat(path: string): { mode: number };
  lookupPath(path: string, options: { follow: false }): { node: object };
  isDir(mode: number): boolean;
  unlink(path: string): void;
  rmdir(path: string): void;
  cwd(): string;
  chdir(path: string): void;
  close(stream: unknown): void;
  streams: unknown[];
  filesystems: { MEMFS: MemoryFileSystem };
}

type FileNode = object;

/** Emscripten's in-memory file system: the operations that change a file that exists. */
interface MemoryFileSystem {
  /** What msync writes back with; a copy of it is each file stream's `write`. */
  stream_ops: { write(stream: { node: FileNode }, ...rest: unknown[]): number };
  /** Each file's own operations: `setattr` sets its times, mode and size (utime, chmod, truncate). */
  ops_table: {
    file: {
      node: { setattr(node: FileNode, attributes: unknown): void };
      stream: { write(stream: { node: FileNode }, ...rest: unknown[]): number };
    };
  };
}

/** Not listed: its entries (one per open file descriptor) are made anew at each look-up. */
const unlistedDirectories = new Set(['/proc']);

/** A call that changed what the wall cannot put back: the page replaces the worker (call-executor.ts). */
export class IsolationBroken extends Error {}

export interface MemoryWall {
  /** Records the interpreter as every script starts from it. Only between calls: no Python frame live. */
  checkpoint(): void;
  /**
   * Puts back what the last checkpoint recorded; throws IsolationBroken if it cannot. Between calls
   * only. `resetHost` puts the worker's globals back once no more of the script's code can run.
   */
  restore(resetHost?: () => void): void;
}

export function memoryWall(pyodide: PyodideAPI): MemoryWall {
  const module = (pyodide as unknown as { _module: EmscriptenModule })._module;
  const fileSystem = pyodide.FS as unknown as EmscriptenFileSystem;
  const finalizers = module.finalizationRegistry;
  const changedFiles = watchFileChanges(fileSystem.filesystems.MEMFS);
  const views = watchMemoryViews(module);
  /** The tokens of the proxies registered since the checkpoint: their objects are not in its memory. */
  const registeredSince = new Set<object>();
  /**
   * How to end each JavaScript function or iterator registered since the checkpoint that holds a raw
   * address instead of a proxy's `ptr` (Pyodide's once-callables and its iterators of Python
   * iterables): called after the restore, it would reach into memory that no longer holds its object.
   */
  const endings = new Map<object, Ending>();
  // Pyodide looks its registry up on Module at each use, so every proxy registers here from now on.
  module.finalizationRegistry = {
    register(target, held, token) {
      finalizers.register(target, held, token);
      if (!token) return;
      registeredSince.add(token);
      const ending = endingOf(target, token);
      if (ending) endings.set(token, ending);
    },
    unregister(token) {
      registeredSince.delete(token);
      endings.delete(token);
      return finalizers.unregister(token);
    },
  };
  let saved: Checkpoint | undefined;

  return {
    checkpoint() {
      const heapEnd = module._sbrk(0);
      const hiwire = tableSlots(module.__hiwire_get);
      saved = {
        // The last copy's buffer when it fits: a fresh 25 MB buffer costs several times the copy.
        heap: copyInto(saved?.heap, module.HEAPU8.subarray(0, heapEnd)),
        hiwire,
        maps: [...hiwire, ...tableSlots(module.__hiwire_immortal_get)].filter(isMap).map((map) => ({
          map,
          entries: [...map],
        })),
        libraries: Object.keys(module.LDSO.loadedLibsByName).length,
        files: listFiles(fileSystem),
        streams: new Set(fileSystem.streams.flatMap((stream, fd) => (stream ? [fd] : []))),
        cwd: fileSystem.cwd(),
      };
      registeredSince.clear();
      endings.clear();
      changedFiles.clear();
      views.handedOut = false;
      views.buffers.clear();
    },
    restore(resetHost) {
      if (!saved) throw new IsolationBroken('the interpreter has no checkpoint');
      if (Object.keys(module.LDSO.loadedLibsByName).length !== saved.libraries)
        throw new IsolationBroken('a script loaded a library that cannot be unloaded');
      // Ended while their objects are still there. Ending one can run the script's code (its
      // objects' __del__), which can make more of them (visited too) or change the worker's globals.
      for (const [token, end] of endings) {
        if (end === 'cannot be ended in time')
          throw new IsolationBroken('a script left a Python async iterator open in JavaScript');
        try {
          end();
        } catch {
          // Ended all the same (a generator's `return` ends it even when its cleanup throws).
        }
        endings.delete(token);
      }
      resetHost?.();
      // A finalizer or a call of a proxy made since would reach into memory that is about to change.
      for (const token of registeredSince) {
        finalizers.unregister(token);
        const shared = token as { ptr?: unknown };
        if (typeof shared.ptr === 'number') shared.ptr = 0; // its proxies now say they were destroyed
      }
      registeredSince.clear();
      // A view of the memory a script handed to JavaScript would see, and write into, the next script's.
      detachViews(module, views);
      const heap = module.HEAPU8;
      heap.set(saved.heap);
      // dlmalloc takes the memory past the heap's end to be zero, as fresh memory is.
      heap.fill(0, saved.heap.length);
      const slots = tableSlots(module.__hiwire_get).length;
      for (let index = 0; index < slots; index++) module.__hiwire_set(index, saved.hiwire[index]);
      // Maps the memory refers to, such as the one that gives a JavaScript object the same reference
      // each time it enters Python: one that named a reference made since would reuse a freed slot.
      for (const { map, entries } of saved.maps) {
        map.clear();
        for (const [key, value] of entries) map.set(key, value);
      }
      restoreFiles(fileSystem, saved, changedFiles);
    },
  };
}

/**
 * Ends a function or iterator of Pyodide's that holds a raw address, or says that it cannot be: an
 * async generator's `return` ends it only in a later microtask, after the restore, and its cleanup
 * then releases its object's address in the memory put back.
 */
type Ending = (() => void) | 'cannot be ended in time';

const generatorReturn = Object.getPrototypeOf(Object.getPrototypeOf((function* () {})())).return as (
  this: Generator,
) => unknown;
const brand = (value: object) => Object.prototype.toString.call(value);

/** How to end `target` (registered with `token`) if it holds a raw address; read when Pyodide made it. */
function endingOf(target: object, token: object): Ending | undefined {
  if (typeof (token as { ptr?: unknown }).ptr === 'number') return undefined; // a proxy: its ptr is zeroed
  if (brand(target) === '[object Generator]') return () => generatorReturn.call(target as Generator);
  if (brand(target) === '[object AsyncGenerator]') return 'cannot be ended in time';
  // create_once_callable's function: its own destroy, as Pyodide set it before the script could.
  const destroy = (target as { destroy?: unknown }).destroy;
  if (typeof destroy === 'function') return () => destroy.call(target);
  return undefined;
}

interface Checkpoint {
  heap: Uint8Array;
  hiwire: unknown[];
  maps: { map: Map<unknown, unknown>; entries: [unknown, unknown][] }[];
  libraries: number;
  files: FileListing;
  /** The file descriptors open at the checkpoint; Python's file objects of any other are gone. */
  streams: Set<number>;
  cwd: string;
}

function copyInto(previous: Uint8Array | undefined, source: Uint8Array): Uint8Array {
  if (previous?.length !== source.length) return source.slice();
  previous.set(source);
  return previous;
}

const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get!;

/** Whether `value` is a Map: a brand check, which runs no trap of a proxy (the lockdown's globals are some). */
function isMap(value: unknown): value is Map<unknown, unknown> {
  try {
    mapSize.call(value);
    return true;
  } catch {
    return false;
  }
}

/** The values of one of hiwire's tables, read with `get` up to the table's end. */
function tableSlots(get: (index: number) => unknown): unknown[] {
  const slots: unknown[] = [];
  for (;;) {
    try {
      slots.push(get(slots.length));
    } catch {
      return slots; // past the table's end
    }
  }
}

const wasmPageBytes = 65_536;
/** Pyodide's type flag of a Python object that has the buffer protocol (its proxies' `getBuffer`). */
const bufferFlag = 128;

/** The buffers a proxy's `getBuffer` gave since the checkpoint. */
interface HandedViews {
  handedOut: boolean;
  /** Each holds a raw address that its `release()` frees unless its `_released` is true. */
  buffers: Set<object>;
}

/**
 * Records each buffer a proxy's `getBuffer` gives: its `data` is a typed array over the memory's own
 * buffer. Pyodide looks a proxy's class up on Module for every proxy it makes, cached or not, so each
 * class is wrapped before any proxy of it made from now on can be used.
 */
function watchMemoryViews(module: EmscriptenModule): HandedViews {
  const views: HandedViews = { handedOut: false, buffers: new Set() };
  const proxyClass = module.getPyProxyClass;
  const watched = new WeakSet<object>();
  module.getPyProxyClass = (flags) => {
    const made = proxyClass(flags);
    const getBuffer = made.prototype.getBuffer;
    if (flags & bufferFlag && getBuffer && !watched.has(made)) {
      watched.add(made);
      made.prototype.getBuffer = function (this: unknown, ...args: unknown[]) {
        views.handedOut = true;
        const buffer = getBuffer.apply(this, args);
        if (typeof buffer === 'object' && buffer !== null) views.buffers.add(buffer);
        return buffer;
      };
    }
    return made;
  };
  return views;
}

/**
 * Marks each buffer released, so that a later `release()` frees nothing in the memory put back, and
 * detaches every view of the memory by growing it a page (Emscripten renews its own views).
 */
function detachViews(module: EmscriptenModule, views: HandedViews): void {
  if (!views.handedOut) return;
  for (const buffer of views.buffers) {
    try {
      Object.defineProperty(buffer, '_released', { value: true });
    } catch {
      throw new IsolationBroken('a script kept a buffer of the memory from being released');
    }
  }
  views.buffers.clear();
  if (!module.growMemory(module.HEAPU8.length + wasmPageBytes))
    throw new IsolationBroken('a script holds a view of the memory, which could not be detached');
  views.handedOut = false;
}

interface FileListing {
  /** Each file's (and symbolic link's) node, by path: the same path on another node was replaced. */
  files: Map<string, FileNode>;
  /** Every directory, each before what it holds. */
  directories: string[];
}

/**
 * Records each file a write, msync, truncate, utime or chmod reaches, through Emscripten's own
 * operations, which Python cannot reach: a file's size and times say nothing, as utime sets them.
 */
function watchFileChanges(memfs: MemoryFileSystem): Set<FileNode> {
  const changed = new Set<FileNode>();
  for (const operations of [memfs.stream_ops, memfs.ops_table.file.stream]) {
    const write = operations.write;
    operations.write = (stream, ...rest) => {
      changed.add(stream.node);
      return write(stream, ...rest);
    };
  }
  const fileOperations = memfs.ops_table.file.node;
  const setattr = fileOperations.setattr;
  fileOperations.setattr = (node, attributes) => {
    changed.add(node);
    setattr(node, attributes);
  };
  return changed;
}

/** The whole tree, without following symbolic links (one to a directory above it would loop). */
function listFiles(fileSystem: EmscriptenFileSystem): FileListing {
  const listing: FileListing = { files: new Map(), directories: [] };
  const visit = (directory: string) => {
    listing.directories.push(directory);
    for (const name of fileSystem.readdir(directory)) {
      if (name === '.' || name === '..') continue;
      const path = `${directory === '/' ? '' : directory}/${name}`;
      if (unlistedDirectories.has(path)) continue;
      if (fileSystem.isDir(fileSystem.lstat(path).mode)) visit(path);
      else listing.files.set(path, fileSystem.lookupPath(path, { follow: false }).node);
    }
  };
  visit('/');
  return listing;
}

/**
 * The file system is JavaScript's, not in the memory: files and directories a script made are
 * removed, its open files closed. One it changed, replaced or removed cannot be put back (no copy
 * is kept).
 */
function restoreFiles(fileSystem: EmscriptenFileSystem, saved: Checkpoint, changed: Set<FileNode>): void {
  fileSystem.streams.forEach((stream, fd) => {
    if (stream && !saved.streams.has(fd)) fileSystem.close(stream);
  });
  fileSystem.chdir(saved.cwd);
  const current = listFiles(fileSystem);
  for (const [path, node] of current.files) {
    const recorded = saved.files.files.get(path);
    if (recorded === undefined) fileSystem.unlink(path);
    else if (recorded !== node || changed.has(node)) throw new IsolationBroken(`a script changed ${path}`);
  }
  for (const path of saved.files.files.keys())
    if (!current.files.has(path)) throw new IsolationBroken(`a script removed ${path}`);
  const kept = new Set(saved.files.directories);
  for (const directory of current.directories.reverse())
    if (!kept.has(directory)) fileSystem.rmdir(directory);
  changed.clear();
}
