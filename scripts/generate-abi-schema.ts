import { z } from 'zod';
import { abiV1 } from '../src/core/abi.ts';

/*
 * Node 20 cannot run TypeScript, so the file is written by the test that checks it:
 * `npm run abi:schema` runs tests/unit/abi.test.ts with --update.
 */

/** Where the generated schema is committed, relative to the repository root. */
export const abiSchemaFile = 'docs/abi-v1.schema.json';

/** ABI v1 as one JSON Schema (draft 2020-12) document: every named shape under `$defs`. */
export function generateAbiSchema(): string {
  const { schemas } = z.toJSONSchema(abiV1, {
    metadata: abiV1,
    io: 'input',
    uri: (id) => `#/$defs/${id}`,
  });
  const defs: Record<string, z.core.JSONSchema.BaseSchema> = {};
  for (const [id, { $schema, $id, ...schema }] of Object.entries(schemas)) {
    // zod collects unnamed shared shapes under `__shared`, whose refs would not resolve here.
    if (id === '__shared')
      throw new Error('every shape used twice or recursively must be registered in abiV1');
    defs[id] = schema;
  }
  const document = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Pymark macro ABI v1',
    description:
      'The context a macro\u2019s render(context) receives and the result it returns; see docs/abi-v1.md.',
    $defs: defs,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
