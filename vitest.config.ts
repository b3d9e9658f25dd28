import { defineConfig } from 'vitest/config';

// One test run for the whole repository. Suites that need a real control plane or real machines
// say so in their own files; shared global setups are listed here.
export default defineConfig({
  test: {
    include: ['harness/**/*.test.ts', 'operator/**/*.test.ts', 'lint/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    pool: 'forks',
    globalSetup: ['harness/src/testbed/vitest-global-setup.ts'],
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: 'artifacts/test-junit.xml' },
  },
});
