// A passkey (a WebAuthn credential) of a user: what the service keeps of it to verify its assertions.
// The public key is never shown (views carry only the name, dates, flags and transports).

export interface Passkey {
  readonly id: string;
  readonly userId: string;
  readonly tenantId: string;
  /** The credential ID, base64url (WebAuthn §6.1), unique across the service. */
  readonly credentialId: string;
  /** The COSE public key (WebAuthn §6.5.1). */
  readonly publicKey: Buffer;
  /** The signature counter of the last assertion (WebAuthn §6.1.1); 0 when the authenticator keeps none. */
  readonly counter: number;
  readonly name: string;
  /** The transports the browser reported at registration (`internal`, `usb`, `hybrid`…). */
  readonly transports: readonly string[];
  /** Backup eligible (BE) and backed up (BS): a synced, multi-device passkey (WebAuthn §6.1). */
  readonly backupEligible: boolean;
  readonly backedUp: boolean;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}
