// GET|POST /auth/authorize: the authorization endpoint (code flow with PKCE) and, posted to the same
// path, the hosted sign-in form. Unknown apps and unregistered redirect URIs get a page, never a
// redirect; every other error goes back to the app with `state` and `iss`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { typeAllows } from '../../domain/app-types.js';
import type { Application } from '../../domain/types.js';
import { ROUTE } from '../../http/routes.js';
import { completeAuthorization } from '../../interaction/consent.js';
import { handleSignInPost, showSignIn } from '../../interaction/flow.js';
import { type InteractionDeps, refusePage } from '../../interaction/outcome.js';
import type { CurrentSignIn } from '../../interaction/session.js';
import {
  type AuthorizationRequest,
  AuthorizeError,
  AuthorizePageError,
  type RawParams,
  readRequest,
  redirectTo,
  requestClient,
} from '../../protocol/authorization-request.js';
import { isForm } from '../../protocol/params.js';
import type { Resources } from '../../protocol/resource.js';
import type { Services } from '../../services/index.js';
import type { Lookups } from '../../storage/lookups.js';
import { interactionDeps } from '../interaction.js';

export interface AuthorizeDeps extends InteractionDeps {
  readonly lookups: Lookups;
  readonly clock: () => Date;
  /** The resources a `resource` parameter may name (RFC 8707). */
  readonly resources: Resources;
}

/** A sign-in that satisfies the request (its tenant fits the app and hint, and it is recent enough). */
function fits(current: CurrentSignIn | undefined, req: AuthorizationRequest, now: Date): boolean {
  if (!current) return false;
  if (req.tenantId !== undefined && current.signIn.tenantId !== req.tenantId) return false;
  if (req.prompt === 'login') return false;
  if (req.maxAge !== undefined && now.getTime() - current.signIn.authTime.getTime() > req.maxAge * 1000) {
    return false;
  }
  return true;
}

async function authorize(
  deps: AuthorizeDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  params: RawParams,
  getApplication: (clientId: string) => Promise<Application | undefined>,
): Promise<FastifyReply> {
  const now = deps.clock();
  let client: { app: Application; redirectUri: string };
  try {
    client = await requestClient(params, getApplication);
  } catch (err) {
    if (!(err instanceof AuthorizePageError)) throw err;
    return refusePage(reply, 400, 'This sign-in link is not valid', err.message);
  }
  const { app, redirectUri } = client;
  const state = typeof params['state'] === 'string' ? params['state'] : undefined;
  const fail = (error: string, description: string) =>
    reply
      .header('Cache-Control', 'no-store')
      .header('Referrer-Policy', 'no-referrer')
      .redirect(
        redirectTo(redirectUri, deps.config.issuer, { error, error_description: description, state }),
        302,
      );
  let req: AuthorizationRequest;
  try {
    // Backends never sign people in (docs/sign-in.md); others need the grant in their registration.
    if (
      !app.grantTypes.includes('authorization_code') ||
      !typeAllows(app.type, app.tenancy, 'authorization_code')
    ) {
      throw new AuthorizeError(
        'unauthorized_client',
        'this application may not use the authorization code flow',
      );
    }
    req = readRequest(params, app, redirectUri, app.scopes, deps.resources);
  } catch (err) {
    if (!(err instanceof AuthorizeError)) throw err;
    return fail(err.error, err.description);
  }
  const current = await deps.sessions.current(request, now);
  if (fits(current, req, now) && current) {
    return completeAuthorization(deps, request, reply, { app, req, current, now });
  }
  // OIDC Core §3.1.2.1: prompt=none must not show anything.
  if (req.prompt === 'none') return fail('login_required', 'the user is not signed in');
  return showSignIn(deps, request, reply, app, req, now);
}

/**
 * Registers the authorization endpoint.
 * @see RFC 6749 §3.1 and §4.1, RFC 7636, RFC 9207, OIDC Core §3.1.2
 */
export function registerAuthorize(
  app: FastifyInstance,
  services: Pick<
    Services,
    | 'config'
    | 'kek'
    | 'storage'
    | 'hasher'
    | 'signIn'
    | 'lookups'
    | 'clock'
    | 'resources'
    | 'audit'
    | 'throttle'
    | 'mailer'
  >,
): void {
  const deps: AuthorizeDeps = {
    ...interactionDeps(services, ROUTE.authorize.path),
    lookups: services.lookups,
    clock: services.clock,
    resources: services.resources,
  };
  const handle = async (request: FastifyRequest, reply: FastifyReply, params: RawParams) => {
    const view = await deps.lookups.current(request);
    if (request.method === 'POST' && typeof params['interaction'] === 'string') {
      return handleSignInPost(
        deps,
        request,
        reply,
        params as Record<string, string>,
        view.application,
        deps.clock(),
      );
    }
    return authorize(deps, request, reply, params, view.application);
  };
  app.get(ROUTE.authorize.path, (request, reply) =>
    handle(request, reply, (request.query ?? {}) as RawParams),
  );
  app.post(ROUTE.authorize.path, async (request, reply) => {
    if (!isForm(request.headers['content-type'])) {
      return refusePage(reply, 415, 'This sign-in link is not valid', 'The form was not sent as a form.');
    }
    return handle(request, reply, (request.body ?? {}) as RawParams);
  });
}
