// The package boundaries docs/design.md fixes, checked on the sources: the client and verifier install
// alone (no server code), and each third-party seam stays in one place (docs/design.md).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function sources(pkg: string): string[] {
  const dir = path.join(root, 'packages', pkg, 'src');
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(dir, file));
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
}

function manifest(pkg: string): { dependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(path.join(root, 'packages', pkg, 'package.json'), 'utf8'));
}

describe('package boundaries', () => {
  it.each(['client', 'verify'])('@cxauth/%s depends on no other cxauth package', (pkg) => {
    expect(Object.keys(manifest(pkg).dependencies ?? {}).filter((d) => d.startsWith('@cxauth/'))).toEqual([]);
    for (const file of sources(pkg)) {
      expect(
        importsOf(file).filter((spec) => spec.startsWith('@cxauth/')),
        file,
      ).toEqual([]);
    }
  });

  it('@cxauth/client has no runtime dependency (it runs on fetch alone)', () => {
    expect(manifest('client').dependencies ?? {}).toEqual({});
  });

  it('@cxauth/regional is built only on @cxauth/verify, never on the server', () => {
    for (const file of sources('regional')) {
      expect(importsOf(file), file).not.toContain('@cxauth/server');
    }
  });

  it('in the server, only storage/ talks to the database drivers', () => {
    const src = path.join(root, 'packages', 'server', 'src');
    for (const file of sources('server')) {
      const drivers = importsOf(file).filter((spec) => ['kysely', 'better-sqlite3', 'pg'].includes(spec));
      if (drivers.length > 0) expect(path.relative(src, file)).toMatch(/^storage\//);
    }
  });

  it('in the server, protocol/ and config/ import no HTTP framework', () => {
    const src = path.join(root, 'packages', 'server', 'src');
    const plain = sources('server').filter((file) => /^(protocol|config)\//.test(path.relative(src, file)));
    expect(plain.length).toBeGreaterThan(0);
    for (const file of plain) {
      expect(
        importsOf(file).filter((spec) => /^(@fastify\/|fastify$)/.test(spec)),
        file,
      ).toEqual([]);
    }
  });

  it('in the verifier, one module imports jose', () => {
    const users = sources('verify').filter((file) => importsOf(file).includes('jose'));
    expect(users.length, users.join(', ')).toBeLessThanOrEqual(1);
  });
});

/** Every name a module exports, types included (what a user's `import { … }` can name). */
function exportedNames(file: string): string[] {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
  });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  return checker
    .getExportsOfModule(module)
    .map((s) => s.name)
    .sort();
}

/** What a resource server needs: the verifier, its claims and errors, the adapters, revocation, store. */
const VERIFY_SURFACE = [
  'AccessTokenClaims',
  'AccessTokenRole',
  'AppAccessTokenClaims',
  'AppSubject',
  'BaseAccessTokenClaims',
  'BearerErrorCode',
  'BearerErrorResponse',
  'FEED_EVENT',
  'FEED_METADATA',
  'FEED_TYPE',
  'FastifyBearerOptions',
  'FeedEntry',
  'FeedPage',
  'FetchLike',
  'HttpBearerOptions',
  'HttpMiddleware',
  'IdTokenClaims',
  'IdTokenOptions',
  'JwksDocument',
  'REVOCATION_KINDS',
  'RevocationKind',
  'RevocationOptions',
  'RevocationSet',
  'RevocationState',
  'RevocationStatus',
  'TOKEN_ERROR_CODES',
  'TokenError',
  'TokenErrorCode',
  'TokenSubject',
  'UserAccessTokenClaims',
  'UserSubject',
  'Verifier',
  'VerifierOptions',
  'VerifierStore',
  'appSubject',
  'bearerErrorResponse',
  'bearerToken',
  'claimsOf',
  'createVerifier',
  'fastifyBearer',
  'fileStore',
  'httpBearer',
  'isUserClaims',
  'parseSubject',
  'revocationDigest',
  'subjectOf',
  'tokenDigests',
  'userSubject',
  'verifyFeed',
].sort();

describe('shared internals stay out of what users install', () => {
  const verifyManifest = manifest('verify') as { exports: Record<string, unknown> };

  it("@cxauth/verify's index exports the verifier surface only (no listener, strict HTTP, fetch or cache)", () => {
    expect(exportedNames(path.join(root, 'packages/verify/src/index.ts'))).toEqual(VERIFY_SURFACE);
  });

  it('@cxauth/verify exports its index and the unversioned ./internal subpath, nothing else', () => {
    expect(Object.keys(verifyManifest.exports)).toEqual(['.', './internal']);
    expect(exportedNames(path.join(root, 'packages/verify/src/internal.ts'))).toEqual(
      ['FetchJsonOptions', 'FetchLike', 'Lru', 'fetchJson', 'isHeaderName'].sort(),
    );
  });

  it('only @cxauth/internal imports @cxauth/verify/internal', () => {
    for (const pkg of ['server', 'regional', 'cli', 'client', 'verify']) {
      for (const file of sources(pkg)) {
        expect(importsOf(file), file).not.toContain('@cxauth/verify/internal');
      }
    }
    expect(sources('internal').some((file) => importsOf(file).includes('@cxauth/verify/internal'))).toBe(
      true,
    );
  });

  it('@cxauth/internal is private, and never a dependency of @cxauth/verify or @cxauth/client', () => {
    const internal = JSON.parse(readFileSync(path.join(root, 'packages/internal/package.json'), 'utf8'));
    expect(internal).toMatchObject({ name: '@cxauth/internal', private: true, type: 'module' });
    for (const pkg of ['verify', 'client']) {
      const m = manifest(pkg) as Record<string, Record<string, string> | undefined>;
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
        expect(Object.keys(m[field] ?? {}), `${pkg} ${field}`).not.toContain('@cxauth/internal');
      }
    }
  });

  it('@cxauth/internal sits below the servers: of cxauth it imports only @cxauth/verify/internal', () => {
    for (const file of sources('internal')) {
      expect(
        importsOf(file).filter((spec) => spec.startsWith('@cxauth/')),
        file,
      ).toEqual(importsOf(file).includes('@cxauth/verify/internal') ? ['@cxauth/verify/internal'] : []);
    }
  });

  it('@cxauth/internal is built before its users (root workspaces and tsc -b references)', () => {
    const rootManifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const workspaces = rootManifest.workspaces as string[];
    const refs = (
      JSON.parse(readFileSync(path.join(root, 'tsconfig.json'), 'utf8')).references as { path: string }[]
    ).map((r) => r.path);
    for (const order of [workspaces, refs]) {
      const at = order.indexOf('packages/internal');
      expect(at).toBeGreaterThan(order.indexOf('packages/verify'));
      for (const user of ['packages/server', 'packages/regional', 'packages/cli']) {
        expect(order.indexOf(user)).toBeGreaterThan(at);
      }
    }
  });
});
