import { defineConfig } from 'vitest/config';

// One run covers unit, property, API (SQLite and PostgreSQL), adversarial and end-to-end tests.
// Files run in parallel workers; each test file owns its own temporary database. The global setup
// picks this run's PostgreSQL once (the configured cluster, else an embedded one).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
