// The arguments every command parses: getopt's rule for option values on top of node:util.
import { describe, expect, it } from 'vitest';
import { joinValues, parseArgs, positionalsLast } from '../src/args.js';

const options = {
  'client-secret': { type: 'string' },
  json: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
} as const;

describe('command-line arguments', () => {
  it('give a string option the next argument even when it starts with a dash', () => {
    const { values } = parseArgs({ args: ['--client-secret', '-abc', '--json'], options, strict: true });
    expect(values).toEqual({ 'client-secret': '-abc', json: true });
    expect(parseArgs({ args: ['-o', '--x'], options, strict: true }).values.output).toBe('--x');
  });

  it('leave booleans, joined values and everything after -- alone', () => {
    expect(joinValues(['--json', '-x', '--client-secret=-v', '--', '--output', 'y'], options)).toEqual([
      '--json',
      '-x',
      '--client-secret=-v',
      '--',
      '--output',
      'y',
    ]);
  });

  it('still refuse a value missing at the end and an unknown option', () => {
    expect(() => parseArgs({ args: ['--client-secret'], options, strict: true })).toThrow(/argument missing/);
    expect(() => parseArgs({ args: ['--nope'], options, strict: true })).toThrow(/Unknown option/);
  });

  it('take a positional argument that starts with a dash (a key id), in its place among the others', () => {
    const kid = '-xQ3v9Lk2mZpR7tYwUe1sNa0bCdEfGhIjKlMnOpQrStU';
    const parsed = parseArgs({
      args: ['retire', kid, '--json'],
      options,
      strict: true,
      allowPositionals: true,
    });
    expect(parsed.positionals).toEqual(['retire', kid]);
    expect(parsed.values).toEqual({ json: true });
    expect(positionalsLast(['a', '-o=x', '-', 'b', '--', '--json'], options)).toEqual([
      '-o=x',
      '--',
      'a',
      '-',
      'b',
      '--json',
    ]);
    // A short option's joined value, short options and unknown long options are still options.
    expect(
      parseArgs({ args: ['a', '-o', 'Authorization: x y'], options, strict: true, allowPositionals: true }),
    ).toMatchObject({ values: { output: 'Authorization: x y' }, positionals: ['a'] });
    expect(
      parseArgs({ args: ['-o', 'f', 'a'], options, strict: true, allowPositionals: true }).values,
    ).toEqual({
      output: 'f',
    });
    expect(() => parseArgs({ args: ['a', '--nope'], options, strict: true, allowPositionals: true })).toThrow(
      /Unknown option/,
    );
    // A command without positional arguments still refuses the word.
    expect(() => parseArgs({ args: [kid], options, strict: true })).toThrow(/Unknown option/);
  });
});
