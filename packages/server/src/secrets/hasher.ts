// The one interface for hashing secrets before they are stored (client secrets, access-key secrets,
// refresh tokens, codes): a keyed hash compared in constant time (secrets/random-secrets.ts
// SecretHasher). Declared here, beside its implementation, so protocol/ and the services use it
// without importing a token module.

/** What hashes secrets for storage and checks a presented secret against a stored hash. */
export interface Hasher {
  hash(secret: string): Buffer;
  verify(secret: string, hash: Buffer): boolean;
}
