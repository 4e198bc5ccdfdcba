import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where `pymark build` keeps what it may lose (Python's memory snapshot, build manifests, compiled
 * code), once per user: `$PYMARK_CACHE_DIR`, else `$XDG_CACHE_HOME/pymark`, else `~/.cache/pymark`.
 */
export function defaultCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PYMARK_CACHE_DIR) return env.PYMARK_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pymark');
}
