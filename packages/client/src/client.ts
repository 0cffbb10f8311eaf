// The composition root of the SDK: one object that runs the whole flow of the reference document —
// discovery, access-key grant, tenant discovery, API calls — with cached and renewed tokens.

import { type ApiOptions, type ApiResponse, callApi } from './api.js';
import {
  type DiscoveryDocument,
  fetchDiscovery,
  fetchTenantConfiguration,
  type TenantConfiguration,
} from './discovery.js';
import { ClientError } from './errors.js';
import { type HttpOptions, httpContext, nonNegative } from './http.js';
import { isSafeApiBase, resolveIssuer } from './issuers.js';
import { tenantIdOf } from './jwt.js';
import { TokenCache, type TokenSet } from './token-cache.js';
import { type ClientCredentials, passwordGrant, refreshGrant, type TokenResponse } from './token-endpoint.js';

export interface ClientOptions extends HttpOptions {
  /** An issuer URL, or a hosted issuer's name (`cxone`, `cxone-gov`, `sov1-au`, `sov1-eu`, `sov1-uk`). */
  issuer: string;
  clientId?: string;
  clientSecret?: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  /** `scope` of the grant; the server's default (`openid`) when absent. */
  scope?: string;
  /** Client authentication at the token endpoint; `client_secret_basic` (the reference's) by default. */
  authMethod?: ClientCredentials['authMethod'];
  /** Base URL of API calls; when absent it is discovered from the token's tenant (step 6). */
  apiEndpoint?: string;
  /** Renew tokens this long before they expire, ms (default 60 000, capped at half their lifetime). */
  refreshSkewMs?: number;
  /** How long the discovery document is reused, ms (default 1 hour). */
  discoveryTtlMs?: number;
  /**
   * Where tokens come from instead of the access-key grant: e.g. an application's own
   * (`clientCredentials`) or a signed-in user's saved token. Called for the first token and again
   * whenever one is needed (expired, or refused with 401); its refresh tokens are not used. Without
   * it, the client needs `clientId`, `clientSecret`, `accessKeyId` and `accessKeySecret`.
   */
  tokenSource?: () => Promise<TokenResponse>;
}

export interface CxauthClient {
  /** The issuer identifier (a hosted name resolved to its URL, no trailing slash). */
  readonly issuer: string;
  /** The issuer's OpenID configuration, fetched once and cached. */
  discover(): Promise<DiscoveryDocument>;
  /** A valid token set: cached, renewed before expiry, one token request however many callers. */
  token(): Promise<TokenSet>;
  /** The `tenantId` claim of the current access token (read locally, step 5). */
  tenantId(): Promise<string>;
  /** The tenant's configuration with its `api_endpoint` (step 6), cached per tenant. */
  tenant(): Promise<TenantConfiguration>;
  /** Calls `{api_endpoint}{path}` with the bearer token (step 7) and returns the parsed body. */
  api<T = unknown>(method: string, path: string, options?: ApiOptions): Promise<T>;
  /** Like {@link CxauthClient.api}, with the status and headers of the answer. */
  request<T = unknown>(method: string, path: string, options?: ApiOptions): Promise<ApiResponse<T>>;
  /** Forgets the cached tokens (the next call makes a new grant). */
  forgetTokens(): void;
}

/**
 * Creates a client for one application and access key against one issuer.
 *
 * @example
 * const client = createClient({ issuer: 'cxone', clientId, clientSecret, accessKeyId, accessKeySecret });
 * const { ServerTime } = await client.api('GET', '/inContactAPI/services/v25.0/server-time');
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.3
 */
