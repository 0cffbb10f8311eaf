// SCIM errors (RFC 7644 §3.12): a status, an optional `scimType` keyword, a detail that names no secret,
// written in the error schema as `application/scim+json`.

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The `scimType` keywords of RFC 7644 §3.12, table 9. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    status: number,
    detail: string,
    scimType?: ScimType,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.headers = headers;
  }

  toJSON(): Record<string, unknown> {
    return {
      schemas: [ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.message,
    };
  }
}

/** 400 with a keyword: the request is malformed in the way the keyword says. */
export const badRequest = (scimType: ScimType, detail: string) => new ScimError(400, detail, scimType);

export const notFound = (what: string, id: string) =>
  new ScimError(404, `${what} ${JSON.stringify(id.slice(0, 64))} not found`);

/** RFC 7644 §3.3: a create or replace that would make a unique attribute ambiguous. */
export const uniqueness = (detail: string) => new ScimError(409, detail, 'uniqueness');

/** A bearer token missing, unknown or revoked (RFC 6750 §3.1, RFC 7644 §2). */
export const unauthorized = (detail = 'a valid SCIM bearer token is required') =>
  new ScimError(401, detail, undefined, { 'WWW-Authenticate': 'Bearer realm="scim"' });
