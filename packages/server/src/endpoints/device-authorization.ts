// POST /auth/device: the device authorization endpoint (RFC 8628 §3.1–3.2). An application allowed the
// device_code grant authenticates as at the token endpoint (throttled alike) and gets a device code to
// poll with, and a user code for the person to enter at /auth/device/verify.
import type { FastifyInstance } from 'fastify';
import { DEVICE_CODE, typeAllows } from '../domain/app-types.js';
import { sendJson } from '../http/headers.js';
import { ROUTE } from '../http/routes.js';
import { OAuthError } from '../protocol/errors.js';
import { checkResource } from '../protocol/resource.js';
import { parseScope } from '../protocol/scope.js';
import type { Services } from '../services/index.js';
import { mintDeviceAuthorization } from '../tokens/device-code.js';
import { type ClientRequestServices, clientRequest, formOnly, withClient } from './client-request.js';

/** What the endpoint reads. */
export type DeviceAuthorizationServices = ClientRequestServices &
  Pick<Services, 'storage' | 'tokens' | 'config'>;

/** A user code is drawn again this many times when its hash is taken (2^34.6 codes: about never). */
const USER_CODE_DRAWS = 5;

/** The verification URI people are sent to (RFC 8628 §3.2 `verification_uri`). */
export const verificationUri = (issuer: string): string => `${issuer}${ROUTE['device-verify'].path}`;

/**
 * Registers the device authorization endpoint.
 * @see RFC 8628 §3.1 (request), §3.2 (response), §3.3 (user interaction)
 */
export function registerDeviceAuthorization(
  app: FastifyInstance,
  services: DeviceAuthorizationServices,
): void {
  app.post(ROUTE['device-authorization'].path, {
    onRequest: formOnly,
    handler: async (fastifyRequest, reply) => {
      const request = clientRequest(fastifyRequest);
      const response = await withClient(
        request,
        services,
        [],
        async ({ client, params, now }) => {
          // Apps opt in: the registration and the type's table (domain/app-types.ts) must allow it.
          if (
            !client.grantTypes.includes(DEVICE_CODE) ||
            !typeAllows(client.type, client.tenancy, DEVICE_CODE)
          ) {
            throw new OAuthError(
              'unauthorized_client',
              'this client may not use the device authorization grant',
            );
          }
          const scope = parseScope(params['scope'], client.scopes);
          const resource = checkResource(params['resource'], services.tokens.resources, client);
          for (let draw = 1; ; draw++) {
            const minted = mintDeviceAuthorization(services.hasher, {
              clientId: client.clientId,
              scope,
              resource,
              now,
            });
            if (await services.storage.deviceAuthorizations.create(minted.record)) {
              const uri = verificationUri(services.config.issuer);
              return {
                device_code: minted.deviceCode,
                user_code: minted.userCode,
                verification_uri: uri,
                verification_uri_complete: `${uri}?user_code=${minted.userCode}`,
                expires_in: Math.round((minted.record.expiresAt.getTime() - now.getTime()) / 1000),
                interval: minted.record.interval,
              };
            }
            if (draw >= USER_CODE_DRAWS) throw new Error('no free user code');
          }
        },
        DEVICE_CODE,
      );
      return sendJson(reply, JSON.stringify(response));
    },
  });
}
