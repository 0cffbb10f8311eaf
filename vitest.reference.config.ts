// The reference tests against upstream implementations installed from the system (SimpleSAMLphp from
// Debian): `npm run test:simplesamlphp`, not part of `npm test`, as `npm run test:ha` is not.
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: { ...base.test, include: ['packages/server/test-reference/**/*.test.ts'] },
});
