import { z } from 'zod';

/*
 * Zod compiles its object checks with `new Function` unless told not to. Where eval is forbidden (the
 * app's Content-Security-Policy, the Node worker's lockdown, lockdown.ts) that would only fall
 * back, but in the browser each probe is also reported as a policy violation. Zod reads the setting
 * when a schema is made, so every entry point imports this module before any module that makes one.
 */
z.config({ jitless: true });
