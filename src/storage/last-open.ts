import { z } from 'zod';

/*
 * Where the user was: the view and the script and post last open, so a reload or the next visit
 * opens them again. Kept in Web Storage, read once at start; losing it costs only a click.
 */

export const views = ['scripts', 'posts', 'media', 'site', 'diagnostics'] as const;
export type View = (typeof views)[number];

const lastOpenSchema = z.object({
  view: z.enum(views).optional(),
  scriptId: z.string().optional(),
  postId: z.string().optional(),
  /** The transform last used for a shared post; null for "No transform". */
  transformId: z.string().nullable().optional(),
});

export type LastOpen = z.infer<typeof lastOpenSchema>;

export class LastOpenMemory {
  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem'>,
    private readonly key = 'pymark:last-open',
  ) {}

  /** What was last open; nothing when it was never stored, or is unreadable. */
  read(): LastOpen {
    try {
      const parsed = lastOpenSchema.safeParse(JSON.parse(this.storage.getItem(this.key) ?? '{}'));
      return parsed.success ? parsed.data : {};
    } catch {
      return {};
    }
  }

  remember(changes: LastOpen): void {
    try {
      this.storage.setItem(this.key, JSON.stringify({ ...this.read(), ...changes }));
    } catch {
      // Storage full or disabled: the next start opens the first script instead.
    }
  }
}
