// The shortest password a person may set (docs/people.md "Password policy"): the operator's
// CXAUTH_PASSWORD_MIN_LENGTH is a floor that a tenant's password_min_length may raise, never lower.
import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD_LENGTH, minLengthFor, passwordProblem } from '../src/secrets/passwords.js';

describe('password minimum per tenant', () => {
  it("is the platform's floor for a tenant that sets none", () => {
    expect(minLengthFor(undefined)).toBe(MIN_PASSWORD_LENGTH);
    expect(minLengthFor({}, 10)).toBe(10);
  });

  it("is the tenant's own when it asks for more than the floor", () => {
    expect(minLengthFor({ passwordMinLength: 14 }, 10)).toBe(14);
  });

  it("never goes below the platform's floor, whatever a tenant's Administrator sets", () => {
    expect(minLengthFor({ passwordMinLength: 8 }, 12)).toBe(12);
    const min = minLengthFor({ passwordMinLength: 8 }, 12);
    expect(passwordProblem('qz7 vx9 wk4', min)).toBe('a password needs at least 12 characters');
    expect(passwordProblem('qz7 vx9 wk4 ', min)).toBeUndefined();
  });
});
