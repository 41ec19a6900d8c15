// Enrolment refuses public keys that are not usable Ed25519 keys — small-order points (with which
// signatures can be forged for some verifiers), points off the curve, non-canonical encodings —
// with 400 invalid_body, writing nothing and leaving the invite usable.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, isUsableSigningPublicKey } from '../../crypto/index.js';
import { signed, startTestApp, type TestApp } from '../helpers/app.js';
import { providers, tableContents } from '../helpers/databases.js';

const b64 = (bytes: number[]) => Buffer.from(bytes).toString('base64');
const le = (hex: string) => Array.from(Buffer.from(hex, 'hex'));

// Small-order points of edwards25519 (their standard encodings) and two invalid encodings.
const BAD_KEYS: Array<[string, string]> = [
  ['identity (order 1)', b64([1, ...new Array(31).fill(0)])],
  ['order 2 (y = −1)', b64(le('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'))],
  ['order 4 (y = 0)', b64(new Array(32).fill(0))],
  ['order 8', b64(le('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'))],
  ['y not reduced (y = p)', b64(le('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'))],
  ['not on the curve (y = 2)', b64([2, ...new Array(31).fill(0)])],
];

describe('isUsableSigningPublicKey', () => {
  it('accepts generated keys and refuses every bad one', async () => {
    const { ready } = await import('../../crypto/index.js');
    await ready();
    for (let i = 0; i < 20; i++) expect(isUsableSigningPublicKey(generateSigningKeyPair().publicKey)).toBe(true);
    for (const [, key] of BAD_KEYS) expect(isUsableSigningPublicKey(key)).toBe(false);
    expect(isUsableSigningPublicKey('not base64!')).toBe(false);
    expect(isUsableSigningPublicKey(b64([1, 2, 3]))).toBe(false);
  });
});

describe.each(providers)('enrolment key checks on %s', (provider) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(provider);
  });
  afterAll(() => t?.close());

  it('refuses small-order and invalid keys (400 invalid_body), writes nothing, keeps the invite', async () => {
    const inv = await signed(t.app, 'POST', '/api/v1/invites', t.steward, {});
    expect(inv.status).toBe(201);
    const before = await tableContents(t.testDb);
    for (const [what, publicKey] of BAD_KEYS) {
      const res = await request(t.app).post('/api/v1/enrol').set('content-type', 'application/json').send({ invite: inv.body.invite, publicKey });
      expect([what, res.status, res.body.error?.code]).toEqual([what, 400, 'invalid_body']);
    }
    expect(await tableContents(t.testDb)).toEqual(before);
    const good = await request(t.app)
      .post('/api/v1/enrol')
      .set('content-type', 'application/json')
      .send({ invite: inv.body.invite, publicKey: generateSigningKeyPair().publicKey });
    expect(good.status).toBe(201);
  });
});
