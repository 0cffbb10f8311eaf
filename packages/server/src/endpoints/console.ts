// GET /console/*: the web console's static files (packages/console/dist) with a strict CSP. Hashed
// assets are cached for a year; index.html, served for every path that is not a file (the app routes
// in the browser), is revalidated each time so a new build is picked up at once (docs/console.md).
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ROUTE, ROUTE_PREFIX } from '../http/routes.js';

/** The console's policy: its own scripts, styles and API only; never framed (CSP Level 3). */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Where `npm run build` puts the console, beside this package in the workspace. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../console/dist', import.meta.url));

const HTML = 'text/html; charset=utf-8';

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>cxauth console</title>
<h1>The console has not been built</h1>
<p>Run <code>npm run build</code> (or <code>npm start</code>) in the cxauth checkout, then reload this page.
The admin API at <code>/admin/v1</code> works without it.</p></html>`;

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/** The file below `root` that `rel` names, or undefined when it is not one (or escapes `root`). */
async function fileUnder(root: string, rel: string): Promise<string | undefined> {
  const candidate = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  try {
    const real = await realpath(candidate);
    if (!real.startsWith(root + path.sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the console from `dir` (default: the workspace's packages/console/dist). A missing build is
 * answered with a page saying how to build it (503), not an error.
 */
export function registerConsole(app: FastifyInstance, dir: string = DEFAULT_CONSOLE_DIR): void {
  const prefix = ROUTE_PREFIX.console.prefix;
  app.get(ROUTE.console.path, async (_request, reply) =>
    secure(reply)
      .code(301)
      .header('location', `${prefix}/`)
      .type(HTML)
      .send(`<a href="${prefix}/">${prefix}/</a>`),
  );
  app.get(`${prefix}/*`, async (request, reply) => {
    secure(reply);
    let root: string;
    try {
      root = await realpath(dir);
    } catch {
      return reply.code(503).header('cache-control', 'no-store').type(HTML).send(NOT_BUILT);
    }
    const rel = decodeURIComponent((request.params as { '*': string })['*'] ?? '');
    const file = rel.includes('\0') ? undefined : await fileUnder(root, rel);
    const hashed = file !== undefined && rel.startsWith('assets/');
    const target = file && !file.endsWith(`${path.sep}index.html`) ? file : path.join(root, 'index.html');
    let body: Buffer;
    try {
      body = await readFile(target);
    } catch {
      return reply.code(503).header('cache-control', 'no-store').type(HTML).send(NOT_BUILT);
    }
    // A path with a file extension that is not a file is a missing asset, not an app route.
    if (!file && path.posix.extname(rel) !== '') {
      return reply
        .code(404)
        .header('cache-control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send('not found');
    }
    reply.header(
      'cache-control',
      hashed && target === file ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    return reply.type(TYPES[path.extname(target)] ?? 'application/octet-stream').send(body);
  });
}
