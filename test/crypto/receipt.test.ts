import { beforeAll, describe, expect, it } from 'vitest';
import { type Receipt, generateSigningKeyPair, ready, reportHash, signReceipt, verifyReceipt } from '../../crypto/index.js';
import { nodeEd25519, nodeEd25519Verify } from './helpers.js';

beforeAll(async () => {
  await ready();
});

describe('receipts', () => {
  const reportId = '0b8f3c1e-7d3a-4e2b-9c61-2a7f5d9e8b40';
  const hash = () => reportHash(reportId, { year: 2024, region: 'PE-MDD', incidentType: 'disappearance' });

  it('sign / verify; the signature covers the documented canonical message', () => {
    const key = generateSigningKeyPair();
    const r = signReceipt(reportId, hash(), { keyId: 'receipt-1', secretKey: key.secretKey });
    expect(r).toMatchObject({ reportId, reportHash: hash(), keyId: 'receipt-1' });
    expect(verifyReceipt(r, key.publicKey)).toBe(true);
    const message = `{"reportHash":"${hash()}","reportId":"${reportId}","type":"contamos-receipt"}`;
    expect(nodeEd25519Verify(message, r.signature, nodeEd25519(key.publicKey).publicKey)).toBe(true);
  });

  it('refuses altered receipts, other keys and junk', () => {
    const key = generateSigningKeyPair();
    const r = signReceipt(reportId, hash(), { keyId: 'receipt-1', secretKey: key.secretKey });
    const sigBytes = Buffer.from(r.signature, 'base64');
    sigBytes[10]! ^= 4;
    const altered: Receipt[] = [
      { ...r, reportId: '0b8f3c1e-7d3a-4e2b-9c61-2a7f5d9e8b41' },
      { ...r, reportHash: reportHash(reportId, { year: 2023 }) },
      { ...r, signature: sigBytes.toString('base64') },
      { ...r, reportHash: r.reportHash.toUpperCase() },
    ];
    for (const a of altered) expect(verifyReceipt(a, key.publicKey)).toBe(false);
    expect(verifyReceipt(r, generateSigningKeyPair().publicKey)).toBe(false);
    for (const junk of [null, {}, { ...r, signature: 5 }, 'receipt']) expect(verifyReceipt(junk as unknown as Receipt, key.publicKey)).toBe(false);
    expect(verifyReceipt(r, 'bad key')).toBe(false);
  });

  it('signReceipt refuses malformed input', () => {
    const key = generateSigningKeyPair();
    expect(() => signReceipt(reportId, 'abc', { keyId: 'k', secretKey: key.secretKey })).toThrow(TypeError);
    expect(() => signReceipt('', hash(), { keyId: 'k', secretKey: key.secretKey })).toThrow(TypeError);
    expect(() => signReceipt(reportId, hash(), { keyId: 'k', secretKey: key.publicKey })).toThrow();
  });
});
