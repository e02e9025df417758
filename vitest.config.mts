import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '@': path.resolve(import.meta.dirname),
      // 'server-only' throws outside React's server build; the tests are server code.
      'server-only': path.resolve(import.meta.dirname, 'test/harness/server-only.ts'),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    reporters: ['default', './test/harness/skip-reporter.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The teardown drops the test databases a busy server kept a file from dropping.
    teardownTimeout: 600_000,
    // Children such as `npm run migrate` inherit this; keep their output plain.
    // STRATA_AUTH_SECRET: a server database needs one (a fixed value is fine for tests).
    env: { NEXT_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0', LOG_LEVEL: 'silent', STRATA_AUTH_SECRET: 'test-secret-for-the-vitest-suite-0123456789' },
  },
});
