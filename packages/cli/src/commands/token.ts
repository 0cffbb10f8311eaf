// Placeholder until its issue lands.
import { CliError, type Io } from '../io.js';

export async function run(_argv: string[], _io: Io): Promise<number> {
  throw new CliError('not built yet');
}
