// What `npm pack` would publish of the packages users install alone, @cxauth/client and @cxauth/verify:
// the built modules and their types, the LICENSE, a README whose links work from the npm page, and a
// manifest that says where the code lives; never build state (.tsbuildinfo) nor source maps that point
// to sources left out of the tarball. Uses the build made by `npm test` (`npx tsc -b`).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const REPOSITORY = 'https://github.com/cxauth/cxauth';

/** The file list of `npm pack --dry-run --json` for one workspace. */
function packed(pkg: string): string[] {
  const out = execFileSync(
    'npm',
    ['pack', '--dry-run', '--json', '--ignore-scripts', '-w', `packages/${pkg}`],
    {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const [result] = JSON.parse(out) as Array<{ files: Array<{ path: string }> }>;
  return result!.files.map((f) => f.path).sort();
}

/** dist/… of every source module: what a build of src/ must ship. */
function builtModules(pkg: string): string[] {
  const src = path.join(root, 'packages', pkg, 'src');
  return (readdirSync(src, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .flatMap((f) => {
      const base = `dist/${f.replace(/\\/g, '/').replace(/\.ts$/, '')}`;
      return [`${base}.d.ts`, `${base}.js`];
    });
}

describe.each(['client', 'verify'])('@cxauth/%s as published', (pkg) => {
  const dir = path.join(root, 'packages', pkg);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));

  it('packs LICENSE, README.md, package.json and the built .js and .d.ts of every module, no map or build state', () => {
    const files = packed(pkg);
    // Every module built, and only modules, types and the three manifest files. (Not an exact list: a
    // dist/ left over from sources since moved may hold more modules, which a clean build removes.)
    expect(files).toEqual(
      expect.arrayContaining(['LICENSE', 'README.md', 'package.json', ...builtModules(pkg)]),
    );
    for (const file of files.filter((f) => !['LICENSE', 'README.md', 'package.json'].includes(f))) {
      expect(file).toMatch(/^dist\/[\w./-]+(?<!\.d)\.js$|^dist\/[\w./-]+\.d\.ts$/);
    }
    expect(files.filter((f) => /\.map$|tsbuildinfo/.test(f))).toEqual([]);
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      // No map is shipped, so no module may point to one.
      expect(readFileSync(path.join(dir, file), 'utf8'), file).not.toContain('sourceMappingURL');
    }
  }, 60_000);

  it('carries the Apache-2.0 license text its manifest names, the same as the repository root', () => {
    expect(manifest.license).toBe('Apache-2.0');
    const text = readFileSync(path.join(dir, 'LICENSE'), 'utf8');
    expect(text).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(text).toContain('END OF TERMS AND CONDITIONS');
    expect(text).toBe(readFileSync(path.join(root, 'LICENSE'), 'utf8'));
  });

  it('says where it comes from, what Node it needs, and that it is ESM only', () => {
    expect(manifest).toMatchObject({
      type: 'module',
      repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory: `packages/${pkg}` },
      homepage: `${REPOSITORY}/blob/main/packages/${pkg}/README.md`,
      bugs: { url: `${REPOSITORY}/issues` },
      engines: { node: expect.stringMatching(/^>=20\.\d+\.\d+$/) },
    });
    expect(manifest.keywords.length).toBeGreaterThan(3);
    expect(Object.keys(manifest.exports['.'])).toEqual(['types', 'default']);
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/ESM only/);
    const [, minor] = /^>=20\.(\d+)/.exec(manifest.engines.node)!;
    expect(readme).toContain(minor === '0' ? 'Node.js 20 or later' : `Node.js 20.${minor} or later`);
  });

  it('has a README whose links all work from the npm page (absolute, into the repository)', () => {
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1] as string);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      expect(link).toMatch(new RegExp(`^${REPOSITORY}/blob/main/`));
      const [file] = link.slice(`${REPOSITORY}/blob/main/`.length).split('#');
      expect(readdirSync(path.join(root, path.dirname(file!))), link).toContain(path.basename(file!));
    }
  });
});
