// The package boundaries and the server's layers docs/design.md fixes, checked on the sources: the
// client and verifier install alone (no server code), each third-party seam stays in one place, no
// package has an import circle, and no server module imports from a layer above its own.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

const PACKAGES = ['server', 'verify', 'internal', 'regional', 'client', 'cli', 'console'];

function sources(pkg: string): string[] {
  const dir = path.join(root, 'packages', pkg, 'src');
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => path.join(dir, file));
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
}

/** The source file a relative specifier names (`./x.js` is `./x.ts` or `./x.tsx`), or undefined. */
function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  const stem = base.replace(/\.(js|jsx|ts|tsx)$/, '');
  const candidates = [
    base,
    `${stem}.ts`,
    `${stem}.tsx`,
    path.join(base, 'index.ts'),
    path.join(base, 'index.tsx'),
  ];
  return candidates.find((file) => /\.tsx?$/.test(file) && existsSync(file));
}

/** Each source file of a package and the source files it imports (type-only imports included). */
function importGraph(pkg: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(pkg)) {
    const targets = importsOf(file)
      .map((spec) => resolve(file, spec))
      .filter((target): target is string => target !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The import circles of a graph, one per strongly connected component of more than one file (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) as number, low.get(target) as number));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file) as number, index.get(target) as number));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      const selfImport = (graph.get(file) ?? []).includes(file);
      if (component.length > 1 || selfImport) found.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

/**
 * The server's layers, bottom (0) to top, by folder under packages/server/src (the longest matching
 * prefix wins; files at the root are the composition root). docs/design.md draws the same table.
 */
const SERVER_LAYERS: Readonly<Record<string, number>> = {
  domain: 0,
  config: 0,
  'storage/contract': 1,
  'storage/errors.ts': 1,
  files: 1,
  protocol: 2,
  jobs: 2,
  'admin/api/schemas.ts': 2,
  'admin/api/webhook-schemas.ts': 2,
  'admin/api/idp-schemas.ts': 2,
  'admin/api/mail-template-schemas.ts': 2,
  federation: 3,
  secrets: 2,
  observability: 2,
  keys: 3,
  tokens: 3,
  throttling: 3,
  revocation: 3,
  interaction: 3,
  maintenance: 3,
  webhooks: 3,
  mail: 3,
  storage: 4,
  grants: 5,
  'admin/service': 5,
  scim: 5,
  services: 5,
  http: 6,
  endpoints: 7,
  'admin/api': 7,
  bootstrap: 8,
  '.': 8,
};

function layerOf(relative: string): { folder: string; rank: number } {
  const parts = relative.split('/');
  for (let n = parts.length; n > 0; n -= 1) {
    const folder = parts.slice(0, n).join('/');
    const rank = SERVER_LAYERS[folder];
    if (rank !== undefined) return { folder, rank };
  }
  const rank = SERVER_LAYERS['.'];
  if (parts.length === 1 && rank !== undefined) return { folder: '.', rank };
  throw new Error(`${relative}: its folder has no layer in SERVER_LAYERS (add it, and to docs/design.md)`);
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

  it('in the server, only the HTTP layers and the pages import the HTTP framework', () => {
    // Grants, tokens, keys and the admin service are called by the HTTP layers, the CLI and the
    // maintenance timers alike, so they speak the project's own types (domain/logger.ts and others).
    const src = path.join(root, 'packages', 'server', 'src');
    const plain = sources('server').filter((file) =>
      /^(domain|config|protocol|secrets|storage|keys|tokens|throttling|revocation|maintenance|grants|services|admin\/service)\//.test(
        path.relative(src, file),
      ),
    );
    expect(plain.length).toBeGreaterThan(0);
    for (const file of plain) {
      expect(
        importsOf(file).filter((spec) => /^(@fastify\/|fastify$)/.test(spec)),
        file,
      ).toEqual([]);
    }
  });

  it("in the CLI, commands parse arguments through src/args.ts (getopt's rule for values)", () => {
    const direct = sources('cli').filter(
      (file) =>
        !file.endsWith(path.join('src', 'args.ts')) &&
        /import\s*\{[^}]*\bparseArgs\b[^}]*\}\s*from\s*'node:util'/.test(readFileSync(file, 'utf8')),
    );
    expect(direct).toEqual([]);
  });

  it('in the verifier, one module imports jose', () => {
    const users = sources('verify').filter((file) => importsOf(file).includes('jose'));
    expect(users.length, users.join(', ')).toBeLessThanOrEqual(1);
  });
});

describe('layers', () => {
  it.each(PACKAGES)('@cxauth/%s has no import circle', (pkg) => {
    const graph = importGraph(pkg);
    expect(graph.size).toBeGreaterThan(0);
    const found = circles(graph).map((circle) => circle.map((file) => path.relative(root, file)));
    expect(found).toEqual([]);
  });

  it('in the server, no module imports from a layer above its own', () => {
    const src = path.join(root, 'packages', 'server', 'src');
    const upward: string[] = [];
    for (const [file, targets] of importGraph('server')) {
      const from = layerOf(path.relative(src, file));
      for (const target of targets) {
        const to = layerOf(path.relative(src, target));
        if (to.rank > from.rank) {
          upward.push(
            `${path.relative(src, file)} (${from.folder}, ${from.rank}) -> ${path.relative(src, target)} (${to.folder}, ${to.rank})`,
          );
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it('in the server, no two folders import each other, even within one layer', () => {
    // A folder is one part (mail/, interaction/, …): two parts that need each other are one part, or
    // share something that belongs below both (as domain/html.ts does for the pages and the mails).
    const src = path.join(root, 'packages', 'server', 'src');
    const folders = new Map<string, Set<string>>();
    for (const [file, targets] of importGraph('server')) {
      const from = layerOf(path.relative(src, file)).folder;
      const out = folders.get(from) ?? new Set<string>();
      for (const target of targets) {
        const to = layerOf(path.relative(src, target)).folder;
        if (to !== from) out.add(to);
      }
      folders.set(from, out);
    }
    expect(folders.size).toBeGreaterThan(10);
    const graph = new Map([...folders].map(([folder, to]) => [folder, [...to]]));
    expect(circles(graph)).toEqual([]);
  });

  it('the walk sees what it checks: a circle and an upward import are found when present', () => {
    const a = path.join(root, 'a.ts');
    const b = path.join(root, 'b.ts');
    expect(
      circles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([[a, b]]);
    expect(
      circles(
        new Map([
          [a, [b]],
          [b, []],
        ]),
      ),
    ).toEqual([]);
    expect(layerOf('domain/types.ts').rank).toBeLessThan(layerOf('grants/index.ts').rank);
    expect(layerOf('storage/contract/users.ts').rank).toBeLessThan(layerOf('storage/kysely/storage.ts').rank);
    expect(resolve(path.join(root, 'packages/server/src/server.ts'), './domain/types.js')).toBe(
      path.join(root, 'packages/server/src/domain/types.ts'),
    );
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
  'DPOP_ALGORITHMS',
  'DpopAlg',
  'DpopNonceOptions',
  'DpopOptions',
  'DpopProof',
  'DpopProofChecker',
  'DpopProofExpectation',
  'DpopReplayStore',
  'PresentedRequest',
  'createDpopProofChecker',
  'memoryReplayStore',
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
