// Command-line parsing for every command: node:util's parseArgs with getopt's rule for option values.
//
// node:util refuses `--client-secret -Xy…` as "ambiguous" because the value starts with a dash, and
// one generated secret in 64 (base64url) does. getopt_long, which every Unix tool follows, gives an
// option that takes a value the next argument whatever it starts with; so does this, by joining
// `--name VALUE` into `--name=VALUE` (and `-n VALUE` into `-nVALUE`) before parsing. A missing value
// at the very end is still node's usage error, and everything after `--` stays positional.
import { type ParseArgsConfig, parseArgs as parseNodeArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` of node:util, where an option that takes a string takes the next argument as it is. */
export function parseArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseNodeArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  return parseNodeArgs({ ...config, args: joinValues(args, config.options ?? {}) }) as ReturnType<
    typeof parseNodeArgs<T>
  >;
}

/** The arguments with each string option's separate value joined to it. */
export function joinValues(args: readonly string[], options: Options): string[] {
  const takesValue = new Set<string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (spec.short) takesValue.add(`-${spec.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    if (takesValue.has(arg) && next !== undefined) {
      out.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
