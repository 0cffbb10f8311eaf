// Issuing a token response: the access token, then the id_token (its at_hash needs the access token)
// when `openid` was granted, around the refresh token the grant minted.

import type { JwtType } from '../keys/signer.js';
import { hasScope } from '../protocol/scope.js';
import { accessTokenClaims, type TokenSubject } from './access-token.js';
import { idTokenClaims } from './id-token.js';

/** What signs: a JwsSigner, or the KeyRing that holds the current one. */
export interface Signer {
  sign(typ: JwtType, claims: object): Promise<string>;
}

/** The successful token response body. @see RFC 6749 §5.1, RFC 8693 §2.2.1 (issued_token_type) */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  id_token?: string;
  issued_token_type: 'urn:ietf:params:oauth:token-type:access_token';
  scope: string;
}

export interface IssueInput extends TokenSubject {
  readonly clientId: string;
  readonly scope: string;
  readonly refreshToken: string;
  readonly now: Date;
  /** When the session began (id_token `auth_time`). */
  readonly authTime: Date;
}

/** Signs the tokens of one response with the active key. */
export class TokenIssuer {
  readonly #signer: Signer;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #ttl: number;

  constructor(options: { signer: Signer; issuer: string; audience: string; accessTokenTtl: number }) {
    this.#signer = options.signer;
    this.#issuer = options.issuer;
    this.#audience = options.audience;
    this.#ttl = options.accessTokenTtl;
  }

  /** Builds the token response for `input`. @see RFC 9068, OIDC Core §3.1.3.3 */
  async issue(input: IssueInput): Promise<TokenResponse> {
    const now = Math.floor(input.now.getTime() / 1000);
    const accessToken = await this.#signer.sign(
      'at+jwt',
      accessTokenClaims({
        issuer: this.#issuer,
        audience: this.#audience,
        clientId: input.clientId,
        user: input.user,
        tenant: input.tenant,
        scope: input.scope,
        now,
        ttl: this.#ttl,
      }),
    );
    const response: TokenResponse = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.#ttl,
      refresh_token: input.refreshToken,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      scope: input.scope,
    };
    if (hasScope(input.scope, 'openid')) {
      response.id_token = await this.#signer.sign(
        'JWT',
        idTokenClaims({
          issuer: this.#issuer,
          clientId: input.clientId,
          user: input.user,
          tenant: input.tenant,
          accessToken,
          now,
          authTime: Math.floor(input.authTime.getTime() / 1000),
          ttl: this.#ttl,
        }),
      );
    }
    return response;
  }
}
