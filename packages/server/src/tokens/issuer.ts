// Issuing a token response: the access token, then for a user the id_token (its at_hash needs the
// access token) when `openid` was granted, around the refresh token the grant minted, if any.
import type { JwtType } from '../keys/signer.js';
import { audienceOf, type Resources } from '../protocol/resource.js';
import { hasScope } from '../protocol/scope.js';
import { type AppTokenSubject, accessTokenClaims, type UserTokenSubject } from './access-token.js';
import { idTokenClaims } from './id-token.js';

/** What signs: a JwsSigner, or the KeyRing that holds the current one. */
export interface Signer {
  sign(typ: JwtType, claims: object): Promise<string>;
}

/** The successful token response body. @see RFC 6749 §5.1, RFC 8693 §2.2.1 (issued_token_type) */
export interface TokenResponse {
  access_token: string;
  /** `DPoP` when the access token is bound to a DPoP key (RFC 9449 §5). */
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  /** Absent for an application subject (client credentials: RFC 6749 §4.4.3). */
  refresh_token?: string;
  id_token?: string;
  issued_token_type: 'urn:ietf:params:oauth:token-type:access_token';
  scope: string;
}

interface IssueCommon {
  readonly clientId: string;
  readonly scope: string;
  readonly now: Date;
  /** The checked `resource` of the request (RFC 8707), if any: the token's `aud`. */
  readonly resource?: string | undefined;
}

/** Tokens for a user within a session, with the session's refresh token when the grant minted one. */
export interface UserIssueInput extends IssueCommon {
  readonly subject: UserTokenSubject;
  readonly refreshToken?: string;
  /** When the user authenticated (id_token `auth_time`): the sign-in, or the session's start. */
  readonly authTime: Date;
  /** False for an access token alone (token exchange, RFC 8693 §2.2.1); default true. */
  readonly idToken?: boolean;
  /** The authorization request's nonce (id_token `nonce`, OIDC Core §3.1.3.6). */
  readonly nonce?: string | undefined;
  /** How the user authenticated (id_token `amr`, RFC 8176). */
  readonly amr?: readonly string[] | undefined;
  /** The identity provider of a federated sign-in (id_token `idp`, docs/sso.md). */
  readonly idp?: string | undefined;
}

/** A token for an application itself: no refresh token, no id_token. */
export interface AppIssueInput extends IssueCommon {
  readonly subject: AppTokenSubject;
}

/** One issuance: a user subject of a session, or an application. */
export type IssueInput = UserIssueInput | AppIssueInput;

const forUser = (input: IssueInput): input is UserIssueInput => input.subject.kind === 'user';

interface IssuerOptions {
  readonly signer: Signer;
  readonly issuer: string;
  readonly resources: Resources;
  readonly accessTokenTtl: number;
  /** The DPoP key every access token of this issuer is bound to (`cnf.jkt`). */
  readonly jkt?: string | undefined;
}

/** Signs the tokens of one response with the active key. */
export class TokenIssuer {
  readonly #options: IssuerOptions;
  readonly #signer: Signer;
  readonly #issuer: string;
  readonly #resources: Resources;
  readonly #ttl: number;

  constructor(options: IssuerOptions) {
    this.#options = options;
    this.#signer = options.signer;
    this.#issuer = options.issuer;
    this.#resources = options.resources;
    this.#ttl = options.accessTokenTtl;
  }

  /**
   * This issuer for one request whose DPoP proof named key `jkt`: its access tokens carry
   * `cnf.jkt` and the response says `token_type: DPoP`.
   * @see RFC 9449 §5, §6.1
   */
  boundTo(jkt: string): TokenIssuer {
    return new TokenIssuer({ ...this.#options, jkt });
  }

  /** The DPoP key this issuer binds access tokens to, if any. */
  get jkt(): string | undefined {
    return this.#options.jkt;
  }

  /** The resources (audiences) this issuer serves. */
  get resources(): Resources {
    return this.#resources;
  }

  /** Builds the token response for `input`. @see RFC 9068, OIDC Core §3.1.3.3 */
  async issue(input: IssueInput): Promise<TokenResponse> {
    const now = Math.floor(input.now.getTime() / 1000);
    const { jkt } = this.#options;
    const claims = accessTokenClaims({
      issuer: this.#issuer,
      audience: audienceOf(input.resource, input.scope, this.#resources),
      clientId: input.clientId,
      subject: input.subject,
      scope: input.scope,
      now,
      ttl: this.#ttl,
    });
    const accessToken = await this.#signer.sign(
      'at+jwt',
      jkt === undefined ? claims : { ...claims, cnf: { jkt } },
    );
    // An application subject gets neither a refresh token nor an id_token (no user, no session).
    const refreshToken = forUser(input) ? input.refreshToken : undefined;
    const response: TokenResponse = {
      access_token: accessToken,
      token_type: jkt === undefined ? 'Bearer' : 'DPoP',
      expires_in: this.#ttl,
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      scope: input.scope,
    };
    if (forUser(input) && input.idToken !== false && hasScope(input.scope, 'openid')) {
      response.id_token = await this.#signer.sign(
        'JWT',
        idTokenClaims({
          issuer: this.#issuer,
          clientId: input.clientId,
          subject: input.subject,
          accessToken,
          now,
          authTime: Math.floor(input.authTime.getTime() / 1000),
          nonce: input.nonce,
          amr: input.amr,
          idp: input.idp,
          ttl: this.#ttl,
        }),
      );
    }
    return response;
  }
}
