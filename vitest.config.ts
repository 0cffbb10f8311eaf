// One test run for every package. Imports of @cxauth/* resolve to the sources, so a test never runs
// against a stale build; end-to-end tests that spawn `cxauth` use the build made by `npm test`.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      // Before '@cxauth/server', which would otherwise take this subpath as a prefix.
      '@cxauth/server/page-style': fileURLToPath(
        new URL('./packages/server/src/interaction/page-style.ts', import.meta.url),
      ),
      '@cxauth/server': src('server'),
      // Before '@cxauth/verify', likewise.
      '@cxauth/verify/internal': fileURLToPath(new URL('./packages/verify/src/internal.ts', import.meta.url)),
      '@cxauth/verify': src('verify'),
      '@cxauth/internal': src('internal'),
      '@cxauth/regional': src('regional'),
      '@cxauth/client': src('client'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'bench/test/**/*.test.js'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
