// GET|POST /auth/passkeys: the self-service page of a person's passkeys; GET /auth/passkeys.js: the
// sign-in pages' script (interaction/passkeys.ts and interaction/passkeys-script.ts).
import type { FastifyInstance } from 'fastify';
import { ROUTE } from '../http/routes.js';
import { refusePage } from '../interaction/outcome.js';
import { handlePasskeyPagePost, type PasskeyPageDeps, showPasskeyPage } from '../interaction/passkeys.js';
import { PASSKEYS_SCRIPT } from '../interaction/passkeys-script.js';
import { isForm } from '../protocol/params.js';
import type { Services } from '../services/index.js';

export function registerPasskeys(
  app: FastifyInstance,
  services: Pick<Services, 'config' | 'kek' | 'storage' | 'hasher' | 'signIn' | 'audit' | 'clock'>,
): void {
  const deps: PasskeyPageDeps = {
    ...services.signIn,
    config: services.config,
    storage: services.storage,
    hasher: services.hasher,
    kek: services.kek,
    audit: services.audit,
    action: ROUTE.passkeys.path,
  };
  const path = ROUTE.passkeys.path;
  app.get(ROUTE['passkeys-script'].path, (_request, reply) =>
    reply
      .header('Cache-Control', 'public, max-age=300')
      .header('X-Content-Type-Options', 'nosniff')
      .type('text/javascript; charset=utf-8')
      .send(PASSKEYS_SCRIPT),
  );
  app.get(path, (request, reply) => showPasskeyPage(deps, request, reply, services.clock()));
  app.post(path, async (request, reply) => {
    if (!isForm(request.headers['content-type'])) {
      return refusePage(reply, 415, 'This page is not valid', 'The form was not sent as a form.');
    }
    const body = (request.body ?? {}) as Record<string, unknown>;
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(body)) {
      if (typeof value !== 'string') {
        return refusePage(reply, 400, 'This page is not valid', `The field ${name} was sent more than once.`);
      }
      fields[name] = value;
    }
    return handlePasskeyPagePost(deps, request, reply, fields, services.clock());
  });
}
