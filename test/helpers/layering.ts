// layering.ts — the server's layers, which layer may import which, and a checker that reads every
// import of server/ and crypto/ with the TypeScript compiler (used by test/unit/layering.test.ts).
//
// Guarantees:
// - Every relative import is seen: static imports and `export … from` (type-only ones too: a type
//   import is a dependency all the same) and `import('…')` with a literal path.
// - A file's layer is its folder under server/ (`server/db/x.ts` → `db`), or its name for a file
//   directly in server/ (`server/app.ts` → `app`); `crypto/` is the layer `crypto`. A file in a
//   layer that `MAY_IMPORT` does not list is itself a violation: a new layer must be placed.
// - An import inside one layer is always allowed; across layers it is allowed only when the
//   importer's `MAY_IMPORT` entry names the target's layer or the target module
//   (`services/context` allows that module only).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Which layers (or single modules, `layer/module`) each layer may import. */
export const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  // the entry point wires everything together
  main: ['app', 'config', 'keys', 'db', 'http', 'services', 'open-data', 'crypto', 'native-crypto', 'errors'],
  app: ['routes', 'http', 'web', 'services', 'schemas', 'errors', 'config', 'crypto', 'native-crypto', 'openapi'],
  // routes → services → db: routes never reach the database, disclosure control or DP themselves
  routes: ['http', 'web', 'services', 'schemas', 'errors', 'crypto', 'taxonomy', 'open-data', 'openapi', 'config'],
  // request plumbing (auth, limits, errors): the context it is handed, never the service logic;
  // of storage only the Store's public pure parts (its types, the 503 classification of database
  // errors, a nonce's stored form), never a client
  http: ['services/context', 'db/store', 'db/errors', 'db/nonces', 'schemas', 'errors', 'crypto', 'native-crypto', 'config'],
  web: ['services', 'schemas', 'errors', 'taxonomy', 'open-data', 'openapi', 'crypto'],
  openapi: ['schemas', 'errors'],
  // the open-data files of a release: labels come from the pages' translations
  'open-data': ['schemas', 'web/i18n', 'crypto'],
  // services render the downloads' charts with the pages' own helpers
  services: [
    'db',
    'schemas',
    'disclosure',
    'dp',
    'tables',
    'crypto',
    'native-crypto',
    'taxonomy',
    'errors',
    'keys',
    'config',
    'test-hooks',
    'open-data',
    'web/i18n',
    'web/png',
    'web/trend-charts',
  ],
  db: ['crypto', 'native-crypto', 'schemas', 'taxonomy', 'errors', 'config', 'test-hooks'],
  schemas: ['crypto', 'taxonomy', 'dp', 'disclosure', 'tables', 'errors'],
  // the two statistical engines share only the linked tables and the LP loader
  disclosure: ['tables'],
  dp: ['tables'],
  tables: [],
  taxonomy: [],
  crypto: [],
  errors: [],
  config: ['db/url', 'dp'],
  keys: ['crypto', 'schemas'],
  'native-crypto': ['crypto'],
  'test-hooks': [],
};

/** One import of one file, as repository-relative paths without extension. */
export interface ImportEdge {
  from: string;
  to: string;
}

/** An import the rules forbid but that is tolerated until the named branch's change lands. */
export interface AllowedImport extends ImportEdge {
  why: string;
}

export interface Violation {
  edge: ImportEdge;
  problem: string;
}

/** The module specifiers one source file imports (static, `export … from`, literal `import()`). */
export function importSpecifiers(fileName: string, text: string): string[] {
  const src = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      out.push(n.moduleSpecifier.text);
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = n.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) out.push(arg.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

const withoutExtension = (p: string): string => p.replace(/\.(ts|mts|js|mjs)$/, '');

/** A repository-relative module path's layer, or undefined outside server/ and crypto/. */
export function layerOf(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] === 'crypto') return 'crypto';
  if (parts[0] !== 'server' || parts.length < 2) return undefined;
  return parts.length > 2 ? parts[1] : withoutExtension(parts[1]!);
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'generated' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every relative import of every source file under server/ and crypto/ of `root`. */
export function repositoryImports(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const top of ['server', 'crypto']) {
    for (const file of sourceFiles(join(root, top))) {
      const from = withoutExtension(relative(root, file).split('\\').join('/'));
      for (const spec of importSpecifiers(file, readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const to = withoutExtension(
          relative(root, resolve(dirname(file), spec))
            .split('\\')
            .join('/'),
        );
        edges.push({ from, to });
      }
    }
  }
  return edges;
}

/** Whether `from` may import `to` under `rules` (paths repository-relative, no extension). */
function permitted(from: string, to: string, rules: Readonly<Record<string, readonly string[]>>): string | undefined {
  const a = layerOf(from);
  const b = layerOf(to);
  if (a === undefined || b === undefined) return undefined; // outside the layered code (a package, scripts/)
  if (!(a in rules)) return `${from} is in layer "${a}", which the layering rules do not place`;
  if (a === b) return undefined;
  const target = posix.relative('server', to);
  const ok = rules[a]!.some((entry) => entry === b || entry === target);
  return ok ? undefined : `layer "${a}" may not import ${b === 'crypto' ? 'crypto' : target} (layer "${b}")`;
}

/**
 * The imports the rules forbid and the allow-list does not excuse, plus every allow-list entry
 * that no longer matches an import (so the list only shrinks, and is emptied once fixed).
 */
export function violations(
  edges: readonly ImportEdge[],
  rules: Readonly<Record<string, readonly string[]>> = MAY_IMPORT,
  allowed: readonly AllowedImport[] = [],
): Violation[] {
  const out: Violation[] = [];
  const used = new Set<AllowedImport>();
  const seen = new Set<string>();
  for (const edge of edges) {
    const tag = `${edge.from} → ${edge.to}`;
    if (seen.has(tag)) continue;
    seen.add(tag);
    const problem = permitted(edge.from, edge.to, rules);
    if (problem === undefined) continue;
    const excuse = allowed.find((x) => x.from === edge.from && x.to === edge.to);
    if (excuse) {
      used.add(excuse);
      continue;
    }
    out.push({ edge, problem });
  }
  for (const x of allowed) {
    if (!used.has(x)) out.push({ edge: { from: x.from, to: x.to }, problem: `allow-list entry no longer needed (${x.why}): remove it` });
  }
  return out;
}
