// The TypeScript snippets of README.md, docs/*.md and the package READMEs are type-checked against
// the packages' sources, so the documentation cannot drift from the API (docs/design.md).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = [
  'README.md',
  'packages/client/README.md',
  'packages/verify/README.md',
  ...readdirSync(path.join(root, 'docs')).map((f) => `docs/${f}`),
].filter((f) => f.endsWith('.md'));

/**
 * Names the snippets use without defining them: what a reader has at hand (credentials, a request, the
 * verifier or client made in an earlier snippet of the same page). Global, so a snippet's own
 * module-level definition shadows it.
 */
const PRELUDE = `
declare const clientId: string;
declare const clientSecret: string;
declare const accessKeyId: string;
declare const accessKeySecret: string;
declare const req: import('node:http').IncomingMessage;
declare const verifier: import('@cxauth/verify').Verifier;
declare const cx: import('@cxauth/client').CxauthClient;
`;

function snippets(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1] as string);
}

const all = docs.flatMap((file) => snippets(file).map((code, i) => ({ file, i, code })));

describe('documentation snippets', () => {
  it('exist (README and docs hold TypeScript examples)', () => {
    expect(all.length).toBeGreaterThanOrEqual(5);
  });

  it('type-check against the packages', () => {
    // Below the repository so that bare imports (fastify, node types) resolve from its node_modules.
    const dir = path.join(root, 'node_modules', '.cache', 'cxauth-doc-snippets');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'prelude.d.ts'), PRELUDE);
    const files = all.map(({ file, i, code }) => {
      const name = path.join(dir, `${file.replace(/[/.]/g, '_')}_${i}.mts`);
      writeFileSync(name, `${code}\nexport {};\n`);
      return name;
    });
    const src = (pkg: string) => [path.join(root, 'packages', pkg, 'src', 'index.ts')];
    const program = ts.createProgram([path.join(dir, 'prelude.d.ts'), ...files], {
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [path.join(root, 'node_modules', '@types')],
      paths: {
        '@cxauth/client': src('client'),
        '@cxauth/verify': src('verify'),
        '@cxauth/server': src('server'),
        '@cxauth/regional': src('regional'),
      },
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.includes(path.normalize(d.file.fileName)))
      .map((d) => {
        const snippet = all[files.indexOf(path.normalize(d.file!.fileName))]!;
        return `${snippet.file} snippet ${snippet.i + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 60_000);
});
