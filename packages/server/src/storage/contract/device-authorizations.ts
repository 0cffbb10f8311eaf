// The contract of the device-authorization aggregate (RFC 8628): created by the device authorization
// endpoint, found by the user code at the verification page and by the device code at the token
// endpoint, answered once, spent once, purged after it expired.
import type { DeviceApproval, DeviceAuthorization } from '../../domain/device-authorization.js';

/** What one poll of the token endpoint found: too soon (the interval it now has), or in time. */
export type DevicePoll = { outcome: 'slow_down'; interval: number } | { outcome: 'in_time' };

export interface DeviceAuthorizationRepository {
  /** Stores a new request; false when its user code's hash is taken (the caller draws another). */
  create(record: DeviceAuthorization): Promise<boolean>;
  get(id: string): Promise<DeviceAuthorization | undefined>;
  byDeviceCode(deviceCodeHash: Buffer): Promise<DeviceAuthorization | undefined>;
  byUserCode(userCodeHash: Buffer): Promise<DeviceAuthorization | undefined>;
  /**
   * Records a poll at `at`: when it comes sooner than `interval` seconds after the last one, the
   * interval grows by `penalty` seconds (RFC 8628 §3.5 `slow_down`).
   */
  poll(id: string, at: Date, penalty: number): Promise<DevicePoll>;
  /** Approves a pending, unexpired request, atomically; false when it was answered or expired. */
  approve(id: string, approval: DeviceApproval, at: Date): Promise<boolean>;
  /** Denies a pending, unexpired request, atomically; false when it was answered or expired. */
  deny(id: string, at: Date): Promise<boolean>;
  /** Spends an approved request for the grant session `sessionId`; at most one concurrent claim wins. */
  claim(id: string, sessionId: string, at: Date): Promise<boolean>;
  /** Deletes up to `limit` requests that expired before `at`, answered or not; returns how many. */
  purgeExpired(at: Date, limit: number): Promise<number>;
}
