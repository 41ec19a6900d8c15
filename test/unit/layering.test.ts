// Imports only run downward: routes → services → db, request plumbing never reaches service logic
// or storage, schemas never reach services or storage, and disclosure/ and dp/ share only
// server/tables. The rules are test/helpers/layering.ts's MAY_IMPORT; this file reads every import
// of server/ and crypto/ and fails on any the rules forbid.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importSpecifiers, layerOf, MAY_IMPORT, repositoryImports, violations, type AllowedImport } from '../helpers/layering.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

// Imports that break the rules and are tolerated, each with its reason. Empty: an entry whose import
// is gone fails the test, so none can linger; a new entry needs a reason a reviewer accepts.
const ALLOWED: AllowedImport[] = [];

describe('layering of server/', () => {
  it('has no import the rules forbid (beyond the commented allow-list)', () => {
    const edges = repositoryImports(root);
    expect(edges.length).toBeGreaterThan(200); // the reader found the code
    const found = violations(edges, MAY_IMPORT, ALLOWED).map((v) => `${v.edge.from} → ${v.edge.to}: ${v.problem}`);
    expect(found).toEqual([]);
  });

  it('keeps disclosure/ and dp/ apart: each imports only server/tables beyond itself', () => {
    const edges = repositoryImports(root).filter((e) => ['disclosure', 'dp'].includes(layerOf(e.from) ?? ''));
    const outside = new Set(edges.filter((e) => layerOf(e.to) !== layerOf(e.from)).map((e) => layerOf(e.to)));
    expect([...outside]).toEqual(['tables']);
  });
});

describe('the layering checker', () => {
  it('reads static, type-only, re-export and dynamic imports', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../services/b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "const e = await import('../db/e.js');",
      "const f = `import('./not-an-import.js')`;",
      "import 'node:fs';",
    ].join('\n');
    expect(importSpecifiers('x.ts', text)).toEqual(['./a.js', '../services/b.js', './c.js', './d.js', '../db/e.js', 'node:fs']);
  });

  it('places files in layers by their folder under server/', () => {
    expect(layerOf('server/db/client')).toBe('db');
    expect(layerOf('server/disclosure/global/model')).toBe('disclosure');
    expect(layerOf('server/app')).toBe('app');
    expect(layerOf('crypto/index')).toBe('crypto');
    expect(layerOf('scripts/audit/main')).toBeUndefined();
  });

  it('fails on an import that runs back up, and on dp/ and disclosure/ importing each other', () => {
    const graph = [
      { from: 'server/routes/public', to: 'server/services/health' }, // allowed
      { from: 'server/services/reports', to: 'server/db/client' }, // allowed
      { from: 'server/db/client', to: 'server/services/context' }, // db → services
      { from: 'server/routes/public', to: 'server/db/client' }, // routes skip services
      { from: 'server/schemas/release', to: 'server/services/counting' }, // schemas → services
      { from: 'server/http/auth', to: 'server/services/nonces' }, // plumbing → service logic
      { from: 'server/http/auth', to: 'server/services/context' }, // allowed: the context it is handed
      { from: 'server/dp/index', to: 'server/disclosure/index' }, // dp → disclosure
      { from: 'server/disclosure/secondary', to: 'server/dp/split' }, // disclosure → dp
      { from: 'server/disclosure/index', to: 'server/tables/highs' }, // allowed
      { from: 'server/disclosure/global/model', to: 'server/disclosure/types' }, // same layer
      { from: 'crypto/sign', to: 'server/native-crypto' }, // crypto is a leaf
    ];
    const found = violations(graph).map((v) => `${v.edge.from} → ${v.edge.to}`);
    expect(found).toEqual([
      'server/db/client → server/services/context',
      'server/routes/public → server/db/client',
      'server/schemas/release → server/services/counting',
      'server/http/auth → server/services/nonces',
      'server/dp/index → server/disclosure/index',
      'server/disclosure/secondary → server/dp/split',
      'crypto/sign → server/native-crypto',
    ]);
  });

  it('fails on a file in a layer the rules do not place', () => {
    const found = violations([{ from: 'server/store/sqlite', to: 'server/db/client' }]);
    expect(found.map((v) => v.problem)).toEqual(['server/store/sqlite is in layer "store", which the layering rules do not place']);
  });

  it('excuses an allow-listed import, and fails on an allow-list entry that no longer matches', () => {
    const edge = { from: 'server/db/publication-log', to: 'server/services/context' };
    const allowed = [{ ...edge, why: 'test' }];
    expect(violations([edge], MAY_IMPORT, allowed)).toEqual([]);
    const stale = violations([], MAY_IMPORT, allowed);
    expect(stale).toHaveLength(1);
    expect(stale[0]!.problem).toMatch(/no longer needed/);
  });
});
