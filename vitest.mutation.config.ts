import { defineConfig } from 'vitest/config';

// The tests a mutation-testing run (`npm run test:mutation`, StrykerJS) runs against each mutant,
// per scope (CONTAMOS_MUTATION_SCOPE): the fast tests of the folder being mutated, SQLite only
// (the scripts set CONTAMOS_SKIP_PG=1). Not part of `npm test`. CONTAMOS_MUTATION_TESTS (comma-separated
// globs) replaces the scope's list, to run one file's mutants against only the tests that reach it, e.g.
// CONTAMOS_MUTATION_TESTS=test/unit/chain.test.ts npm run test:mutation:http -- --mutate server/http/chain.ts
const SCOPES: Record<string, string[]> = {
  crypto: ['test/crypto/**/*.test.ts'],
  // server/http: signatures, revocation, bodies, per-key limits (auth.ts, body.ts, rate-limit.ts),
  // the unauthenticated buckets and the known keys (shed.ts, known-credentials.ts), errors, logs
  http: [
    'test/api/intake.test.ts',
    'test/api/enrol-keys.test.ts',
    'test/api/revocation-race.test.ts',
    'test/api/limits.test.ts',
    'test/adversarial/malformed-bodies.test.ts',
    'test/unit/direct-routes.test.ts',
    'test/unit/chain.test.ts',
    'test/api/security-headers.test.ts',
    'test/adversarial/no-identifiers.test.ts',
    'test/adversarial/abuse-limits.test.ts',
    'test/adversarial/unauthenticated-buckets.test.ts',
  ],
  // server/disclosure: the definition of "protected" (primary.ts, rules.ts), and the engines
  // (LP, interval audit, secondary suppression, the whole-server model) through their known
  // answers, properties against an independent LP, and the audit. verdict-audit.test.ts's property
  // failed once in Stryker's instrumented dry run under load (it passes in npm test), so it is left out
  disclosure: [
    'test/disclosure/protection-rules.test.ts',
    'test/disclosure/known-answers.test.ts',
    'test/disclosure/audit.test.ts',
    'test/disclosure/linked-tables.test.ts',
    'test/disclosure/global-model.test.ts',
    'test/disclosure/global-properties.test.ts',
    'test/disclosure/global-filed.test.ts',
    'test/disclosure/properties.test.ts',
    'test/disclosure/repair-loop.test.ts',
    'test/unit/disclosure-*.test.ts',
  ],
};
const scope = process.env.CONTAMOS_MUTATION_SCOPE ?? 'crypto';
if (!SCOPES[scope]) throw new Error(`unknown CONTAMOS_MUTATION_SCOPE ${scope}`);
const only = process.env.CONTAMOS_MUTATION_TESTS?.split(',')
  .map((g) => g.trim())
  .filter(Boolean);

export default defineConfig({
  test: {
    include: only?.length ? only : SCOPES[scope],
    // isomorphic.test.ts reads the source files, which Stryker has instrumented (merkle.test.ts
    // skips its 100,000-leaf case under CONTAMOS_MUTATION_SCOPE)
    exclude: ['test/crypto/isomorphic.test.ts', 'node_modules/**'],
    globalSetup: ['test/setup/postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
