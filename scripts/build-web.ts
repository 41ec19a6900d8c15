// `npm run build:web`: bundles the submission page's script (web/src/enviar.ts with the shared
// crypto/ module and libsodium) into web/dist/enviar.js. Optional: the server builds the bundle
// in memory when web/dist is missing or older than its sources (server/web/bundle.ts); run this
// for a production image that has no esbuild at run time.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DIST_DIR, buildWebBundle } from '../server/web/bundle.js';

const bundle = await buildWebBundle();
mkdirSync(DIST_DIR, { recursive: true });
for (const [name, contents] of bundle.files) {
  writeFileSync(path.join(DIST_DIR, name), contents);
  console.log(`${path.relative(process.cwd(), path.join(DIST_DIR, name))}  ${(contents.length / 1024).toFixed(0)} KiB`);
}
console.log(
  bundle.sumo
    ? 'libsodium: libsodium-wrappers-sumo (key files can be encrypted with a passphrase)'
    : 'libsodium: standard build, without crypto_pwhash: install libsodium-wrappers-sumo to encrypt key files with a passphrase',
);
