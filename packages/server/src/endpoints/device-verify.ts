// GET|POST /auth/device/verify: the verification page of RFC 8628 device authorization (the pages and
// their steps are interaction/device-verify.ts).
import type { FastifyInstance } from 'fastify';
import { ROUTE } from '../http/routes.js';
import {
  type DeviceVerifyDeps,
  handleVerificationPost,
  showVerification,
} from '../interaction/device-verify.js';
import { refusePage } from '../interaction/outcome.js';
import { isForm } from '../protocol/params.js';
import type { Services } from '../services/index.js';
import type { Lookups } from '../storage/lookups.js';
import { interactionDeps } from './interaction.js';

interface DeviceVerifyEndpointDeps extends DeviceVerifyDeps {
  readonly lookups: Lookups;
  readonly clock: () => Date;
}

/**
 * Registers the verification page.
 * @see RFC 8628 §3.3
 */
export function registerDeviceVerify(
  app: FastifyInstance,
  services: Pick<
    Services,
    'config' | 'kek' | 'storage' | 'hasher' | 'signIn' | 'audit' | 'throttle' | 'lookups' | 'clock' | 'mailer'
  >,
): void {
  const deps: DeviceVerifyEndpointDeps = {
    ...interactionDeps(services, ROUTE['device-verify'].path),
    audit: services.audit,
    addressThrottle: services.throttle,
    lookups: services.lookups,
    clock: services.clock,
  };
  const path = ROUTE['device-verify'].path;
  app.get(path, (request, reply) =>
    showVerification(deps, request, reply, (request.query ?? {}) as Record<string, unknown>, deps.clock()),
  );
  app.post(path, async (request, reply) => {
    if (!isForm(request.headers['content-type'])) {
      return refusePage(reply, 415, 'This page is not valid', 'The form was not sent as a form.');
    }
    const view = await deps.lookups.current(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    // Each field once: a repeated one is no form of ours.
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(body)) {
      if (typeof value !== 'string') {
        return refusePage(
          reply,
          400,
          'This page is not valid',
          `The field ${name.slice(0, 40)} is given more than once.`,
        );
      }
      fields[name] = value;
    }
    return handleVerificationPost(deps, request, reply, fields, view.application, deps.clock());
  });
}
