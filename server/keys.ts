// The server's key configuration: which public keys belong to the steward and the publishers,
// and the server's own receipt-signing key. Loaded from `<CONTAMOS_HOME>/server-keys.json`.
// The steward's and publishers' PRIVATE keys are never in that file. When no configuration exists
// (first start on a fresh machine), a demo key set is created: the server file plus the steward's
// and publisher's private key files beside it, which a real deployment moves off the server.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { generateSealKeyPair, generateSigningKeyPair, keyFingerprint, serializeKeyFile } from '../crypto/index.js';
import { base64Key32 } from './schemas/members.js';

// Strict: a steward's or publisher's entry holding anything more than its public key (a
// `secretKey`, a whole key file's `signing`/`seal` pairs) is refused, not silently dropped, so a
// private key pasted into the server's file is noticed (test/unit/server-keys.test.ts).
const publicSigningKey = z.strictObject({ keyId: z.string().min(1), publicKey: base64Key32 });

export const serverKeysFile = z.strictObject({
  kind: z.literal('contamos-server-keys'),
  version: z.literal(1),
  receipt: publicSigningKey.extend({ secretKey: z.string().min(1) }),
  steward: publicSigningKey.extend({ sealPublicKey: base64Key32 }),
  publishers: z.array(publicSigningKey).min(1),
});

export type ServerKeys = z.infer<typeof serverKeysFile>;

export function loadServerKeys(file: string): ServerKeys {
  return serverKeysFile.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export interface DemoKeySet {
  serverFile: string;
  stewardFile: string;
  publisherFile: string;
}

/** Creates a fresh key set in `dir` (files written 0600). Requires `await ready()` first. */
export function createKeySet(dir: string): DemoKeySet {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const receipt = generateSigningKeyPair();
  const stewardSigning = generateSigningKeyPair();
  const stewardSeal = generateSealKeyPair();
  const publisher = generateSigningKeyPair();
  const stewardKeyId = `steward-${keyFingerprint(stewardSigning.publicKey).slice(0, 16)}`;
  const publisherKeyId = `publisher-${keyFingerprint(publisher.publicKey).slice(0, 16)}`;
  const server: ServerKeys = {
    kind: 'contamos-server-keys',
    version: 1,
    receipt: { keyId: `receipt-${keyFingerprint(receipt.publicKey).slice(0, 16)}`, ...receipt },
    steward: { keyId: stewardKeyId, publicKey: stewardSigning.publicKey, sealPublicKey: stewardSeal.publicKey },
    publishers: [{ keyId: publisherKeyId, publicKey: publisher.publicKey }],
  };
  const files: DemoKeySet = {
    serverFile: path.join(dir, 'server-keys.json'),
    stewardFile: path.join(dir, 'steward.key.json'),
    publisherFile: path.join(dir, 'publisher.key.json'),
  };
  writeFileSync(
    files.stewardFile,
    serializeKeyFile({ kind: 'contamos-key', version: 1, role: 'steward', keyId: stewardKeyId, signing: stewardSigning, seal: stewardSeal }),
    { mode: 0o600 },
  );
  writeFileSync(files.publisherFile, serializeKeyFile({ kind: 'contamos-key', version: 1, role: 'publisher', keyId: publisherKeyId, signing: publisher }), {
    mode: 0o600,
  });
  writeFileSync(files.serverFile, JSON.stringify(server, null, 2) + '\n', { mode: 0o600 });
  return files;
}

/** Why a server refuses to start: production (NODE_ENV=production, as in the image) and no keys. */
export class NoKeysConfigured extends Error {
  constructor(dir: string) {
    super(
      `no server keys configured: neither CONTAMOS_KEY_FILE nor ${path.join(dir, 'server-keys.json')} exists. ` +
        "In production (NODE_ENV=production) the server does not make demo keys: make a key set with the CLI on the steward's machine " +
        'and give the server its server-keys.json (compose: the server_keys secret), or set CONTAMOS_DEMO=1 to start with demo keys.',
    );
    this.name = 'NoKeysConfigured';
  }
}

/**
 * The server's keys: from `keyFile` if given (compose mounts a secret there), else from
 * `<dir>/server-keys.json`; if there is none, a demo set is created only when `allowDemo`
 * (development, or CONTAMOS_DEMO=1), otherwise NoKeysConfigured is thrown.
 */
export function serverKeysFor(opts: { dir: string; keyFile?: string; allowDemo: boolean }): { keys: ServerKeys; created?: DemoKeySet } {
  if (opts.keyFile) return { keys: loadServerKeys(opts.keyFile) };
  if (!opts.allowDemo && !existsSync(path.join(opts.dir, 'server-keys.json'))) throw new NoKeysConfigured(opts.dir);
  return loadOrCreateServerKeys(opts.dir);
}

/** Loads the key configuration, creating a demo set first if there is none. */
export function loadOrCreateServerKeys(dir: string): { keys: ServerKeys; created?: DemoKeySet } {
  const file = path.join(dir, 'server-keys.json');
  if (existsSync(file)) return { keys: loadServerKeys(file) };
  const created = createKeySet(dir);
  return { keys: loadServerKeys(file), created };
}
