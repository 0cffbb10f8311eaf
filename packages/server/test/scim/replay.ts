// Provisioning sequences as data: each step is one request an identity provider sends, and what the
// answer must hold. `{{name}}` in a path or body is a value an earlier step saved from its answer.

export interface ReplayStep {
  /** What the identity provider's documentation calls the request. */
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below `/scim/v2/{tenantId}`, query included (already percent-encoded, as sent). */
  readonly path: string;
  readonly body?: unknown;
  readonly status: number;
  /** A subset the answer's body must contain. */
  readonly response?: unknown;
  /** Values to keep from the answer: name → dotted path in its body. */
  readonly save?: Readonly<Record<string, string>>;
  /** The user (by saved name) whose state the step must leave so. */
  readonly user?: { readonly id: string; readonly status?: 'active' | 'inactive'; readonly role?: string };
}

/** Replaces `{{name}}` (or its percent-encoded form, in a query) by the saved value, anywhere. */
export function fill<T>(value: T, saved: Readonly<Record<string, string>>): T {
  const text = JSON.stringify(value ?? null).replace(
    /(?:\{\{|%7B%7B)(\w+)(?:\}\}|%7D%7D)/g,
    (_, name: string) => {
      const found = saved[name];
      if (found === undefined) throw new Error(`nothing saved as ${name}`);
      return found;
    },
  );
  return JSON.parse(text) as T;
}

/** The value at a dotted path (`Resources.0.id`). */
export function at(body: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], body);
}

export const q = (filter: string) => encodeURIComponent(filter);
