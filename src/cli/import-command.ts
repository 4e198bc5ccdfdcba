import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseSidecar } from '../core/media-file';
import { parsePostFile } from '../core/post-file';
import {
  type ImportReport,
  importReferenceProject,
  type ReferenceFile,
  type ReportEntry,
} from '../core/reference-import';
import { parseScriptFile } from '../core/script-file';
import { type FolderAdapter, listFilesBelow } from '../storage/folder/folder-adapter';
import { NodeFsFolder } from '../storage/folder/node-fs-folder';
import { readReferenceFolder } from '../storage/folder/reference-folder';

/*
 * `npx pymark import <reference folder> [--into <pymark folder>] [--dry-run]`: copies a reference
 * desktop app project's scripts, posts and media into a Pymark project folder (the layout folder
 * sync reads: scripts/<slug>.py, posts/<slug>.md, media/<yyyy>/<mm>/<file> with <file>.yml), never
 * over a file already there, and prints what was taken, converted and left. The mapping itself is
 * src/core/reference-import.ts.
 */

export interface ImportCommandIo {
  /** The folder relative paths are resolved against. */
  cwd: string;
  out(line: string): void;
  err(line: string): void;
  now?: () => string;
  newId?: () => string;
}

export const importUsage =
  'Usage: pymark import <reference project folder> [--into <pymark folder>] [--dry-run]';

interface ImportArgs {
  source: string;
  target: string;
  dryRun: boolean;
}

function parseArgs(args: readonly string[], cwd: string): ImportArgs | string {
  const positional: string[] = [];
  let into: string | undefined;
  let dryRun = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--into') {
      into = args[++index];
      if (into === undefined) return '--into needs a folder';
    } else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else positional.push(arg);
  }
  if (positional.length !== 1) return 'give exactly one reference project folder';
  return { source: resolve(cwd, positional[0]!), target: resolve(cwd, into ?? '.'), dryRun };
}

/** Runs the command; resolves to the process exit code. */
export async function runImportCommand(args: readonly string[], io: ImportCommandIo): Promise<number> {
  const parsed = parseArgs(args, io.cwd);
  if (typeof parsed === 'string') {
    io.err(`pymark import: ${parsed}`);
    io.err(importUsage);
    return 2;
  }
  let files: ReferenceFile[];
  try {
    // The walk finds nothing in a missing folder; this says it is missing.
    if (!(await stat(parsed.source)).isDirectory()) throw new Error('not a folder');
    files = await readReferenceFolder(new NodeFsFolder(parsed.source));
  } catch (error) {
    io.err(`pymark import: cannot read ${parsed.source}: ${(error as Error).message}`);
    return 1;
  }
  const target = new NodeFsFolder(parsed.target);
  const { items, report } = importReferenceProject(files, {
    taken: await takenInTarget(target),
    now: io.now?.() ?? new Date().toISOString(),
    newId: io.newId ?? (() => crypto.randomUUID()),
  });
  if (!parsed.dryRun) {
    const encoder = new TextEncoder();
    for (const item of items) {
      try {
        if (item.kind === 'media') {
          // The image before its sidecar: folder sync reads a sidecar only beside its image.
          await target.writeAtomic(item.path, item.bytes);
          await target.writeAtomic(item.sidecar.path, encoder.encode(item.sidecar.text));
        } else await target.writeAtomic(item.path, encoder.encode(item.text));
      } catch (error) {
        // Files already written stay: each is a whole item the app can read; the report says where it stopped.
        io.err(`pymark import: cannot write ${item.path}: ${(error as Error).message}`);
        return 1;
      }
    }
  }
  for (const line of describeReport(report, parsed.dryRun)) io.out(line);
  return 0;
}

/** Slugs, ids and media files of the Pymark folder, so nothing imported replaces or clashes with one. */
async function takenInTarget(target: FolderAdapter) {
  const scriptSlugs = new Set<string>();
  const postSlugs = new Set<string>();
  const ids = new Set<string>();
  const mediaPaths = new Set<string>();
  const fallbackTime = new Date(0).toISOString();
  for (const file of await listFilesBelow(target, 'media')) {
    mediaPaths.add(file.path);
    if (!file.path.endsWith('.yml')) continue;
    const name = file.path.slice(file.path.lastIndexOf('/') + 1, -'.yml'.length);
    const parsed = parseSidecar(new TextDecoder().decode(await target.read(file.path)), name);
    if (parsed.ok) ids.add(parsed.value.media.id);
  }
  for (const [dir, extension, slugs] of [
    ['scripts', '.py', scriptSlugs],
    ['posts', '.md', postSlugs],
  ] as const) {
    for (const file of await target.list(dir)) {
      const name = file.path.slice(file.path.lastIndexOf('/') + 1);
      if (!name.endsWith(extension)) continue;
      const slug = name.slice(0, -extension.length);
      slugs.add(slug);
      const text = new TextDecoder().decode(await target.read(file.path));
      const parsed =
        dir === 'scripts'
          ? parseScriptFile(text, { slug, fallbackTime })
          : parsePostFile(text, { slug, fallbackTime });
      if (parsed.ok) ids.add('script' in parsed.value ? parsed.value.script.id : parsed.value.post.id);
    }
  }
  return { scriptSlugs, postSlugs, ids, mediaPaths };
}

function describeReport(report: ImportReport, dryRun: boolean): string[] {
  const lines = [dryRun ? 'Dry run: nothing was written.' : 'Imported into the Pymark folder.'];
  const section = (title: string, entries: ReportEntry[]) => {
    lines.push(`${title} (${entries.length}):`);
    for (const entry of entries) {
      lines.push(`  ${entry.path}${entry.to ? ` → ${entry.to}` : ''}`);
      for (const note of entry.notes) lines.push(`      ${note}`);
    }
  };
  section('Taken as they were', report.taken);
  section('Converted', report.converted);
  section('Left', report.left);
  return lines;
}
