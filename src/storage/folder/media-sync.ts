import { inspectImage } from '../../core/image-inspect';
import { type Media, mediaMonthFolder, mediaPath, sidecarPath, uniqueFileName } from '../../core/media';
import { parseSidecar, serializeSidecar } from '../../core/media-file';
import { decide, type ReadableEntry, type SyncedEntry } from '../../core/sync-plan';
import type { ExternalMedia, MediaStore } from '../media-store';
import { hashBytes, hashItem } from './content-hash';
import type { FolderAdapter, FolderFileInfo } from './folder-adapter';
import type { SyncReport } from './folder-sync';
import type { SyncedRecord, SyncStateStore } from './sync-state-store';
import { applyUnlessChanged, attempt, describeProblem, readAsOf, writeConflictCopy } from './sync-steps';

/*
 * Media in a project folder: `media/<yyyy>/<mm>/<file>` and its sidecar `<file>.yml`. The sidecar is
 * what syncs both ways, by the rules scripts and posts follow (sync-plan.ts `decide`); the image beside
 * it is written once, when the item first reaches the folder, and read once, when it first reaches
 * the app, because an item's bytes never change.
 */

export type MediaSyncTarget = Pick<MediaStore, 'list' | 'blob' | 'applyExternal'>;

/** Sidecars are text and small; a larger `.yml` is someone else's file. */
const maxSidecarBytes = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

interface ReadSidecar {
  entry: ReadableEntry;
  media: Media;
  header: string;
}

interface FolderState {
  sidecars: Map<string, ReadSidecar>;
  unreadable: { path: string; reason: string }[];
  /** Every file path seen under `media/`, to keep writes off taken names. */
  paths: Set<string>;
}

const isSidecar = (name: string) => name.endsWith('.yml') && !name.includes('.conflict-');
const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

export class MediaSync {
  constructor(
    private readonly folder: FolderAdapter,
    private readonly media: MediaSyncTarget,
    private readonly state: SyncStateStore,
  ) {}

  /** One pass: reads both sides, decides per item and applies, adding what happened to `report`. */
  async sync(timestamp: string, report: SyncReport): Promise<void> {
    const appItems = new Map((await this.media.list()).map((item) => [item.id, item]));
    const synced = new Map((await this.state.list('media')).map((record) => [record.id, record]));
    const folder = await this.readFolder([...appItems.values()], [...synced.values()]);
    for (const problem of folder.unreadable) report.unreadable.push(problem);
    const unreadablePaths = new Set(folder.unreadable.map((problem) => problem.path));
    const files = new Map([...folder.sidecars.values()].map((sidecar) => [sidecar.entry.id, sidecar]));

    const run = new MediaPlanRun(this.folder, this.media, folder, appItems, synced, timestamp, report);
    for (const id of [...new Set([...synced.keys(), ...appItems.keys(), ...files.keys()])].sort()) {
      const app = appItems.get(id);
      const sides = {
        synced: synced.get(id),
        app: app && { id, slug: app.fileName, appHash: hashItem(app) },
        file: files.get(id)?.entry,
      };
      run.plan(id, decide(sides, unreadablePaths));
    }
    await run.apply();
    await this.state.update(run.recorded, run.forgotten);
  }

  /** The month folders on disk (where the adapter can list folders) and those either side knows of. */
  private async monthFolders(app: Media[], synced: SyncedEntry[]): Promise<string[]> {
    const months = new Set<string>();
    for (const item of app) months.add(`media/${mediaMonthFolder(item.createdAt)}`);
    for (const record of synced) months.add(dirOf(record.path));
    if (this.folder.listFolders) {
      for (const year of await this.folder.listFolders('media')) {
        if (!/^\d{4}$/.test(year)) continue;
        for (const month of await this.folder.listFolders(`media/${year}`)) {
          if (/^\d{2}$/.test(month)) months.add(`media/${year}/${month}`);
        }
      }
    }
    return [...months].sort();
  }