export function createClient(options: ClientOptions): CxauthClient {
  const issuer = resolveIssuer(options.issuer);
  const ctx = httpContext(options);
  const discoveryTtlMs = nonNegative(options.discoveryTtlMs, 3_600_000, 'discoveryTtlMs');
  const apiEndpoint = options.apiEndpoint === undefined ? undefined : apiBase(options.apiEndpoint);

  let discovery: { doc: Promise<DiscoveryDocument>; until: number } | undefined;
  const discover = (): Promise<DiscoveryDocument> => {
    if (discovery && ctx.now() < discovery.until) return discovery.doc;
    const doc = fetchDiscovery(ctx, issuer);
    const entry = { doc, until: Number.POSITIVE_INFINITY };
    discovery = entry;
    // Cache successes for the TTL from when they arrive; forget failures so the next call retries.
    doc.then(
      () => {
        entry.until = ctx.now() + discoveryTtlMs;
      },
      () => {
        if (discovery === entry) discovery = undefined;
      },
    );
    return doc;
  };

  const credentials = (): {
    client: ClientCredentials;
    key: { accessKeyId: string; accessKeySecret: string };
  } => {
    const missing = (['clientId', 'clientSecret', 'accessKeyId', 'accessKeySecret'] as const).filter(
      (name) => !options[name],
    );
    if (missing.length > 0) {
      throw new ClientError('invalid_config', `a token needs ${missing.join(', ')}`);
    }
    return {
      client: {
        clientId: options.clientId!,
        clientSecret: options.clientSecret!,
        ...(options.authMethod ? { authMethod: options.authMethod } : {}),
      },
      key: { accessKeyId: options.accessKeyId!, accessKeySecret: options.accessKeySecret! },
    };
  };

  const tokens = new TokenCache({
    now: ctx.now,
    refreshSkewMs: nonNegative(options.refreshSkewMs, 60_000, 'refreshSkewMs'),
    grant: async () => {
      if (options.tokenSource) return options.tokenSource();
      const { client, key } = credentials();
      const { token_endpoint } = await discover();
      return passwordGrant(ctx, token_endpoint, client, key, options.scope);
    },
    refresh: async (refreshToken) => {
      if (options.tokenSource) return options.tokenSource();
      const { client } = credentials();
      const { token_endpoint } = await discover();
      return refreshGrant(ctx, token_endpoint, client, refreshToken);
    },
  });

  const tenants = new Map<string, Promise<TenantConfiguration>>();
  const tenantOf = (tenantId: string): Promise<TenantConfiguration> => {
    let config = tenants.get(tenantId);
    if (!config) {
      config = fetchTenantConfiguration(ctx, issuer, tenantId);
      tenants.set(tenantId, config);
      config.catch(() => tenants.delete(tenantId));
    }
    return config;
  };
  const tenantId = async () => tenantIdOf((await tokens.get()).accessToken);
  const baseUrl = async () => apiEndpoint ?? (await tenantOf(await tenantId())).api_endpoint;

  return {
    issuer,
    discover,
    token: () => tokens.get(),
    tenantId,
    tenant: async () => tenantOf(await tenantId()),
    api: async <T = unknown>(method: string, path: string, apiOptions: ApiOptions = {}) =>
      (await callApi<T>(ctx, tokens, baseUrl, method, path, apiOptions)).data,
    request: <T = unknown>(method: string, path: string, apiOptions: ApiOptions = {}) =>
      callApi<T>(ctx, tokens, baseUrl, method, path, apiOptions),
    forgetTokens: () => tokens.clear(),
  };
}

/** An explicit `apiEndpoint`, checked like a discovered one: an absolute http(s) URL, no trailing slash. */
function apiBase(value: string): string {
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new ClientError('invalid_config', 'apiEndpoint must be an absolute http(s) URL');
  }
  if (!isSafeApiBase(value)) {
    throw new ClientError(
      'invalid_config',
      'apiEndpoint must use https (plain http only for 127.0.0.1/localhost)',
    );
  }
  return value.replace(/\/+$/, '');
}

/**
 * The client as a class, for those who prefer `new`: `new CxClient(options)` is `createClient(options)`.
 * Credentials live in a closure, so neither `JSON.stringify` nor `console.log` can show them.
 *
 * @example
 * const cx = new CxClient({ issuer: 'cxone', clientId, clientSecret, accessKeyId, accessKeySecret });
 * const time = await cx.api('GET', '/inContactAPI/services/v25.0/server-time');
 */
export class CxClient implements CxauthClient {
  readonly issuer: string;
  readonly #client: CxauthClient;

  constructor(options: ClientOptions) {
    this.#client = createClient(options);
    this.issuer = this.#client.issuer;
  }
  discover(): Promise<DiscoveryDocument> {
    return this.#client.discover();
  }
  token(): Promise<TokenSet> {
    return this.#client.token();
  }
  tenantId(): Promise<string> {
    return this.#client.tenantId();
  }
  tenant(): Promise<TenantConfiguration> {
    return this.#client.tenant();
  }
  api<T = unknown>(method: string, path: string, options?: ApiOptions): Promise<T> {
    return this.#client.api<T>(method, path, options);
  }
  request<T = unknown>(method: string, path: string, options?: ApiOptions): Promise<ApiResponse<T>> {
    return this.#client.request<T>(method, path, options);
  }
  forgetTokens(): void {
    this.#client.forgetTokens();
  }
}
