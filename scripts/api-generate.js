// Writes the admin API's OpenAPI document as the server's routes declare it, and the console's types
// generated from it (openapi-typescript): `npm run api:generate` (docs/console.md, "How it is built").
// With a folder argument it writes `openapi.json` and `schema.d.ts` there instead (the drift test).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { adminApiDocument } = await import(join(root, 'packages/server/dist/admin/api/openapi.js'));

const folder = process.argv[2] ? resolve(process.argv[2]) : undefined;
const jsonPath = folder ? join(folder, 'openapi.json') : join(root, 'packages/console/openapi.json');
const typesPath = folder ? join(folder, 'schema.d.ts') : join(root, 'packages/console/src/api/schema.d.ts');

const document = await adminApiDocument();
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, `${JSON.stringify(document, null, 2)}\n`);

// As `openapi-typescript openapi.json -o schema.d.ts` writes it (the command's defaults).
writeFileSync(typesPath, `${COMMENT_HEADER}${astToString(await openapiTS(document))}`);
process.stdout.write(`wrote ${jsonPath} and ${typesPath}\n`);
