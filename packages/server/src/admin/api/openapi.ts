// The admin API's OpenAPI document as its routes declare it, built without a service behind them: what
// `npm run api:generate` writes to packages/console/openapi.json (docs/admin-api.md, "The contract").
import Fastify from 'fastify';
import type { ServerConfig } from '../../config/config.js';
import { type AdminApiDeps, registerAdminApi } from './index.js';

/**
 * A part of the service the document's routes never reach (they are declared, never called), with
 * the few members declaring them reads.
 */
function unserved<T extends object>(part: string, known: Record<string, unknown> = {}): T {
  return new Proxy(known as T, {
    get(target, name) {
      if (typeof name === 'string' && Object.hasOwn(target, name))
        return (target as Record<string, unknown>)[name];
      throw new Error(`the OpenAPI document's routes answer no requests (${part}.${String(name)})`);
    },
  });
}

/**
 * The document, with a relative `servers` entry (the issuer that serves it is the server), so the
 * same routes give the same bytes on every machine.
 */
export async function adminApiDocument(): Promise<Record<string, unknown>> {
  const app = Fastify({ logger: false });
  const deps: AdminApiDeps = {
    config: unserved<ServerConfig>('config', { issuer: '', bodyLimit: 16 * 1024 }),
    admin: unserved('admin'),
    audit: unserved('audit'),
    storage: unserved('storage'),
    verifier: unserved('verifier'),
    dpop: unserved('dpop'),
    webhooks: unserved<NonNullable<AdminApiDeps['webhooks']>>('webhooks'),
    clock: () => new Date(),
  };
  await registerAdminApi(app, deps, { servers: [{ url: '/' }] });
  await app.ready();
  const res = await app.inject({ url: '/admin/v1/openapi.json' });
  await app.close();
  if (res.statusCode !== 200) throw new Error(`the OpenAPI document did not build (${res.statusCode})`);
  return res.json();
}
