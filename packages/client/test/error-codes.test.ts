// The error codes are a public contract: docs/client.md lists exactly CLIENT_ERROR_CODES, and each
// code is raised somewhere in the sources (docs/design.md "Documentation that is tested").
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_ERROR_CODES, ClientError } from '../src/index.js';

const docs = readFileSync(new URL('../../../docs/client.md', import.meta.url), 'utf8');
const srcDir = new URL('../src/', import.meta.url);

describe('error codes', () => {
  it('docs/client.md documents exactly the codes of CLIENT_ERROR_CODES, in order', () => {
    const section = docs.slice(
      docs.indexOf('## Error codes'),
      docs.indexOf('\n## ', docs.indexOf('## Error codes') + 1),
    );
    const documented = [...section.matchAll(/^\| `([a-z_]+)` *\|/gm)].map((m) => m[1]);
    expect(documented).toEqual([...CLIENT_ERROR_CODES]);
  });

  it('every code is raised by the sources (none is dead)', () => {
    const sources = readdirSync(srcDir)
      .filter((f) => f.endsWith('.ts') && f !== 'errors.ts')
      .map((f) => readFileSync(new URL(f, srcDir), 'utf8'))
      .join('\n');
    for (const code of CLIENT_ERROR_CODES) {
      expect(sources, code).toMatch(new RegExp(`ClientError\\(\\s*'${code}'`));
    }
  });

  it('serializes code, message and the server error without the cause', () => {
    const err = new ClientError('invalid_grant', 'refused', {
      status: 400,
      error: 'invalid_grant',
      errorDescription: 'bad key',
      cause: new Error('inner'),
    });
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      code: 'invalid_grant',
      message: 'refused',
      status: 400,
      error: 'invalid_grant',
      error_description: 'bad key',
    });
    expect((err.cause as Error).message).toBe('inner');
  });
});