  private async readFolder(app: Media[], synced: SyncedEntry[]): Promise<FolderState> {
    const state: FolderState = { sidecars: new Map(), unreadable: [], paths: new Set() };
    const claims = new Map<string, string>();
    for (const dir of await this.monthFolders(app, synced)) {
      const listed = (await this.folder.list(dir)).filter((info) => !nameOf(info.path).startsWith('.'));
      const names = new Set(listed.map((info) => nameOf(info.path)));
      for (const info of listed) {
        state.paths.add(info.path);
        const name = nameOf(info.path);
        if (!isSidecar(name)) {
          if (!name.includes('.conflict-') && !names.has(`${name}.yml`)) {
            state.unreadable.push({
              path: info.path,
              reason: `no sidecar ${name}.yml beside it, so it is not synced`,
            });
          }
          continue;
        }
        const read = await this.readSidecar(info, dir, names);
        if ('reason' in read) {
          state.unreadable.push({ path: info.path, reason: read.reason });
          continue;
        }
        const claimed = claims.get(read.entry.id);
        if (claimed !== undefined) {
          state.unreadable.push({
            path: info.path,
            reason: `duplicate id ${read.entry.id}, also in ${claimed}`,
          });
          continue;
        }
        claims.set(read.entry.id, info.path);
        state.sidecars.set(info.path, read);
      }
    }
    return state;
  }

  private async readSidecar(
    info: FolderFileInfo,
    dir: string,
    names: ReadonlySet<string>,
  ): Promise<ReadSidecar | { reason: string }> {
    if (info.size > maxSidecarBytes) return { reason: `larger than 1 MiB (${info.size} bytes)` };
    const bytes = await this.folder.read(info.path);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return { reason: 'not valid UTF-8 text' };
    }
    const fileName = nameOf(info.path).slice(0, -'.yml'.length);
    const parsed = parseSidecar(text, fileName);
    if (!parsed.ok) return { reason: describeProblem(parsed.problem) };
    const { media, header } = parsed.value;
    if (`media/${mediaMonthFolder(media.createdAt)}` !== dir) {
      return {
        reason: `createdAt ${media.createdAt} belongs in media/${mediaMonthFolder(media.createdAt)}/, not ${dir}/`,
      };
    }
    if (!names.has(fileName)) return { reason: `the image ${fileName} beside it is missing` };
    const entry: ReadableEntry = {
      path: info.path,
      readable: true,
      id: media.id,
      fileHash: await hashBytes(bytes),
      appHash: hashItem(media),
    };
    return { entry, media, header };
  }
}

type Planned =
  | { type: 'import' | 'link' | 'conflict'; id: string }
  | { type: 'write'; id: string }
  | { type: 'trashFile'; id: string }
  | { type: 'trashApp' | 'forget'; id: string };

/** Applies one pass's decisions: conflict copies, then the app in one transaction, then the folder. */
class MediaPlanRun {
  readonly recorded: SyncedRecord[] = [];
  readonly forgotten: string[] = [];
  private readonly planned: Planned[] = [];

  constructor(
    private readonly folder: FolderAdapter,
    private readonly media: MediaSyncTarget,
    private readonly files: FolderState,
    private readonly appItems: ReadonlyMap<string, Media>,
    private readonly synced: ReadonlyMap<string, SyncedRecord>,
    private readonly timestamp: string,
    private readonly report: SyncReport,
  ) {}

  plan(id: string, decision: ReturnType<typeof decide>): void {
    if (decision !== 'nothing') this.planned.push({ type: decision, id } as Planned);
  }

  async apply(): Promise<void> {
    const copied = new Map<string, SyncReport['conflicts'][number]>();
    for (const { type, id } of this.planned) {
      if (type !== 'conflict') continue;
      const file = this.sidecarOf(id)!;
      const copyPath = `${file.entry.path.slice(0, -'.yml'.length)}.conflict-${this.timestamp}.yml`;
      const app = this.appItems.get(id)!;
      if (await writeConflictCopy(this.folder, this.report, copyPath, serializeSidecar(app)))
        copied.set(id, { path: file.entry.path, copyPath });
    }

    const fromFolder = this.planned.filter(
      ({ type, id }) => type === 'import' || type === 'link' || (type === 'conflict' && copied.has(id)),
    );
    const put: ExternalMedia[] = [];
    const refused = new Set<string>();
    for (const { type, id } of fromFolder) {
      if (type === 'link') continue;
      const file = this.sidecarOf(id)!;
      if (this.appItems.has(id) || (await this.media.blob(id)) !== undefined) {
        put.push({ media: file.media });
        continue;
      }
      const imagePath = mediaPath(file.media);
      const bytes = await this.folder.read(imagePath);
      const inspection = inspectImage(bytes, imagePath);
      if (!inspection.ok) {
        this.report.unreadable.push({ path: imagePath, reason: inspection.reason });
        refused.add(id);
        continue;
      }
      put.push({ media: file.media, bytes });
    }
    const writes = this.placeWrites();
    for (const write of writes)
      if (write.media.fileName !== this.appItems.get(write.media.id)?.fileName)
        put.push({ media: write.media });
    const trashInApp = this.planned.filter((action) => action.type === 'trashApp').map((action) => action.id);
    const readAs = readAsOf(this.appItems, [...put.map(({ media }) => media.id), ...trashInApp]);
    if (
      !(await applyUnlessChanged(
        {
          folder: this.folder,
          report: this.report,
          copiesWritten: [...copied.values()].map((conflict) => conflict.copyPath),
        },
        "media/ (the app's media)",
        () => this.media.applyExternal({ put, trash: trashInApp, readAs }),
      ))
    )
      return;
    this.report.conflicts.push(...copied.values());

    for (const { type, id } of fromFolder) {
      if (refused.has(id)) continue;
      const file = this.sidecarOf(id)!;
      this.record(id, file.entry.path, file.entry.fileHash, file.entry.appHash, file.header);
      if (type !== 'link') this.report.imported.push(file.entry.path);
    }
    for (const id of trashInApp) {
      this.report.trashed.push({ id });
      this.forgotten.push(id);
    }
    for (const write of writes) await this.attempt(sidecarPath(write.media), () => this.write(write));
    for (const { type, id } of this.planned) {
      if (type === 'forget') this.forgotten.push(id);
      if (type === 'trashFile') await this.trashFile(id);
    }
  }

