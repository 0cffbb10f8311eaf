// The domain model of RFC 8628 device authorization: one pending request of a device (its device code
// and user code exist only as keyed hashes), approved or denied by a person at the verification page,
// then spent once by the device's token request.
import type { AuthMethod } from './sign-in.js';

/**
 * Where a device authorization stands: `pending` until the person answers, `approved` or `denied`
 * then, and `used` once the device exchanged its approval for tokens (RFC 8628 §3.4–3.5).
 */
export type DeviceAuthorizationStatus = 'pending' | 'approved' | 'denied' | 'used';

/** Who approved a device authorization, from which browser sign-in. */
export interface DeviceApproval {
  userId: string;
  /** The user's tenant. */
  tenantId: string;
  signInId: string;
  authTime: Date;
  amr: AuthMethod[];
}

export interface DeviceAuthorization {
  id: string;
  /** HMAC of the device code (secrets/hasher.ts): the device's secret. */
  deviceCodeHash: Buffer;
  /** HMAC of the user code as normalized (uppercase, no dash). */
  userCodeHash: Buffer;
  clientId: string;
  scope: string;
  /** RFC 8707 `resource` of the device authorization request, carried to the token. */
  resource: string | null;
  status: DeviceAuthorizationStatus;
  /** The minimum seconds between two polls (RFC 8628 §3.2); raised by `slow_down` (§3.5). */
  interval: number;
  lastPolledAt: Date | null;
  createdAt: Date;
  expiresAt: Date;
  /** Set once approved (kept when used). */
  approval: DeviceApproval | null;
  /** The grant session the exchange opened. */
  sessionId: string | null;
}
