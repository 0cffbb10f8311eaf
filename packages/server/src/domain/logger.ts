// The logger the services write to: a pino-compatible subset (an object of fields, then a message),
// so grants and other services log without knowing Fastify; Fastify's request logger is one.

/** One level: the fields first (never a secret), then a fixed message. */
export type LogFn = (fields: Record<string, unknown>, message: string) => void;

export interface Logger {
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
}
