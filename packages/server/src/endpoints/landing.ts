// GET /: what this service is and where to go from here — the console, discovery, the key set, the
// probes and the admin API's description, and the repository's docs by path (they are not served).
// An HTML page with the sign-in pages' strict policy (no script), or a small JSON index for clients
// that ask for JSON. It says nothing of the installation's state (whether it has an operator).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { html } from '../domain/html.js';
import { sendJson } from '../http/headers.js';
import { ROUTE, ROUTE_PREFIX } from '../http/routes.js';
import { sendPage, styleNonce } from '../interaction/html.js';

/** The docs a newcomer needs, by their path in the cxauth repository. */
const DOCS = [
  ['README.md', 'from git clone to a signed-in operator'],
  ['docs/admin.md', 'the cxauth admin command: areas, tenants, users, applications, keys'],
  ['docs/client.md', 'the client commands and SDK: tokens, discovery, API calls'],
  ['docs/operations.md', 'settings, several nodes, metrics, rotation, shutdown'],
  ['docs/endpoints.md', 'every endpoint of this service'],
] as const;

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
code{background:#f2f2f2;padding:0 .25rem;border-radius:3px}li{margin:.25rem 0}
@media (prefers-color-scheme:dark){body{background:#111;color:#eee}code{background:#333}a{color:#8ab4ff}}`;

/** The index of the service: every link, absolute, under `issuer`. */
export function landingIndex(issuer: string) {
  const base = issuer.replace(/\/+$/, '');
  return {
    issuer,
    console: `${base}${ROUTE_PREFIX.console.prefix}/`,
    discovery: `${base}${ROUTE.discovery.path}`,
    jwks: `${base}${ROUTE.jwks.path}`,
    tenant_discovery: `${base}${ROUTE['tenant-configuration'].path}?tenantId=`,
    admin_api: `${base}${ROUTE_PREFIX.admin.prefix}/openapi.json`,
    healthz: `${base}${ROUTE.healthz.path}`,
    readyz: `${base}${ROUTE.readyz.path}`,
    docs: DOCS.map(([path]) => path),
  };
}

/** True when the client asks for JSON rather than a page (an API client, `curl -H Accept:…`). */
function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /\bapplication\/json\b/i.test(accept) && !/\btext\/html\b/i.test(accept);
}

/** Registers the landing page at `/`. */
export function registerLanding(app: FastifyInstance, issuer: string): void {
  const index = landingIndex(issuer);
  const json = JSON.stringify(index);
  app.get(ROUTE.landing.path, async (request, reply) => {
    reply.header('Vary', 'Accept');
    if (wantsJson(request)) return sendJson(reply.header('Cache-Control', 'no-cache'), json);
    const nonce = styleNonce();
    const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>cxauth</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main>
<h1>cxauth</h1>
<p>The global authentication service for <code>${index.issuer}</code> (OAuth 2.0 and OpenID Connect).</p>
<h2>Start here</h2>
<ul>
<li><a href="${index.console}">The console</a>: sign in as an operator or a tenant's Administrator.</li>
<li>No operator yet? On the service's host: <code>cxauth admin bootstrap --email you@example.com</code> (it asks for the password).</li>
</ul>
<h2>Endpoints</h2>
<ul>
<li><a href="${index.discovery}">OpenID Provider metadata</a> (<code>${ROUTE.discovery.path}</code>)</li>
<li><a href="${index.jwks}">Signing keys</a> (<code>${ROUTE.jwks.path}</code>)</li>
<li>Tenant discovery: <code>${ROUTE['tenant-configuration'].path}?tenantId=…</code></li>
<li><a href="${index.admin_api}">The admin API</a> (OpenAPI 3.1)</li>
<li><a href="${index.healthz}">Liveness</a> and <a href="${index.readyz}">readiness</a></li>
</ul>
<h2>Documentation</h2>
<p>In the cxauth repository (not served here):</p>
<ul>
${DOCS.map(([path, what]) => html`<li><code>${path}</code>: ${what}</li>\n`)}
</ul>
</main></body></html>`;
    // The sign-in pages' headers: no script, its one stylesheet by nonce, never framed.
    return sendPage(reply, 200, page, nonce);
  });
}
