// Command-line parsing for every command: node:util's parseArgs with getopt's rule for option values.
//
// node:util refuses `--client-secret -Xy…` as "ambiguous" because the value starts with a dash, and
// one generated secret in 64 (base64url) does. getopt_long, which every Unix tool follows, gives an
// option that takes a value the next argument whatever it starts with; so does this, by joining
// `--name VALUE` into `--name=VALUE` (and `-n VALUE` into `-nVALUE`) before parsing. A missing value
// at the very end is still node's usage error, and everything after `--` stays positional.
//
// A command that takes positional arguments also takes one that starts with a dash, as a key id or a
// secret may (`cxauth admin signing-key retire -Xy…`): a single-dash word that cannot be short options
// (its first letter is none, or it is longer than anyone groups flags) is a positional argument, not
// "Unknown option '-X'". Such a command's positional arguments are passed after a `--`, in their order.
import { type ParseArgsConfig, parseArgs as parseNodeArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` of node:util, where an option that takes a string takes the next argument as it is. */
export function parseArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseNodeArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  const joined = joinValues(args, config.options ?? {});
  return parseNodeArgs({
    ...config,
    args: config.allowPositionals ? positionalsLast(joined, config.options ?? {}) : joined,
  }) as ReturnType<typeof parseNodeArgs<T>>;
}

/** Longer than this, a single-dash word is never a group of short flags. */
const MAX_SHORT_GROUP = 4;

/**
 * `args` (values joined) with the options first and every positional argument after one `--`: the
 * words that start with no dash, the dash-first words that cannot be short options, and all after `--`.
 */
export function positionalsLast(args: readonly string[], options: Options): string[] {
  const shorts = new Map<string, boolean>();
  for (const spec of Object.values(options)) {
    if (spec.short) shorts.set(spec.short, spec.type === 'string');
  }
  /** `-Xvalue` of a string option, or a short group of flags; else a dash-first word. */
  const isShortOption = (arg: string): boolean => {
    const takesValue = shorts.get(arg[1] as string);
    if (takesValue === undefined) return false;
    return takesValue || arg.length <= MAX_SHORT_GROUP + 1;
  };
  const flags: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    const dashWord = /^-[^-]/.test(arg) && arg.length > 2 && !isShortOption(arg);
    if (arg === '-' || !arg.startsWith('-') || dashWord) positionals.push(arg);
    else flags.push(arg);
  }
  return positionals.length === 0 ? flags : [...flags, '--', ...positionals];
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
