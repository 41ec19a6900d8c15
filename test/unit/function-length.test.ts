// No function of the code (server/, crypto/, scripts/, web/src/) runs over 200 lines: a longer one
// is split along the steps its header names. Read with the TypeScript compiler; tests are left out
// (a describe block is a list of cases, not a function to follow).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MAX_LINES = 200;

// Functions allowed over the limit, as "path name" (none today): an entry is removed once its
// function is split (a stale entry fails).
const KNOWN_LONG = new Set<string>([]);

/** Every function-like body in one source text longer than `max` lines: "path name lines". */
function longFunctions(path: string, text: string, max: number): Array<{ at: string; lines: number }> {
  const src = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const out: Array<{ at: string; lines: number }> = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const first = src.getLineAndCharacterOfPosition(n.getStart(src)).line;
      const last = src.getLineAndCharacterOfPosition(n.getEnd()).line;
      const lines = last - first + 1;
      if (lines > max) {
        const named = n as ts.FunctionLikeDeclaration;
        const name = named.name?.getText(src) ?? (ts.isVariableDeclaration(n.parent) ? n.parent.name.getText(src) : `(anonymous at line ${first + 1})`);
        out.push({ at: `${path} ${name}`, lines });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'generated' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

describe('function length', () => {
  it(`no function of server/, crypto/, scripts/ or web/src/ is over ${MAX_LINES} lines (beyond the listed ones)`, () => {
    const found: string[] = [];
    let files = 0;
    for (const top of ['server', 'crypto', 'scripts', 'web/src']) {
      for (const file of sources(join(root, top))) {
        files++;
        const path = relative(root, file).split('\\').join('/');
        for (const f of longFunctions(path, readFileSync(file, 'utf8'), MAX_LINES)) found.push(f.at);
      }
    }
    expect(files).toBeGreaterThan(200); // the walk found the code
    expect(found.filter((f) => !KNOWN_LONG.has(f))).toEqual([]);
    expect([...KNOWN_LONG].filter((f) => !found.includes(f))).toEqual([]); // stale entries
  });

  it('measures functions, methods and arrow functions by their lines', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const x${i} = ${i};`).join('\n');
    const text = [
      `function short() {\n${body(10)}\n}`,
      `function long() {\n${body(201)}\n}`,
      `const arrow = () => {\n${body(250)}\n};`,
      `class C {\n  method() {\n${body(199)}\n  }\n}`,
    ].join('\n');
    expect(longFunctions('x.ts', text, MAX_LINES)).toEqual([
      { at: 'x.ts long', lines: 203 },
      { at: 'x.ts arrow', lines: 252 },
      { at: 'x.ts method', lines: 201 },
    ]);
  });
});
