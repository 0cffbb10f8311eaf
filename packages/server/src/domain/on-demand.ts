// A dependency loaded at its first use rather than at start (docs/operations.md, "Parts loaded at first
// use"): the load is shared by every caller while it runs and kept once it succeeds; a load that fails
// is not kept, so a fault in finding or reading the module (too many open files, a file system that
// hiccups) is retried by the next request instead of failing every one until the process restarts.
// (A module whose own code threw while it was first evaluated stays failed: Node's ESM loader keeps it.)

/**
 * A part of the service that could not be loaded now. The HTTP layer answers 503 with `Retry-After`
 * (a fault, never the request's), names no module or path, and logs the cause.
 */
export class ModuleUnavailableError extends Error {
  override readonly name = 'ModuleUnavailableError';
  /** Seconds a client should wait before trying again (RFC 9110 §10.2.3). */
  readonly retryAfterSeconds = 5;
  constructor(what: string, options?: { cause?: unknown }) {
    super(`${what} could not be loaded`, options);
  }
}

/** `load`, run once on demand; `what` names the part for the log (never for a client). */
export function onDemand<T>(what: string, load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((cause: unknown) => {
      loading = undefined;
      throw new ModuleUnavailableError(what, { cause });
    });
    return loading;
  };
}
