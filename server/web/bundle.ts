// bundle.ts — building and serving the submission page's script (web/src/enviar.ts plus the
// shared crypto/ module and libsodium) as one ES module.
//
// Guarantees:
// - `buildWebBundle()` bundles with esbuild for the browser (ESM, ES2022, minified, no source
//   map, no external import): the page loads exactly one same-origin script. When
//   libsodium-wrappers-sumo is installed, libsodium-wrappers is aliased to it (a superset with
//   crypto_pwhash, needed to encrypt key files with a passphrase), so only one libsodium is bundled.
// - `webBundle()` gives the bundle the server serves: web/dist/enviar.js when it exists and is
//   newer than every source it is built from; otherwise it is built in memory on first use (once
//   per process), so `npm start` on a fresh clone works without a build step and a stale dist is
//   never served in development. Without esbuild (a production image built with --omit=dev), a
//   prebuilt web/dist is served as is, and its absence is reported as an error.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WEB_DIR = path.join(ROOT, 'web');
export const DIST_DIR = path.join(WEB_DIR, 'dist');
export const ENTRY_POINTS: Record<string, string> = { enviar: path.join(WEB_DIR, 'src', 'enviar.ts') };
/** Sources the bundle depends on (besides node_modules). */
const SOURCE_DIRS = [path.join(WEB_DIR, 'src'), path.join(ROOT, 'crypto')];

export interface WebBundle {
  /** file name (e.g. "enviar.js") → contents */
  files: Map<string, Buffer>;
  /** true when libsodium-wrappers-sumo (with crypto_pwhash) is in the bundle */
  sumo: boolean;
  origin: 'dist' | 'memory';
}

export function hasSumo(): boolean {
  try {
    createRequire(import.meta.url).resolve('libsodium-wrappers-sumo');
    return true;
  } catch {
    return false;
  }
}

export async function buildWebBundle(): Promise<WebBundle> {
  const esbuild = await import('esbuild');
  const sumo = hasSumo();
  const result = await esbuild.build({
    entryPoints: ENTRY_POINTS,
    outdir: DIST_DIR,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    logLevel: 'silent',
    alias: sumo ? { 'libsodium-wrappers': 'libsodium-wrappers-sumo' } : {},
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const files = new Map<string, Buffer>();
  for (const f of result.outputFiles ?? []) files.set(path.basename(f.path), Buffer.from(f.contents));
  return { files, sumo, origin: 'memory' };
}

function newestSourceMtime(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(d)) walk(d);
  return newest;
}

function readDist(): WebBundle | null {
  const files = new Map<string, Buffer>();
  for (const name of Object.keys(ENTRY_POINTS)) {
    const p = path.join(DIST_DIR, `${name}.js`);
    if (!existsSync(p)) return null;
    files.set(`${name}.js`, readFileSync(p));
  }
  return { files, sumo: false, origin: 'dist' };
}

function distIsFresh(): boolean {
  const oldest = Math.min(
    ...Object.keys(ENTRY_POINTS).map((n) => {
      const p = path.join(DIST_DIR, `${n}.js`);
      return existsSync(p) ? statSync(p).mtimeMs : 0;
    }),
  );
  return oldest > 0 && (!existsSync(path.join(WEB_DIR, 'src')) || oldest >= newestSourceMtime());
}

let pending: Promise<WebBundle> | undefined;

/** The bundle to serve (see header); built at most once per process. */
export function webBundle(): Promise<WebBundle> {
  pending ??= (async () => {
    if (distIsFresh()) return readDist()!;
    try {
      return await buildWebBundle();
    } catch (e) {
      const dist = readDist();
      if (dist) return dist; // no esbuild here: serve what was built
      throw e;
    }
  })().catch((e) => {
    pending = undefined;
    throw e;
  });
  return pending;
}
