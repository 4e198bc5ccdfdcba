import { isReadAsBytes, isReadAsText, type ReferenceFile } from '../../core/reference-import';
import { maxReferenceImageBytes } from '../../core/reference-media';
import type { FolderAdapter, FolderFileInfo } from './folder-adapter';
import { maxFileBytes } from './folder-sync';

/** A folder whose subfolders can be listed: the importer walks the whole project. */
export type WalkableFolder = FolderAdapter & Required<Pick<FolderAdapter, 'listFolders'>>;

/**
 * Every file of a reference desktop app project folder (hidden files and folders skipped), with the
 * text or bytes of those the importer reads (`isReadAsText`, `isReadAsBytes`). The same for
 * `pymark import` on Node's fs and for the app's import from a picked folder. A text too big for
 * folder sync or not UTF-8, an image over `maxReferenceImageBytes`, or a file that cannot be read
 * comes without them: the import report lists it as left.
 */
export async function readReferenceFolder(folder: WalkableFolder): Promise<ReferenceFile[]> {
  const infos: FolderFileInfo[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const info of await folder.list(dir)) {
      const name = info.path.slice(info.path.lastIndexOf('/') + 1);
      if (!name.startsWith('.')) infos.push({ ...info, path: join(dir, name) });
    }
    for (const name of await folder.listFolders(dir)) if (!name.startsWith('.')) await walk(join(dir, name));
  };
  await walk('');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return Promise.all(
    infos.map(async ({ path, size, modifiedAt }): Promise<ReferenceFile> => {
      const listed = { path, size, modifiedAt };
      try {
        if (isReadAsText(path) && size <= maxFileBytes)
          return { ...listed, text: decoder.decode(await folder.read(path)) };
        if (isReadAsBytes(path) && size <= maxReferenceImageBytes)
          return { ...listed, bytes: await folder.read(path) };
      } catch {
        // Unreadable (gone, not UTF-8, a hard link…): the report says so.
      }
      return listed;
    }),
  );
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}
