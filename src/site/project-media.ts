import type { FileProblem } from '../core/front-matter';
import { inspectImage } from '../core/image-inspect';
import { type Media, mediaMonthFolder } from '../core/media';
import { parseSidecar } from '../core/media-file';
import type { BuildProblem, ProjectSource } from './project';

/** An image of the project with its bytes, as the site build publishes it. */
export interface SiteMedia {
  media: Media;
  bytes: Uint8Array;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The images under `media/<yyyy>/<mm>/`, each read through its sidecar; conflict copies and other
 * side files are skipped. A sidecar that cannot be read, or an image that is not a whole image, is a
 * problem located at its file, as a broken post is: the build stops before it publishes anything.
 */
export async function readProjectMedia(
  source: ProjectSource,
  problems: BuildProblem[],
): Promise<SiteMedia[]> {
  const files = await source.listFiles('media');
  const media: SiteMedia[] = [];
  const ids = new Map<string, string>();
  for (const info of files) {
    const name = info.path.slice(info.path.lastIndexOf('/') + 1);
    if (!name.endsWith('.yml') || name.includes('.conflict-') || name.startsWith('.')) continue;
    const problem = (reason: string, at: Omit<FileProblem, 'reason'> = {}) =>
      problems.push({ file: info.path, ...at, message: reason });
    let text: string;
    try {
      text = decoder.decode((await source.read(info.path)) ?? new Uint8Array());
    } catch {
      problem('is not UTF-8 text');
      continue;
    }
    const fileName = name.slice(0, -'.yml'.length);
    const parsed = parseSidecar(text, fileName);
    if (!parsed.ok) {
      const { reason, ...at } = parsed.problem;
      problem(reason, at);
      continue;
    }
    const item = parsed.value.media;
    const dir = info.path.slice(0, info.path.lastIndexOf('/'));
    if (dir !== `media/${mediaMonthFolder(item.createdAt)}`) {
      problem(
        `createdAt ${item.createdAt} belongs in media/${mediaMonthFolder(item.createdAt)}/, not ${dir}/`,
      );
      continue;
    }
    const other = ids.get(item.id);
    if (other !== undefined) {
      problem(`duplicate id ${item.id}, also in ${other}`);
      continue;
    }
    ids.set(item.id, info.path);
    const imagePath = `${dir}/${fileName}`;
    const bytes = await source.read(imagePath);
    if (bytes === undefined) {
      problem(`the image ${fileName} beside it is missing`);
      continue;
    }
    const inspection = inspectImage(bytes, imagePath);
    if (!inspection.ok) {
      problems.push({ file: imagePath, message: inspection.reason });
      continue;
    }
    media.push({ media: item, bytes });
  }
  return media.sort(
    (a, b) =>
      b.media.createdAt.localeCompare(a.media.createdAt) || (a.media.fileName < b.media.fileName ? -1 : 1),
  );
}
