// The auditor is independent: scripts/audit/** imports, directly or through other project files,
// nothing of the project but crypto/ — in particular nothing from server/ (its counting,
// suppression, LP or schemas).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const AUDIT = path.join(ROOT, 'scripts', 'audit');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : /\.(ts|mts|cts|js|mjs|cjs)$/.test(f) ? [p] : [];
  });
}

/** Every module specifier in a source file: import/export … from, import(), require(), import '…'. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

function resolveRelative(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), `${base}.ts`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return base;
}

describe('independence of the auditor', () => {
  const files = filesUnder(AUDIT);

  it('finds the auditor files and their imports', () => {
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['main.ts', 'audit.ts', 'intervals.ts', 'lp.ts', 'system.ts', 'disclosure.ts']));
    expect(specifiers("import { a } from './a.js';\nimport type { B } from \"../../crypto/index.js\";\nconst x = await import('pg');\nimport 'side';")).toEqual(
      ['./a.js', '../../crypto/index.js', 'side', 'pg'],
    );
  });

  it('imports nothing from server/ and, of the project, only crypto/ — also transitively', () => {
    const allowed = (file: string) => file.startsWith(AUDIT + path.sep) || file.startsWith(path.join(ROOT, 'crypto') + path.sep);
    const seen = new Set<string>();
    const queue = [...files];
    const problems: string[] = [];
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (/(^|\/)server(\/|$)/.test(spec) || spec.startsWith('#')) problems.push(`${path.relative(ROOT, file)} → ${spec}`);
        if (!spec.startsWith('.')) continue; // a package from node_modules
        const target = resolveRelative(file, spec);
        if (!allowed(target)) problems.push(`${path.relative(ROOT, file)} → ${path.relative(ROOT, target)}`);
        else queue.push(target);
      }
    }
    expect(problems).toEqual([]);
    expect([...seen].some((f) => f.includes(`${path.sep}crypto${path.sep}`))).toBe(true);
  });
});
