import { z } from 'zod';

/*
 * Zod compiles its object checks with `new Function` unless told not to, and the Node worker's
 * lockdown forbids that (node-lockdown.ts). Zod reads the setting when a schema is made, so this
 * module is imported before any module that makes one.
 */
z.config({ jitless: true });
