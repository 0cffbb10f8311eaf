// Authorization requests (RFC 6749 §4.1.1) read without HTTP: an error after the client and redirect
// URI are known goes back by redirect and is an OAuthError with the RFC's code (RFC 6749 §4.1.2.1);
// one before is a page, never a redirect to a URI nobody checked (RFC 6749 §10.15).
import { describe, expect, it } from 'vitest';
import {
  AuthorizeError,
  AuthorizePageError,
  readRequest,
  requestClient,
} from '../src/protocol/authorization-request.js';
import { OAuthError } from '../src/protocol/errors.js';
import * as make from './support/storage-factories.js';

const REDIRECT = 'https://app.example.com/callback';
const app = make.application({ redirectUris: [REDIRECT], scopes: ['openid', 'profile'] });
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const good = {
  client_id: app.clientId,
  redirect_uri: REDIRECT,
  response_type: 'code',
  scope: 'openid',
  code_challenge: CHALLENGE,
  code_challenge_method: 'S256',
};

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('authorization request errors in the OAuth hierarchy', () => {
  it('reads a good request', () => {
    expect(readRequest(good, app, REDIRECT, app.scopes)).toMatchObject({
      clientId: app.clientId,
      scope: 'openid',
    });
  });

  it.each([
    [{ response_type: 'token' }, 'unsupported_response_type'],
    [{ code_challenge: undefined }, 'invalid_request'],
    [{ scope: 'openid admin' }, 'invalid_scope'],
    [{ request: 'eyJ' }, 'request_not_supported'],
    [{ prompt: 'none login' }, 'invalid_request'],
  ])('%o is an AuthorizeError (an OAuthError, %s) answered by redirect', (change, code) => {
    const err = thrown(() => readRequest({ ...good, ...change }, app, REDIRECT, app.scopes));
    expect(err).toBeInstanceOf(AuthorizeError);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).not.toBeInstanceOf(AuthorizePageError);
    expect((err as OAuthError).error).toBe(code);
    expect((err as OAuthError).status).toBe(400);
  });

  it.each([
    [{ client_id: undefined }, /client_id/],
    [{ client_id: 'unknown-client' }, /unknown/],
    [{ redirect_uri: 'https://attacker.example/steal' }, /not registered/],
    [{ redirect_uri: undefined }, /redirect_uri/],
  ])('%o is a page, never a redirect', async (change, message) => {
    const lookup = async (id: string) => (id === app.clientId ? app : undefined);
    const err = await requestClient({ ...good, ...change }, lookup).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AuthorizePageError);
    expect(err).not.toBeInstanceOf(AuthorizeError);
    expect((err as OAuthError).error).toBe('invalid_request');
    expect((err as Error).message).toMatch(message);
  });
});
