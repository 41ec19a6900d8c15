import { defineConfig } from 'vitest/config';

// The tests a mutation-testing run (`npm run test:mutation`, StrykerJS) runs against each mutant,
// per scope (CONTAMOS_MUTATION_SCOPE): the fast tests of the folder being mutated, SQLite only
// (the scripts set CONTAMOS_SKIP_PG=1). Not part of `npm test`.
const SCOPES: Record<string, string[]> = {
  crypto: ['test/crypto/**/*.test.ts'],
  // the request-security core of server/http (auth.ts, body.ts, rate-limit.ts: see stryker.http.json)
  http: [
    'test/api/intake.test.ts', 'test/api/enrol-keys.test.ts', 'test/api/revocation-race.test.ts', 'test/api/limits.test.ts',
    'test/adversarial/malformed-bodies.test.ts', 'test/unit/direct-routes.test.ts',
    'test/api/security-headers.test.ts', 'test/adversarial/no-identifiers.test.ts',
  ],
  // the definition of "protected" (primary.ts, rules.ts: see stryker.disclosure.json); the LP
  // engines themselves take minutes per mutant on 2 shared cores; verdict-audit.test.ts's
  // property failed once in Stryker's instrumented dry run under load (not investigated further;
  // it passes in npm test), so it is left out
  disclosure: ['test/disclosure/protection-rules.test.ts', 'test/disclosure/known-answers.test.ts', 'test/disclosure/audit.test.ts'],
};
const scope = process.env.CONTAMOS_MUTATION_SCOPE ?? 'crypto';
if (!SCOPES[scope]) throw new Error(`unknown CONTAMOS_MUTATION_SCOPE ${scope}`);

export default defineConfig({
  test: {
    include: SCOPES[scope],
    // merkle.test.ts's property test takes over a minute once instrumented (merkle.ts is left out);
    // isomorphic.test.ts reads the source files, which Stryker has instrumented
    exclude: ['test/crypto/merkle.test.ts', 'test/crypto/isomorphic.test.ts', 'node_modules/**'],
    globalSetup: ['test/setup/postgres.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
