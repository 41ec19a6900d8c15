// server-keys.json holds public keys only (plus the server's own receipt key): a file that also
// holds the steward's or a publisher's private key, in any field, is refused at load with an
// error that names the place, never accepted with the key silently dropped. The demo key set the
// server makes for itself loads. Shown to fail: docs/test-evidence.md.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyFile, ready } from '../../crypto/index.js';
import { createKeySet, loadServerKeys } from '../../server/keys.js';

describe('server-keys.json refuses private keys of the steward and publishers', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-serverkeys-'));
  let good: Record<string, any>;
  let stewardSecret: string;
  let publisherSecret: string;
  beforeAll(async () => {
    await ready();
    const files = createKeySet(dir);
    good = JSON.parse(readFileSync(files.serverFile, 'utf8'));
    stewardSecret = parseKeyFile(readFileSync(files.stewardFile, 'utf8')).signing!.secretKey!;
    publisherSecret = parseKeyFile(readFileSync(files.publisherFile, 'utf8')).signing!.secretKey!;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (content: unknown) => {
    const f = path.join(dir, `server-keys-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(f, JSON.stringify(content));
    return () => loadServerKeys(f);
  };

  it('loads the key set the server makes, with public keys only for the steward and publishers', () => {
    const keys = load(good)();
    expect(JSON.stringify(keys.steward)).not.toContain(stewardSecret);
    expect(JSON.stringify(keys.publishers)).not.toContain(publisherSecret);
    expect(keys.receipt.secretKey.length).toBeGreaterThan(0);
  });

  it.each([
    ["the steward's secretKey", (g: any) => ({ ...g, steward: { ...g.steward, secretKey: 'S' } }), 'steward'],
    [
      "the steward's whole signing pair",
      (g: any) => ({ ...g, steward: { ...g.steward, signing: { publicKey: g.steward.publicKey, secretKey: 'S' } } }),
      'steward',
    ],
    ["the steward's seal secret key", (g: any) => ({ ...g, steward: { ...g.steward, sealSecretKey: 'S' } }), 'steward'],
    ["a publisher's secretKey", (g: any) => ({ ...g, publishers: [{ ...g.publishers[0], secretKey: 'P' }] }), 'publishers'],
    ['a private key beside the others', (g: any) => ({ ...g, stewardSecretKey: 'S' }), ''],
    ['an unknown field in the receipt key', (g: any) => ({ ...g, receipt: { ...g.receipt, privateKey: 'R' } }), 'receipt'],
  ])('refuses a file with %s', (_what, change, where) => {
    const bad = change(good);
    // with the real secret in it, as an operator might paste it
    const text = JSON.stringify(bad).replace(/"S"/g, JSON.stringify(stewardSecret)).replace(/"P"/g, JSON.stringify(publisherSecret));
    const run = load(JSON.parse(text));
    expect(run).toThrow();
    try {
      run();
    } catch (e) {
      expect(String(e)).toMatch(/unrecognized|Unrecognized/);
      if (where) expect(String(e)).toContain(where);
      // the error names the field, never the secret
      expect(String(e)).not.toContain(stewardSecret);
      expect(String(e)).not.toContain(publisherSecret);
    }
  });
});
