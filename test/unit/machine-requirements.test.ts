// test/helpers/requires.ts and the rule that makes `npm test` pass on a machine with only Node:
// a program is found only when it is a real executable file, a missing one is skipped with a
// visible line or, when the run requires it, fails; and no test reaches PostgreSQL or a browser
// except through the shared helpers (which know the embedded cluster's port and the skip rule).
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { findBinary, requireBinary } from '../helpers/requires.js';

const dir = mkdtempSync(path.join(tmpdir(), 'contamos-requires-'));
const bin = path.join(dir, 'bin');
mkdirSync(bin);
writeFileSync(path.join(bin, 'tool'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
writeFileSync(path.join(bin, 'plain'), 'not a program\n', { mode: 0o644 });
mkdirSync(path.join(bin, 'folder'));
symlinkSync(path.join(bin, 'nowhere'), path.join(bin, 'dangling'));
symlinkSync('/dev/null', path.join(bin, 'devnull'));
chmodSync(path.join(bin, 'folder'), 0o755);

afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('findBinary', () => {
  it('finds an executable file by path or by name on PATH', () => {
    vi.stubEnv('PATH', bin);
    expect(findBinary([path.join(bin, 'tool')])).toBe(path.join(bin, 'tool'));
    expect(findBinary(['tool'])).toBe(path.join(bin, 'tool'));
    expect(findBinary(['missing', 'tool'])).toBe(path.join(bin, 'tool'));
  });

  it('does not take a device (a path bound over /dev/null), a directory, a dangling link or a non-executable file for a program', () => {
    vi.stubEnv('PATH', bin);
    for (const name of ['devnull', 'folder', 'dangling', 'plain', 'missing']) {
      expect(findBinary([name]), name).toBeUndefined();
      expect(findBinary([path.join(bin, name)]), name).toBeUndefined();
    }
    expect(findBinary(['/dev/null'])).toBeUndefined();
  });
});

describe('requireBinary', () => {
  it('returns the path of a program that is there, silently', () => {
    vi.stubEnv('PATH', bin);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requireBinary('tool')).toBe(path.join(bin, 'tool'));
    expect(warn).not.toHaveBeenCalled();
  });

  it('when missing, says in one line which tests are skipped and why, and returns undefined', () => {
    vi.stubEnv('PATH', bin);
    vi.stubEnv('CONTAMOS_REQUIRE_BINARIES', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requireBinary('nginx')).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(
      /^SKIPPED: the tests in test\/unit\/machine-requirements\.test\.ts that need nginx — not found on this machine \(looked for nginx\)$/,
    );
  });

  it('an explicit variable is the only place looked at', () => {
    vi.stubEnv('PATH', bin);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubEnv('X_TOOL', path.join(bin, 'plain'));
    expect(requireBinary('tool', { envVar: 'X_TOOL' })).toBeUndefined();
    expect(String(warn.mock.calls[0]![0])).toContain(`X_TOOL=${path.join(bin, 'plain')} is not an executable file`);
    vi.stubEnv('X_TOOL', path.join(bin, 'tool'));
    expect(requireBinary('other', { envVar: 'X_TOOL', candidates: ['missing'] })).toBe(path.join(bin, 'tool'));
  });

  it('fails instead of skipping when the run requires the program', () => {
    vi.stubEnv('PATH', bin);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubEnv('CONTAMOS_REQUIRE_BINARIES', '1');
    expect(() => requireBinary('nginx')).toThrow(/nginx is required in this run \(CONTAMOS_REQUIRE_BINARIES\) but was not found/);
    vi.stubEnv('CONTAMOS_REQUIRE_BINARIES', 'caddy, tor');
    expect(() => requireBinary('tor')).toThrow(/tor is required/);
    expect(requireBinary('nginx')).toBeUndefined();
    expect(() => requireBinary('Chromium', { required: true, requiredBy: 'CONTAMOS_REQUIRE_BROWSER=1' })).toThrow(
      /Chromium is required in this run \(CONTAMOS_REQUIRE_BROWSER=1\)/,
    );
  });
});

describe('every test reaches PostgreSQL and the browser through the shared helpers', () => {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const files = (function walk(d: string): string[] {
    return readdirSync(d).flatMap((n) => {
      const f = path.join(d, n);
      return statSync(f).isDirectory() ? walk(f) : /\.(m?ts|js)$/.test(n) ? [f] : [];
    });
  })(root).map((f) => path.relative(root, f));
  const allowed = (f: string, only: string[]) => only.includes(f) || f === 'unit/machine-requirements.test.ts';

  it('no fixed PostgreSQL host, port or admin URL outside test/setup/postgres.ts', () => {
    const offenders = files
      // exit-code.test.ts points the variable at a closed port on purpose, to force the embedded cluster
      .filter((f) => !allowed(f, ['setup/postgres.ts', 'unit/exit-code.test.ts']))
      .filter((f) => /:5432\b|CONTAMOS_PG_ADMIN_URL|PG_ADMIN_URL\b/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('no pg client built from anything but a URL the helpers handed out', () => {
    const offenders = files.filter((f) => /new pg\.(Client|Pool)\(\s*\{?\s*(host|port|user)\b/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('playwright-core is imported only by test/helpers/browser.ts (types aside)', () => {
    const offenders = files
      .filter((f) => !allowed(f, ['helpers/browser.ts']))
      .filter((f) => /^import\s+(?!type\b)[^;]*from\s+'playwright-core'/m.test(readFileSync(path.join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
    expect(files).toContain('helpers/browser.ts');
  });
});
