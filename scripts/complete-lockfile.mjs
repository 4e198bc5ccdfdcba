/**
 * Adds lock entries for other platforms' optional binaries (@biomejs/cli-*, @rollup/rollup-*, …).
 *
 * The only registry this project's machines reach serves just this platform's binaries, so `npm install`
 * writes a lock without the others, and `npm ci` then refuses it as out of sync with package.json. An
 * entry with the version and the platform it is for is all `npm ci` needs: it skips a package whose
 * os/cpu/libc does not match, and tolerates a failed optional fetch. Run `npm run lock:complete` after any
 * change to dependencies.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const operatingSystems = new Set([
  'aix',
  'android',
  'darwin',
  'freebsd',
  'linux',
  'netbsd',
  'openbsd',
  'openharmony',
  'sunos',
  'win32',
]);
const cpus = new Set(['arm', 'arm64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'x64']);

/** `@rollup/rollup-linux-arm-musleabihf` → { os: linux, cpu: arm, libc: musl }. */
function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((part) => operatingSystems.has(part));
  const cpu = parts.find((part) => cpus.has(part));
  const libc = parts.some((part) => part.startsWith('musl')) ? 'musl' : os === 'linux' ? 'glibc' : undefined;
  return { ...(os && { os: [os] }), ...(cpu && { cpu: [cpu] }), ...(libc && { libc: [libc] }) };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const hoisted = `node_modules/${name}`;
    const nested = `${path}/node_modules/${name}`;
    if (packages[hoisted] || packages[nested]) continue;
    packages[hoisted] = {
      version: range.replace(/^[\^~=]/, ''),
      ...(entry.dev && { dev: true }),
      optional: true,
      ...platformOf(name),
    };
    added++;
  }
}

// npm keeps `packages` sorted by path with the root ("") first; keep diffs to what was added.
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: added ${added} entries for other platforms' optional packages`);
