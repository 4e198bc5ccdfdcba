import { z } from 'zod';
import type { Parsed } from '../../core/front-matter';
import { type CallableWorker, WorkerCalls } from '../../runtime/worker-calls';
import type { SlugItem } from '../item-store';
import {
  type FolderParseAnswer,
  type FolderParseRequest,
  folderParseAnswerSchema,
} from './folder-parse-protocol';
import type { ItemFormat } from './item-formats';

type Item = SlugItem & { body: string };

/** Where folder sync parses a file's text into an item: in place (Node) or in a worker (the page). */
export interface FolderFileParser {
  parse<T extends Item>(
    format: ItemFormat<T>,
    text: string,
    context: { slug: string; fallbackTime: string },
  ): Promise<Parsed<{ item: T; header: string }>>;
}

/** Parses on the calling thread: the command line, the desktop build's main process and tests. */
export const inPlaceParser: FolderFileParser = {
  parse: async (format, text, context) => format.parse(text, context),
};

/**
 * Parses in a worker (folder-parse-worker.ts), so the page's thread only copies a file's text there
 * and the item back (issue 14: parsing folder files does not block the page). The item is checked
 * with its format's schema where it arrives.
 */
export class OffThreadFolderParser implements FolderFileParser {
  readonly #calls: WorkerCalls<FolderParseRequest, FolderParseAnswer>;

  constructor(createWorker: () => CallableWorker<FolderParseRequest>) {
    this.#calls = new WorkerCalls('folder file parser', createWorker, folderParseAnswerSchema);
  }

  async parse<T extends Item>(
    format: ItemFormat<T>,
    text: string,
    context: { slug: string; fallbackTime: string },
  ): Promise<Parsed<{ item: T; header: string }>> {
    const answer = await this.#calls.call({ collection: format.collection, text, context });
    if ('error' in answer) throw new Error(answer.error);
    if (!answer.parsed.ok) return answer.parsed;
    const item = format.itemSchema.safeParse(answer.parsed.value.item);
    if (!item.success)
      throw new Error(`the folder file parser sent an invalid item: ${z.prettifyError(item.error)}`);
    return { ok: true, value: { item: item.data, header: answer.parsed.value.header } };
  }
}
