/// <reference lib="webworker" />
// First: before any schema is made (see zod-jitless.ts).
import '../../core/zod-jitless';
import { type FolderParseAnswer, folderParseRequestSchema } from './folder-parse-protocol';
import { itemFormats } from './item-formats';

/*
 * Parses the scripts and posts folder sync reads (`OffThreadFolderParser`, folder-file-parser.ts), so
 * a folder file's YAML, however hostile, is never parsed on the page's thread. It holds no data: text in, item out.
 */

addEventListener('message', (event: MessageEvent<unknown>) => {
  const request = folderParseRequestSchema.safeParse(event.data);
  if (!request.success) return;
  const { id, collection, text, context } = request.data;
  let answer: FolderParseAnswer;
  try {
    answer = { id, parsed: itemFormats[collection].parse(text, context) };
  } catch (error) {
    answer = { id, error: `the file could not be parsed: ${String(error)}` };
  }
  postMessage(answer);
});
