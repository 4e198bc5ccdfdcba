import { z } from 'zod';

/*
 * A post arriving from outside: the system share sheet (the manifest's `share_target`) or the
 * bookmarklet, both of which open the app with the shared fields in its address. Transforms reshape
 * it (transform-abi.ts) before it is saved as a draft.
 */

export const incomingSources = ['share', 'bookmarklet'] as const;

/**
 * The query parameters both senders use. Prefixed, so no other address of the app is mistaken for a
 * share; `via` names the bookmarklet (a share target's GET replaces the query, so it cannot add one).
 */
export const incomingParams = {
  title: 'share_title',
  text: 'share_text',
  url: 'share_url',
  via: 'via',
} as const;

const isHttpUrl = (text: string) => /^https?:\/\//i.test(text) && URL.canParse(text);

/** The most characters of text a shared post may bring; the bookmarklet sends no more. */
export const incomingTextLimit = 100_000;

/**
 * `text` with every `[[` escaped as the macro language writes a literal one (`\[[`, markdown-macros.ts),
 * so a macro call in shared text is saved as text and shown as written, never run. Backslashes right
 * before it are doubled first: Markdown would otherwise read `\\[[` as a literal backslash and a call.
 */
export function escapeMacroCalls(text: string): string {
  return text.replace(/(\\*)\[\[/g, (_, backslashes: string) => `${backslashes.repeat(2)}\\[[`);
}

export const incomingPostSchema = z.object({
  source: z.enum(incomingSources),
  title: z.string().max(1_000, 'the title is longer than 1,000 characters'),
  // Anyone can craft a share: what it says must not run the blogger's macros with the post's data.
  text: z
    .string()
    .max(incomingTextLimit, 'the text is longer than 100,000 characters')
    .transform(escapeMacroCalls),
  url: z
    .string()
    .max(8_192, 'the address is longer than 8,192 characters')
    .refine((url) => url === '' || isHttpUrl(url), 'the address is not an http or https URL')
    // As the URL parser writes it: spaces, quotes and angle brackets escaped, so it stays one link.
    .transform((url) => (url === '' ? '' : new URL(url).href)),
});

export type IncomingPost = z.infer<typeof incomingPostSchema>;

export type IncomingRead =
  | { kind: 'none' }
  | { kind: 'incoming'; incoming: IncomingPost }
  | { kind: 'invalid'; problems: string[] };

/**
 * The incoming post in a page address's query (`location.search`), if one arrived. An address the
 * text ends with, when no address came on its own, becomes the URL.
 */
export function readIncomingPost(search: string): IncomingRead {
  const query = new URLSearchParams(search);
  const { title, text, url, via } = incomingParams;
  if (![title, text, url].some((name) => query.has(name))) return { kind: 'none' };
  const fields = {
    source: query.get(via) === 'bookmarklet' ? 'bookmarklet' : 'share',
    title: (query.get(title) ?? '').trim(),
    text: (query.get(text) ?? '').trim(),
    url: (query.get(url) ?? '').trim(),
  };
  // Share sheets on phones often send a link as the text, alone or at its end.
  const trailingLink = fields.url === '' ? /(?:^|\s)(https?:\/\/\S+)$/.exec(fields.text) : null;
  if (trailingLink && isHttpUrl(trailingLink[1]!)) {
    fields.url = trailingLink[1]!;
    fields.text = fields.text.slice(0, trailingLink.index).trim();
  }
  if (fields.title === '' && fields.text === '' && fields.url === '')
    return { kind: 'invalid', problems: ['nothing was shared: no title, text or address'] };
  const parsed = incomingPostSchema.safeParse(fields);
  if (parsed.success) return { kind: 'incoming', incoming: parsed.data };
  return { kind: 'invalid', problems: parsed.error.issues.map((issue) => issue.message) };
}

/** The page address with the incoming post's parameters removed, once it has been saved or dropped. */
export function withoutIncomingParams(href: string): string {
  const url = new URL(href);
  for (const name of Object.values(incomingParams)) url.searchParams.delete(name);
  return url.href;
}