  /** Each write's item, renamed when another file holds its name in the month folder. */
  private placeWrites(): { media: Media; replaces?: string }[] {
    const writes = this.planned.filter((action) => action.type === 'write');
    const leaving = new Set<string>();
    for (const { id } of writes) {
      const current = this.sidecarOf(id)?.entry.path ?? this.synced.get(id)?.path;
      if (current !== undefined) {
        leaving.add(current);
        leaving.add(current.slice(0, -'.yml'.length));
      }
    }
    const taken = new Set([...this.files.paths].filter((path) => !leaving.has(path)));
    return writes.map(({ id }) => {
      const app = this.appItems.get(id)!;
      const dir = dirOf(mediaPath(app));
      const namesInDir = new Set([...taken].filter((path) => dirOf(path) === dir).map(nameOf));
      const fileName = uniqueFileName(
        app.fileName,
        new Set([...namesInDir].filter((name) => !name.endsWith('.yml'))),
      );
      const media =
        fileName === app.fileName && !namesInDir.has(`${fileName}.yml`) ? app : { ...app, fileName };
      taken.add(mediaPath(media));
      taken.add(sidecarPath(media));
      const current = this.sidecarOf(id)?.entry.path ?? this.synced.get(id)?.path;
      return current !== undefined && current !== sidecarPath(media)
        ? { media, replaces: current }
        : { media };
    });
  }

  private async write({ media, replaces }: { media: Media; replaces?: string }): Promise<void> {
    const imagePath = mediaPath(media);
    if (!this.files.paths.has(imagePath)) {
      const blob = await this.media.blob(media.id);
      if (!blob) throw new Error(`the app holds no bytes for ${media.fileName}`);
      await this.folder.writeAtomic(imagePath, new Uint8Array(await blob.arrayBuffer()));
      this.report.written.push(imagePath);
    }
    const header = serializeSidecar(
      media,
      this.sidecarOf(media.id)?.header ?? this.synced.get(media.id)?.header,
    );
    const bytes = encoder.encode(header);
    await this.folder.writeAtomic(sidecarPath(media), bytes);
    if (replaces !== undefined) {
      await this.folder.remove(replaces);
      await this.folder.remove(replaces.slice(0, -'.yml'.length)).catch(() => {
        // The old image was already gone; the new one is written.
      });
    }
    this.report.written.push(sidecarPath(media));
    this.record(media.id, sidecarPath(media), await hashBytes(bytes), hashItem(media), header);
  }

  private async trashFile(id: string): Promise<void> {
    const path = this.sidecarOf(id)!.entry.path;
    const trashPath = `.trash/${this.timestamp}/${path}`;
    const imagePath = path.slice(0, -'.yml'.length);
    const moved = await this.attempt(path, async () => {
      await this.folder.move(imagePath, trashPath.slice(0, -'.yml'.length));
      await this.folder.move(path, trashPath);
    });
    if (moved) {
      this.report.trashed.push({ id, path, trashPath });
      this.forgotten.push(id);
    }
  }

  private sidecarOf(id: string): ReadSidecar | undefined {
    return [...this.files.sidecars.values()].find((sidecar) => sidecar.entry.id === id);
  }

  private record(id: string, path: string, fileHash: string, appHash: string, header: string): void {
    this.recorded.push({ id, collection: 'media', path, fileHash, appHash, header });
  }

  private attempt(path: string, operation: () => Promise<void>): Promise<boolean> {
    return attempt(this.report, path, operation);
  }
}
