import { z } from 'zod';
import { checkItem, type Parsed, readFrontMatter, writeFrontMatter } from './front-matter';
import { type Media, mediaSchema } from './media';

/**
 * A sidecar is one YAML document: `---` opens it and `...` (YAML's end-of-document marker) closes
 * it, so the shared front-matter reader and writer keep unknown keys, comments and line endings.
 */
export const sidecarFence = { open: ['---'], close: ['...'] } as const;

/** Editable text may be left out of a hand-written sidecar; the facts about the file may not. */
const sidecarSchema = z.looseObject({
  id: mediaSchema.shape.id,
  mimeType: mediaSchema.shape.mimeType,
  size: mediaSchema.shape.size,
  width: mediaSchema.shape.width,
  height: mediaSchema.shape.height,
  createdAt: mediaSchema.shape.createdAt,
  updatedAt: mediaSchema.shape.updatedAt.optional(),
  title: mediaSchema.shape.title.default(''),
  alt: mediaSchema.shape.alt.default(''),
  caption: mediaSchema.shape.caption.default(''),
  linkedPostIds: mediaSchema.shape.linkedPostIds.default([]),
});

export interface SidecarContent {
  media: Media;
  /** The sidecar exactly as in the file; pass it back to `serializeSidecar` to keep unknown keys. */
  header: string;
}

/** Reads `<file>.yml`; the media file's name comes from the sidecar's own name, never from inside it. */
export function parseSidecar(text: string, fileName: string): Parsed<SidecarContent> {
  const read = readFrontMatter(text, sidecarFence, sidecarSchema);
  if (!read.ok) return read;
  const { fields, header, body } = read.value;
  if (body.trim() !== '') return { ok: false, problem: { reason: 'text after the closing "..." line' } };
  const media = checkItem(mediaSchema, {
    id: fields.id,
    fileName,
    mimeType: fields.mimeType,
    size: fields.size,
    width: fields.width,
    height: fields.height,
    createdAt: fields.createdAt,
    updatedAt: fields.updatedAt ?? fields.createdAt,
    title: fields.title,
    alt: fields.alt,
    caption: fields.caption,
    linkedPostIds: fields.linkedPostIds,
  });
  return media.ok ? { ok: true, value: { media: media.value, header } } : media;
}

export function serializeSidecar(media: Media, previousHeader?: string): string {
  const { fileName: _nameIsTheFiles, ...fields } = media;
  return writeFrontMatter(sidecarFence, fields, previousHeader);
}
