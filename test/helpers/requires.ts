// What a test file needs from the machine beyond Node and npm (a browser, nginx, tor, …). A file
// asks for a program with `requireBinary`; when the program is found it gets its path, when it is
// missing the file's suites are skipped and ONE visible line says what was skipped and why, unless
// the run demands the program (CONTAMOS_REQUIRE_BINARIES=1 or a comma list naming it; the browser
// has its own CONTAMOS_REQUIRE_BROWSER=1, see browser.ts), in which case the file fails.
// Found means: an existing regular file the current user may execute (a path bound over
// /dev/null, a dangling link or a directory is not a program).
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect } from 'vitest';

function isProgram(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first candidate that is a program: absolute paths as they are, bare names on PATH. */
export function findBinary(candidates: readonly string[]): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const c of candidates) {
    if (c.includes('/')) {
      if (isProgram(c)) return path.resolve(c);
      continue;
    }
    for (const d of dirs) {
      const f = path.join(d, c);
      if (isProgram(f)) return f;
    }
  }
  return undefined;
}

export interface RequireOptions {
  /** Paths or names to try, in order (default: just the name, on PATH). */
  candidates?: readonly string[];
  /** A variable that, when set, names the program and is the only place looked at. */
  envVar?: string;
  /** Whether a missing program fails the file (default: CONTAMOS_REQUIRE_BINARIES is 1 or names it). */
  required?: boolean;
  /** The variable that made it required, for the error message. */
  requiredBy?: string;
}

function requiredByDefault(name: string): boolean {
  const v = process.env.CONTAMOS_REQUIRE_BINARIES ?? '';
  return (
    v === '1' ||
    v
      .split(',')
      .map((s) => s.trim())
      .includes(name)
  );
}

/**
 * The path of `name` (or of the first candidate found). When none is found: throws if the run
 * requires it, else prints one line saying the tests that need it are skipped and returns undefined.
 * Use with `describe.skipIf(!path)` or `describeIfFound(path)`.
 */
export function requireBinary(name: string, opts: RequireOptions = {}): string | undefined {
  const explicit = opts.envVar ? process.env[opts.envVar] : undefined;
  const candidates = explicit ? [explicit] : (opts.candidates ?? [name]);
  const found = findBinary(candidates);
  if (found) return found;
  const where = explicit
    ? `${opts.envVar}=${explicit} is not an executable file`
    : `looked for ${candidates.join(', ')}${opts.envVar ? ` (or set ${opts.envVar})` : ''}`;
  const required = opts.required ?? requiredByDefault(name);
  if (required) {
    throw new Error(`${name} is required in this run (${opts.requiredBy ?? 'CONTAMOS_REQUIRE_BINARIES'}) but was not found: ${where}`);
  }
  const file = path.relative(process.cwd(), expect.getState().testPath ?? '') || 'a test file';
  console.warn(`SKIPPED: the tests in ${file} that need ${name} — not found on this machine (${where})`);
  return undefined;
}

/** `describe` when the program was found, `describe.skip` when it was not. */
export function describeIfFound(found: string | undefined): typeof describe | typeof describe.skip {
  return found ? describe : describe.skip;
}
