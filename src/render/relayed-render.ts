import { z } from 'zod';
import type { MacroContext } from '../core/abi';
import { callReadsSchema } from '../runtime/protocol';

/*
 * Macro batches a worker of the app's own relays to the page's Python runtime, and the outcomes it
 * gets back: the site build worker's (site/app/build-protocol.ts) and the preview's render worker's
 * (render-protocol.ts). The runtime checks each context against the ABI itself (`renderMany` each
 * distinct env and post, docs/round-trip.md); checking them here too parsed a 500-call batch twice on
 * the page's main thread, the site build's longest tasks there. So this side checks only their
 * shape as far as it routes them.
 */

export const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;

const relayedContextSchema = z.custom<MacroContext>(isObject, 'must be a macro context object');

export const relayedRenderItemSchema = z.strictObject({
  // What the runtime needs of a script; the rest of the stored script is left behind.
  script: z.object({
    id: z.string().min(1),
    version: z.number().int(),
    slug: z.string().min(1),
    body: z.string(),
    entrypoint: z.string().min(1),
  }),
  context: relayedContextSchema,
});

const renderFailureSchema = z.object({
  ok: z.literal(false),
  kind: z.enum(['exception', 'invalid-result', 'invalid-context', 'timeout', 'worker-failed', 'cancelled']),
  script: z.string(),
  message: z.string(),
  line: z.number().int().optional(),
  traceback: z.string().optional(),
  printed: z.string().optional(),
  reads: callReadsSchema.optional(),
});

const renderSuccessSchema = z.object({
  ok: z.literal(true),
  html: z.string(),
  warnings: z.array(z.string()),
  /** The macro's styles (ABI 1.1): the site's stylesheet gathers them, as the CLI's build does. */
  css: z.string().optional(),
  printed: z.string().optional(),
  reads: callReadsSchema.optional(),
});

export const relayedRenderOutcomeSchema = z.union([renderSuccessSchema, renderFailureSchema]);
