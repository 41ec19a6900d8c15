// The zod schemas (server/schemas/) are the bottom of the request path: routes, services, pages, the
// OpenAPI document and the CLI import them, so they import none of those — directly or through
// another project file. They may use zod, the isomorphic crypto module, the taxonomy and the pure DP
// bounds (dp/bounds.ts and what it imports); never services, routes, HTTP, storage, pages or the
// disclosure engine.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SCHEMAS = path.join(ROOT, 'server', 'schemas');
const FORBIDDEN = ['services', 'routes', 'http', 'db', 'web', 'open-data', 'disclosure'].map((d) => path.join(ROOT, 'server', d) + path.sep);
const FORBIDDEN_FILES = ['app.ts', 'main.ts', 'openapi.ts', 'config.ts', 'keys.ts'].map((f) => path.join(ROOT, 'server', f));

/** Module specifiers of a source file: import/export … from, import(), import '…'. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const re of [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ]) {
    for (const m of source.matchAll(re)) out.push(m[1]!);
  }
  return out;
}

function resolve(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts'), base]) if (existsSync(c) && statSync(c).isFile()) return c;
  return base;
}

/** Every project file reachable from `start` through relative imports, with the import that reached it. */
function closure(start: string[]): Map<string, string> {
  const via = new Map<string, string>(start.map((f) => [f, '(schema)']));
  const queue = [...start];
  while (queue.length) {
    const file = queue.pop()!;
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(file, spec);
      if (via.has(target)) continue;
      via.set(target, path.relative(ROOT, file));
      queue.push(target);
    }
  }
  return via;
}

describe('layering of the schemas', () => {
  const files = readdirSync(SCHEMAS)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(SCHEMAS, f));

  it('finds the schemas and follows their imports', () => {
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['manifest.ts', 'release.ts', 'report.ts']));
    const reached = [...closure(files).keys()].map((f) => path.relative(ROOT, f));
    expect(reached).toEqual(expect.arrayContaining(['crypto/index.ts', 'server/taxonomy/taxonomy.ts', 'server/dp/bounds.ts']));
  });

  it('import nothing above them, directly or transitively', () => {
    const problems = [...closure(files)]
      .filter(([file]) => FORBIDDEN.some((d) => file.startsWith(d)) || FORBIDDEN_FILES.includes(file))
      .map(([file, from]) => `${from} → ${path.relative(ROOT, file)}`);
    expect(problems).toEqual([]);
  });

  it('the manifest schema imports nothing but zod (the CLI and the pages load it)', () => {
    const specs = specifiers(readFileSync(path.join(SCHEMAS, 'manifest.ts'), 'utf8'));
    expect(specs).toEqual(['zod']);
  });
});
