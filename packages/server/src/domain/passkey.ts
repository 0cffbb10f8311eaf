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

/** The longest name a passkey may have, in characters (after trimming). */
export const PASSKEY_NAME_MAX = 64;

/**
 * A passkey's name as given by a person: trimmed, 1 to {@link PASSKEY_NAME_MAX} characters, without
 * control or format characters (C0, DEL, C1, bidirectional marks and overrides, zero-width characters)
 * or line separators, which make a name read as another.
 * The name, or what is wrong with it in words.
 */
export function passkeyName(raw: string): { readonly name: string } | { readonly problem: string } {
  const name = raw.trim();
  if (name === '') return { problem: 'A passkey needs a name.' };
  if ([...name].length > PASSKEY_NAME_MAX) {
    return { problem: `A passkey's name has at most ${PASSKEY_NAME_MAX} characters.` };
  }
  // Controls (Cc), format characters (Cf: the bidirectional marks and overrides, zero-width characters,
  // the BOM) and the line and paragraph separators: what makes a name read as another, or break a line.
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name)) {
    return { problem: "A passkey's name cannot hold control characters." };
  }
  return { name };
}
