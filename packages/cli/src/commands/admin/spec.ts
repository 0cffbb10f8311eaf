// The shape of one `cxauth admin <kind> <verb>` subcommand, and helpers to read its parsed options.
import type { Admin } from '@cxauth/server';
import { CliError, EXIT, type Io } from '../../io.js';

export type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; description: string };
export type Values = Record<string, string | boolean | string[] | undefined>;

export interface Verb {
  /** Usage line after `cxauth admin <kind> <verb>`. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** The id positional, when the verb takes one. */
  id?: string;
  /** True when the result carries a secret shown only this once. */
  secret?: boolean;
  run(admin: Admin, values: Values, id: string | undefined, io: Io): Promise<unknown>;
  /** The human (not --json) rendering of the result, when the generic one does not suit it. */
  format?: (result: unknown) => string;
}

/** `defaultVerb` runs when the verb is left out (`cxauth admin audit --since 1h`). */
export type Kind = { summary: string; verbs: Record<string, Verb>; defaultVerb?: string };

export function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new CliError(`--${name} is required`, EXIT.usage);
  return value;
}

export function optional(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function many(values: Values, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : [];
}

/** show / activate / deactivate of one record by id. */
export function byId(
  show: (admin: Admin, id: string) => Promise<unknown>,
  setStatus: (admin: Admin, id: string, status: 'active' | 'inactive') => Promise<unknown>,
): Record<'show' | 'activate' | 'deactivate', Verb> {
  return {
    show: { usage: 'ID', options: {}, id: 'ID', run: (admin, _v, id) => show(admin, id ?? '') },
    deactivate: {
      usage: 'ID',
      options: {},
      id: 'ID',
      run: (admin, _v, id) => setStatus(admin, id ?? '', 'inactive'),
    },
    activate: {
      usage: 'ID',
      options: {},
      id: 'ID',
      run: (admin, _v, id) => setStatus(admin, id ?? '', 'active'),
    },
  };
}

/**
 * `cxauth admin <kind> <verb> ID --set on|off`: one of a record's switches (`tenant sso-required`,
 * `tenant email-verification`).
 */
export function switchVerb(
  what: string,
  set: (admin: Admin, id: string, on: boolean) => Promise<unknown>,
): Verb {
  return {
    usage: `ID --set on|off  (on: ${what})`,
    id: 'ID',
    options: { set: { type: 'string', description: 'on or off' } },
    run: (admin, v, id) => {
      const value = v['set'];
      if (value !== 'on' && value !== 'off') throw new CliError('--set must be on or off', EXIT.usage);
      return set(admin, id ?? '', value === 'on');
    },
  };
}
