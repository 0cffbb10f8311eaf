// Reading settings from the environment: one error type, and readers that say what to change.

/** A setting that cannot work; the message names the variable and what to change. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A whole number from `min` to `max`, or `fallback` when the variable is unset or empty. */
export function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; it is "${raw}".`);
  }
  return value;
}
