// The ClientError a promise rejects with (the test fails if it resolves or rejects with anything else).
import { type ClientError, isClientError } from '@cxauth/client';

export async function failure(promise: Promise<unknown>): Promise<ClientError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isClientError(err)) throw new Error(`expected a ClientError, got ${String(err)}`);
  return err;
}
