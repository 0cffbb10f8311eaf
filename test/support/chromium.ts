// The Chromium every browser test drives (through playwright-core): the system one when there is one
// (CHROMIUM_PATH, else /usr/bin/chromium), else the headless Chromium inside the @sparticuz/chromium npm
// package, so `npm install && npm test` needs nothing but Node. The package ships it brotli-compressed
// with the NSS and expat libraries it links against; both are unpacked once per package version into
// the temp folder and the libraries put on its LD_LIBRARY_PATH, so no system library beyond glibc is
// needed. CXAUTH_TEST_BROWSER=npm forces the npm one (=system the system one, failing without it).
// One difference to keep in mind: the npm build does not hand a navigation that follows a redirect to
// page.route (the request fails instead of being fulfilled); read such a request with
// page.waitForRequest instead, which both builds report.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliDecompress } from 'node:zlib';
import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const PACKAGE = '@sparticuz/chromium';

/** The arguments every test browser starts with: no sandbox (tests may run as root), nothing online. */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface FoundChromium {
  readonly source: 'system' | 'npm';
  readonly executablePath: string;
  /** What the browser's environment needs on top of the test's (the npm one's libraries and fonts). */
  readonly env: Readonly<Record<string, string>>;
}

const unbrotli = promisify(brotliDecompress);

/**
 * Writes the regular files and folders of an uncompressed tar archive (POSIX ustar, as the package's
 * archives are) under `into`; refuses anything else, or a path that would leave `into`.
 */
function untar(archive: Buffer, into: string): void {
  const text = (at: number, length: number) => {
    const field = archive.subarray(at, at + length);
    const end = field.indexOf(0);
    return field.subarray(0, end === -1 ? length : end).toString('utf8');
  };
  for (let at = 0; at + 512 <= archive.length; ) {
    const name = text(at, 100);
    if (name === '') break; // the two zero blocks that end an archive
    const prefix = text(at + 345, 155);
    const relative = path.normalize(prefix ? `${prefix}/${name}` : name);
    if (path.isAbsolute(relative) || relative.startsWith('..')) throw new Error(`unsafe path ${relative}`);
    const size = Number.parseInt(text(at + 124, 12).trim() || '0', 8);
    const mode = Number.parseInt(text(at + 100, 8).trim() || '644', 8);
    const type = text(at + 156, 1) || '0';
    const target = path.join(into, relative);
    if (type === '5') mkdirSync(target, { recursive: true });
    else if (type === '0') {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, archive.subarray(at + 512, at + 512 + size), { mode: mode & 0o755 });
    } else throw new Error(`tar entry ${relative} of type ${type}: not a file or folder`);
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

/** The package's folder (its compressed files are in bin/) and version, found up from its entry. */
function packageRoot(): { root: string; version: string } {
  let dir = path.dirname(createRequire(import.meta.url).resolve(PACKAGE));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        version: string;
      };
      if (name === PACKAGE) return { root: dir, version };
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`${PACKAGE} is not installed (npm install)`);
    dir = up;
  }
}

/**
 * The package's Chromium, unpacked into `<tmp>/cxauth-chromium-<version>`: built in a private folder
 * and renamed into place, so test files starting at once in several processes never see half of it.
 */
async function npmChromium(): Promise<FoundChromium> {
  const { root, version } = packageRoot();
  const dir = path.join(os.tmpdir(), `cxauth-chromium-${version}`);
  const found: FoundChromium = {
    source: 'npm',
    executablePath: path.join(dir, 'chromium'),
    env: { LD_LIBRARY_PATH: path.join(dir, 'lib'), FONTCONFIG_FILE: path.join(dir, 'fonts.conf') },
  };
  if (existsSync(found.executablePath)) return found;

  const work = mkdtempSync(path.join(os.tmpdir(), `cxauth-chromium-${version}-unpacking-`));
  try {
    const bin = (name: string) => unbrotli(readFileSync(path.join(root, 'bin', name)));
    const [binary, libraries, fonts] = await Promise.all([
      bin('chromium.br'),
      bin('al2023.tar.br'),
      bin('fonts.tar.br'),
    ]);
    writeFileSync(path.join(work, 'chromium'), binary, { mode: 0o755 });
    untar(libraries, work); // lib/: libnss3, libnspr4, libnssutil3, libexpat and their companions
    untar(fonts, path.join(work, 'fonts'));
    // The package's own fonts.conf names /tmp/fonts; this one names where they are here.
    writeFileSync(
      path.join(work, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
        `  <dir>${path.join(dir, 'fonts', 'fonts')}</dir>\n  <dir>/usr/share/fonts</dir>\n` +
        `  <cachedir>${path.join(dir, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    renameSync(work, dir);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    // Another process renamed its copy into place first: use that one.
    if (!existsSync(found.executablePath)) throw err;
  }
  return found;
}

/** Finds the browser as the module header says; fails (never skips) when the asked-for one is missing. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<FoundChromium> {
  const wanted = env['CXAUTH_TEST_BROWSER'] ?? '';
  if (wanted !== '' && wanted !== 'npm' && wanted !== 'system') {
    throw new Error(`CXAUTH_TEST_BROWSER must be npm or system, got "${wanted}"`);
  }
  if (wanted === 'npm') return npmChromium();
  const system = env['CHROMIUM_PATH'] || SYSTEM_CHROMIUM;
  if (existsSync(system)) return { source: 'system', executablePath: system, env: {} };
  if (wanted === 'system' || env['CHROMIUM_PATH']) {
    throw new Error(`${system} is missing (CHROMIUM_PATH, or unset CXAUTH_TEST_BROWSER to use ${PACKAGE})`);
  }
  return npmChromium();
}

/** Launches the test browser, headless, and says once which one it is. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const found = await findChromium();
  const browser = await chromium.launch({
    headless: true,
    ...options,
    executablePath: found.executablePath,
    args: [...ARGS, ...(options.args ?? [])],
    env: { ...process.env, ...found.env, ...options.env },
  });
  console.log(`browser tests: Chromium ${browser.version()} (${found.source}, ${found.executablePath})`);
  return browser;
}
