/*
 * Which files of a drop or paste are taken as images. The media library checks the bytes themselves
 * and refuses, saying why, what is not an image; these only decide where a file goes.
 */

/** The files whose type says image: what the app-wide paste and a script's editor hand to Media. */
export function imageFiles(data: DataTransfer | null): File[] {
  return [...(data?.files ?? [])].filter((file) => file.type.startsWith('image/'));
}

/**
 * Also the files of no stated type, which may be images: where only images are taken (a post's
 * Markdown), a file the browser could not type is tried rather than dropped as text.
 */
export function possibleImageFiles(data: DataTransfer | null): File[] {
  return [...(data?.files ?? [])].filter((file) => file.type.startsWith('image/') || file.type === '');
}
