import { z } from 'zod';
import { type IncomingPost, incomingSources } from './incoming-post';

/*
 * The transform contract: `transform(post) -> dict` receives the draft made from an incoming post
 * and returns the post to save. Like the macro ABI (abi.ts), plain JSON both ways, checked on the
 * page on the way in and on the way out; docs/transforms.md describes it for script authors.
 */

const tagList = z.array(z.string().trim().min(1, 'a tag must not be empty')).max(100, 'more than 100 items');

/** What a transform is called with. */
export const transformInputSchema = z.object({
  title: z.string(),
  body: z.string(),
  tags: z.array(z.string()),
  categories: z.array(z.string()),
  /** What arrived, untouched, for a transform that wants to build the post its own way. */
  source: z.object({
    kind: z.enum(incomingSources),
    title: z.string(),
    text: z.string(),
    url: z.string(),
  }),
});

export type TransformInput = z.infer<typeof transformInputSchema>;

/**
 * What a transform returns: the post, or a bare str as shorthand for its body. `source` may come back
 * (a transform that edits its argument in place returns it) and is ignored; any other unknown key is
 * refused, so a misspelt `tag` is not silently dropped.
 */
export const transformResultSchema = z.union([
  z.string().max(1_000_000, 'the body is longer than 1,000,000 characters'),
  z
    .object({
      title: z
        .string()
        .trim()
        .min(1, 'title must not be empty')
        .max(1_000, 'title is longer than 1,000 characters'),
      // A post the editor can still open: the text that arrives is capped far lower, at 100,000.
      body: z.string().max(1_000_000, 'body is longer than 1,000,000 characters'),
      tags: tagList.optional(),
      categories: tagList.optional(),
      source: z.unknown().optional(),
    })
    .strict(),
]);

/** The post a transform produced, ready to be saved as a draft. */
export interface TransformedPost {
  title: string;
  body: string;
  tags: string[];
  categories: string[];
}

/** The draft an incoming post becomes when no transform reshapes it, and what a transform receives. */
export function draftFromIncoming(incoming: IncomingPost): TransformInput {
  const host = incoming.url === '' ? '' : new URL(incoming.url).host;
  const firstLine = incoming.text.split('\n', 1)[0]!.trim().slice(0, 120);
  const title = incoming.title || firstLine || host || 'Shared item';
  const link = incoming.url === '' ? '' : `<${incoming.url}>`;
  return {
    title,
    body: [incoming.text, link].filter((part) => part !== '').join('\n\n'),
    tags: [],
    categories: [],
    source: { kind: incoming.source, title: incoming.title, text: incoming.text, url: incoming.url },
  };
}

/** What the editor's Run tries a transform on: a page shared with a selection, as a share sheet sends it. */
export const sampleTransformInput: TransformInput = draftFromIncoming({
  source: 'share',
  title: 'A page worth sharing',
  text: 'A sentence selected on the page.\nAnd a second line.',
  url: 'https://example.com/articles/worth-sharing',
});

export type TransformResultCheck = { ok: true; post: TransformedPost } | { ok: false; problem: string };

/**
 * Checks what a transform returned against the contract; `input` fills in what a bare str leaves
 * out. `pythonType` (the result's type name) words the refusal of a value JSON could not hold.
 */
export function checkTransformResult(
  result: unknown,
  input: TransformInput,
  pythonType: string,
): TransformResultCheck {
  const parsed = transformResultSchema.safeParse(result);
  if (!parsed.success) return { ok: false, problem: describeResultProblem(result, parsed.error, pythonType) };
  const value = parsed.data;
  if (typeof value === 'string')
    return {
      ok: true,
      post: { title: input.title, body: value, tags: input.tags, categories: input.categories },
    };
  return {
    ok: true,
    post: {
      title: value.title,
      body: value.body,
      tags: value.tags ?? [],
      categories: value.categories ?? [],
    },
  };
}

function describeResultProblem(result: unknown, error: z.ZodError, pythonType: string): string {
  const isDict = result !== null && typeof result === 'object' && !Array.isArray(result);
  if (!isDict && typeof result !== 'string')
    return `it must return a dict with "title" and "body" (or a str, the body), not ${pythonType === 'NoneType' ? 'None' : `a ${pythonType}`}`;
  // Of the union's two branches, the one for what was returned words the useful problems.
  const branch = typeof result === 'string' ? 0 : 1;
  const issues = error.issues.flatMap((issue) =>
    issue.code === 'invalid_union' ? (issue.errors[branch] ?? []) : [issue],
  );
  return issues
    .map((issue) => {
      const where = issue.path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
        .join('');
      return where === '' ? issue.message : `${where.replace(/^\./, '')}: ${issue.message}`;
    })
    .join('; ');
}
