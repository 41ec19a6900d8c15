// `npm test` must fail when a test fails, on a machine without PostgreSQL too: there the global
// setup starts an embedded PostgreSQL, whose package hooks the process's exit (async-exit-hook)
// and once turned every failed run into exit code 0 (test/setup/postgres.ts removes those hooks).
// This runs vitest itself, with the project's global setup forced onto the embedded cluster (the
// configured address points at a closed port), on one failing and one passing test.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(path.join(root, 'test', '.exit-code-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runVitest(assertion: string): { status: number | null; output: string } {
  const fixture = path.join(dir, `case-${Math.random().toString(36).slice(2)}.fixture.ts`);
  writeFileSync(fixture, `import { expect, it } from 'vitest';\nit('case', () => { ${assertion}; });\n`);
  const config = path.join(dir, `vitest-${path.basename(fixture, '.fixture.ts')}.config.mjs`);
  writeFileSync(
    config,
    `export default { test: { root: ${JSON.stringify(root)}, include: [${JSON.stringify(path.relative(root, fixture))}], globalSetup: ['test/setup/postgres.ts'] } };\n`,
  );
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', config], {
    cwd: root,
    env: { ...process.env, CONTAMOS_PG_ADMIN_URL: 'postgresql://postgres@127.0.0.1:1/none', CONTAMOS_SKIP_PG: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('the test run’s exit code with an embedded PostgreSQL', () => {
  it('is not 0 when a test fails, and 0 when all pass', () => {
    const failed = runVitest('expect(1).toBe(2)');
    expect(failed.output).toContain('started an embedded PostgreSQL');
    expect(failed.status, failed.output).not.toBe(0);
    const passed = runVitest('expect(1).toBe(1)');
    expect(passed.status, passed.output).toBe(0);
  });
});
