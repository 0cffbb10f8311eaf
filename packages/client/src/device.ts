// Signing a user in on a device without a browser (RFC 8628): ask the issuer's device authorization
// endpoint for a user code, show the person where to enter it, and poll the token endpoint at the
// interval the issuer asks (slower after each `slow_down`) until the person approved or denied, or the
// code expired. fetch only: no dependency.
import { fetchDiscovery, jsonObject } from './discovery.js';
import { ClientError } from './errors.js';
import { type HttpOptions, httpContext, send } from './http.js';
import { checkIdToken } from './id-token.js';
import { resolveIssuer } from './issuers.js';
import type { SignInResult } from './sign-in.js';
import { authenticate, type GrantClient, refusal, tokenRequest } from './token-endpoint.js';

const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

/** Options of {@link startDeviceAuthorization}: the app (public: its id only) and the issuer. */
export interface DeviceAuthorizationOptions extends HttpOptions, GrantClient {
  /** An issuer URL or a hosted issuer's name. */
  issuer: string;
  /** Default `openid profile offline_access`. */
  scope?: string;
  /** The API the tokens are for (RFC 8707 §2). */
  resource?: string;
}

/**
 * A started device authorization: show `userCode` and `verificationUri` (or `verificationUriComplete`,
 * e.g. as a QR code) to the person, then {@link pollDeviceAuthorization}. `deviceCode` is a secret.
 */
export interface PendingDeviceAuthorization {
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** Milliseconds since the epoch after which the code is dead. */
  expiresAt: number;
  /** Seconds between polls, as the issuer asked (RFC 8628 §3.2; 5 when it said nothing). */
  interval: number;
}

/** Options of {@link pollDeviceAuthorization}. */
export interface DevicePollOptions extends HttpOptions {
  clientSecret?: string;
  authMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Stops polling (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Tolerated clock skew for the id_token's `exp` and `iat`, seconds. Default 60. */
  clockToleranceSec?: number;
}

/**
 * Starts a device authorization at the issuer's `device_authorization_endpoint`.
 *
 * @example
 * const device = await startDeviceAuthorization({ issuer, clientId });
 * console.log(`Open ${device.verificationUri} and enter ${device.userCode}`);
 * const { tokens, claims } = await pollDeviceAuthorization(device);
 * @throws {ClientError} `invalid_config`, `discovery_failed` (no device_authorization_endpoint),
 *   `invalid_client`, `token_request_failed` (e.g. `unauthorized_client`: the app did not opt in),
 *   `invalid_token_response`, `network`, `timeout`, `rate_limited`
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.1, RFC 8628 §3.2
 */
export async function startDeviceAuthorization(
  options: DeviceAuthorizationOptions,
): Promise<PendingDeviceAuthorization> {
  if (!options.clientId) throw new ClientError('invalid_config', 'clientId is required to sign in');
  const ctx = httpContext(options);
  const issuer = resolveIssuer(options.issuer);
  const doc = await fetchDiscovery(ctx, issuer);
  const endpoint = doc['device_authorization_endpoint'];
  if (typeof endpoint !== 'string') {
    throw new ClientError('discovery_failed', 'the discovery document has no device_authorization_endpoint');
  }
  const pairs: Array<[string, string]> = [['scope', options.scope ?? 'openid profile offline_access']];
  if (options.resource !== undefined) pairs.push(['resource', options.resource]);
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
  authenticate(options, headers, pairs);
  const res = await send(ctx, endpoint, {
    method: 'POST',
    headers,
    body: new URLSearchParams(pairs).toString(),
  });
  const body = jsonObject(res.text);
  if (res.status !== 200) throw refusal(res.status, body, res.text, 'the device authorization request');
  const bad = (why: string) =>
    new ClientError('invalid_token_response', `the device authorization response ${why}`);
  const text = (name: string) =>
    typeof body?.[name] === 'string' && body[name] !== '' ? (body[name] as string) : undefined;
  const deviceCode = text('device_code');
  const userCode = text('user_code');
  const verificationUri = text('verification_uri');
  const expiresIn = body?.['expires_in'];
  if (!deviceCode || !userCode || !verificationUri)
    throw bad('lacks device_code, user_code or verification_uri');
  if (typeof expiresIn !== 'number' || !(expiresIn > 0)) throw bad('has no positive expires_in');
  const interval = body?.['interval'];
  const complete = text('verification_uri_complete');
  return {
    issuer,
    clientId: options.clientId,
    tokenEndpoint: doc.token_endpoint,
    deviceCode,
    userCode,
    verificationUri,
    ...(complete === undefined ? {} : { verificationUriComplete: complete }),
    expiresAt: ctx.now() + expiresIn * 1000,
    interval: typeof interval === 'number' && interval > 0 ? interval : 5,
  };
}

/**
 * Polls the token endpoint until the person answered: the tokens (and the id_token's claims, when
 * `openid` was asked) once approved. Waits `interval` seconds before each poll, 5 more after each
 * `slow_down` (RFC 8628 §3.5).
 *
 * @throws {ClientError} `access_denied` (the person denied), `authorization_expired` (the code expired
 *   first), `invalid_grant`, `invalid_client`, `token_request_failed`, `invalid_token_response`,
 *   `invalid_id_token`, `network`, `timeout`
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.4, RFC 8628 §3.5
 */
export async function pollDeviceAuthorization(
  device: PendingDeviceAuthorization,
  options: DevicePollOptions = {},
): Promise<SignInResult> {
  const ctx = httpContext(options);
  const client: GrantClient = {
    clientId: device.clientId,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    ...(options.authMethod === undefined ? {} : { authMethod: options.authMethod }),
  };
  const expired = () =>
    new ClientError(
      'authorization_expired',
      'the device code expired before the person answered: start again',
      {
        error: 'expired_token',
      },
    );
  let interval = device.interval;
  for (;;) {
    options.signal?.throwIfAborted();
    if (ctx.now() + interval * 1000 >= device.expiresAt) throw expired();
    await ctx.sleep(interval * 1000);
    options.signal?.throwIfAborted();
    try {
      const tokens = await tokenRequest(
        ctx,
        device.tokenEndpoint,
        client,
        [
          ['grant_type', DEVICE_CODE],
          ['device_code', device.deviceCode],
        ],
        'the device code (used, or not this application’s)',
      );
      const claims =
        typeof tokens.id_token === 'string'
          ? checkIdToken(tokens.id_token, device, ctx.now() / 1000, options.clockToleranceSec ?? 60)
          : {};
      return { tokens, claims };
    } catch (err) {
      if (!(err instanceof ClientError)) throw err;
      if (err.error === 'authorization_pending') continue;
      if (err.error === 'slow_down') {
        interval += 5;
        continue;
      }
      if (err.error === 'expired_token') throw expired();
      if (err.error === 'access_denied') {
        throw new ClientError('access_denied', 'the person denied the sign-in on the device', {
          error: 'access_denied',
        });
      }
      throw err;
    }
  }
}
