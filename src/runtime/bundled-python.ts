import type { PreloadedSource } from './snapshot';

/**
 * Every Python file the app ships, as the worker preloads them before taking a snapshot. A glob
 * rather than a list, so a file added later changes the snapshot key without anyone remembering to.
 */
export const bundledPythonSources: readonly PreloadedSource[] = Object.entries(
  import.meta.glob<string>(['./runner.py', './python/*.py'], {
    query: '?raw',
    import: 'default',
    eager: true,
  }),
).map(([path, source]) => ({ path, source }));
