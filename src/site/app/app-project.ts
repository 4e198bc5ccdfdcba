import { mediaPath, sidecarPath } from '../../core/media';
import { serializeSidecar } from '../../core/media-file';
import { serializePostFile } from '../../core/post-file';
import { serializeScriptFile } from '../../core/script-file';
import { siteSettingsPath } from '../../core/site-settings';
import { type FolderAdapter, listFilesBelow, splitPath } from '../../storage/folder/folder-adapter';
import type { MediaStore } from '../../storage/media-store';
import type { PostStore } from '../../storage/post-store';
import type { ScriptStore } from '../../storage/script-store';
import type { SiteSettingsText } from '../../storage/site-settings-store';
import type { ProjectFileInfo, ProjectSource } from '../project';

/** The folders of a project the app holds in IndexedDB; the rest (templates, assets) only a folder has. */
const storedDirs = new Set(['posts', 'scripts', 'media']);

/**
 * The project as the engine reads it in the app: posts, scripts and media from IndexedDB (the app's
 * copy, kept in step with a connected folder by folder sync) written out in their file format, exactly
 * as folder sync writes them (an image's bytes are read from the store only when asked for), so the CLI building the folder and the app building its stores read the
 * same text; `site.yml` from where the app keeps it; templates and assets from the connected folder.
 */
export async function appProjectSource(deps: {
  posts: Pick<PostStore, 'list'>;
  scripts: Pick<ScriptStore, 'list'>;
  media: Pick<MediaStore, 'list' | 'blob'>;
  siteSettings: SiteSettingsText;
  /** The connected project folder (a directory handle's, or the desktop build's over IPC). */
  folder: FolderAdapter | undefined;
}): Promise<ProjectSource> {
  const encoder = new TextEncoder();
  const files = new Map<string, { bytes: Uint8Array; modifiedAt: string }>();
  for (const post of await deps.posts.list())
    files.set(`posts/${post.slug}.md`, {
      bytes: encoder.encode(serializePostFile(post)),
      modifiedAt: post.updatedAt,
    });
  for (const script of await deps.scripts.list())
    files.set(`scripts/${script.slug}.py`, {
      bytes: encoder.encode(serializeScriptFile(script)),
      modifiedAt: script.updatedAt,
    });
  const images = new Map<string, { id: string; modifiedAt: string }>();
  for (const item of await deps.media.list()) {
    files.set(sidecarPath(item), {
      bytes: encoder.encode(serializeSidecar(item)),
      modifiedAt: item.updatedAt,
    });
    images.set(mediaPath(item), { id: item.id, modifiedAt: item.updatedAt });
  }
  const settingsText = await deps.siteSettings.read();
  const now = new Date().toISOString();
  if (settingsText !== undefined)
    files.set(siteSettingsPath, { bytes: encoder.encode(settingsText), modifiedAt: now });
  const folder = deps.folder;
  /** Files the engine found listing the folder: read without looking for them again. */
  const inFolder = new Set<string>();

  return {
    async listFiles(dir: string): Promise<ProjectFileInfo[]> {
      const top = dir.split('/')[0] ?? '';
      if (storedDirs.has(top) || !folder)
        return [...files, ...images]
          .filter(([path]) => path.startsWith(`${dir}/`))
          .map(([path, file]) => ({ path, modifiedAt: file.modifiedAt }));
      const listed = await listFilesBelow(folder, dir);
      for (const file of listed) inFolder.add(file.path);
      return listed.map(({ path, modifiedAt }) => ({ path, modifiedAt }));
    },
    async read(path: string): Promise<Uint8Array | undefined> {
      const image = images.get(path);
      if (image !== undefined) {
        const blob = await deps.media.blob(image.id);
        return blob && new Uint8Array(await blob.arrayBuffer());
      }
      const held = files.get(path);
      if (held || storedDirs.has(path.split('/')[0] ?? '') || path === siteSettingsPath || !folder)
        return held?.bytes;
      if (inFolder.has(path)) return folder.read(path);
      // The adapters differ in how they fail on a missing file: look for it in its folder first.
      const listed = await folder.list(splitPath(path).dirs.join('/'));
      return listed.some((file) => file.path === path) ? folder.read(path) : undefined;
    },
  };
}
