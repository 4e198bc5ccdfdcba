import type { MacroScript } from './types';

/**
 * The scripts one worker holds the code of, so a script's code crosses once per worker rather than
 * with every call: JSON-decoding and converting a few KiB of source was most of a single render's
 * time in Python. What is recorded must be what the worker stored, so only a batch that ran to its
 * end is recorded (macro_engine.py stores every script's code before its first item runs), and any
 * other ending forgets everything: sending code again is always safe.
 */
export class SentScripts {
  readonly #held = new Map<string, Pick<MacroScript, 'version' | 'body'>>();

  /** Whether the worker has this very version and body of the script (a draft can change its body). */
  has({ id, version, body }: MacroScript): boolean {
    const held = this.#held.get(id);
    return held !== undefined && held.version === version && held.body === body;
  }

  /** After a batch ran to its end: the worker holds the scripts it was sent, the last one per id. */
  record(batchScripts: readonly MacroScript[]): void {
    for (const { id, version, body } of batchScripts) this.#held.set(id, { version, body });
  }

  forget(): void {
    this.#held.clear();
  }
}
