// The arguments every command parses: getopt's rule for option values on top of node:util.
import { describe, expect, it } from 'vitest';
import { joinValues, parseArgs } from '../src/args.js';

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
});
