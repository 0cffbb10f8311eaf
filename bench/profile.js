// `node bench/profile.js <file.cpuprofile> [top]`: where a profiled cxauth serve spent its CPU time.
import { profileText, summarizeProfile } from './lib/profile.js';

const [file, top] = process.argv.slice(2);
if (!file) {
  process.stderr.write('Usage: node bench/profile.js <file.cpuprofile> [top]\n');
  process.exit(2);
}
process.stdout.write(`${profileText(file, summarizeProfile(file, Number(top ?? 25)))}\n`);
