// The domain model of consent: what a user allowed an application to receive (OAuth 2.0 Security
// BCP, RFC 9700 §4.1; the remembered grant of OIDC Core §3.1.2.4).

/** A user's remembered answer for one application: the scopes allowed so far. */
export interface Consent {
  userId: string;
  clientId: string;
  /** Every scope the user allowed the application, each once. */
  scopes: string[];
  createdAt: Date;
  updatedAt: Date;
}
