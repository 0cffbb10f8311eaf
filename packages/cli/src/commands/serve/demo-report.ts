// What `cxauth serve --demo` says of the demo credentials: printed once when created, else where they are.
import { DEMO_CREDENTIALS_FILE, type DemoSeed } from '@cxauth/server';
import { type Io, print } from '../../io.js';

export const SEEDED_ELSEWHERE =
  `the database was seeded by another node: the demo credentials are in its data folder ` +
  `(${DEMO_CREDENTIALS_FILE}); copy that file into this node's data folder to reuse them here`;

/** Says where the demo credentials are: printed once when created, else the file they are in. */
export function reportDemo(io: Io, seeded: DemoSeed): void {
  if (seeded.outcome === 'created') {
    io.stdout('\nDemo credentials (shown once; also written to the file below):');
    print(io, seeded.credentials, false);
    io.stdout(`saved to ${seeded.file} (mode 0600)`);
  } else if (seeded.outcome === 'reused') {
    io.stdout(`Demo credentials reused from ${seeded.file}`);
  } else {
    io.stdout(`Demo: ${SEEDED_ELSEWHERE} (${seeded.file})`);
  }
}
