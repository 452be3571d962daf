import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    // Live tests wait their turn for the test network (test/record/live-net.ts) in beforeAll.
    hookTimeout: 420_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
