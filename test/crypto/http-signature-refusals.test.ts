// Each check of verifyRequest, attacked on its own: a request that breaks exactly one rule of the
// RFC 9421 profile (docs/release-format.md, server/http/auth.ts) is refused with that rule's
// stable code, before the Ed25519 check — not later, with another code, and never with an
// exception other than SignatureError (which the server would answer 500). Written to kill the
// mutants StrykerJS found surviving in crypto/http-signature.ts (README, "Mutation testing").
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type KeyPair,
  SignatureError,
  type SignatureErrorCode,
  type VerifiableRequest,
  generateSigningKeyPair,
  ready,
  signRequest,
  verifyRequest,
} from '../../crypto/index.js';

let member: KeyPair;
const KEY_ID = 'm-7f3a9c';
const NOW = 1_760_000_000;
const NONCE = 'Zx3q9vT1bN0aR5sKc2LmWg';
const body = JSON.stringify({ year: 2024 });

beforeAll(async () => {
  await ready();
  member = generateSigningKeyPair();
});

async function base(): Promise<VerifiableRequest & { headers: Record<string, string> }> {
  const headers = await signRequest(
    { method: 'POST', url: '/api/v1/reports?page=2', body },
    { keyId: KEY_ID, secretKey: member.secretKey },
    { created: NOW, nonce: NONCE },
  );
  return { method: 'POST', url: '/api/v1/reports?page=2', headers: { 'content-type': 'application/json', ...headers } as Record<string, string>, body };
}
/** The same request with one header rewritten. */
async function withHeader(name: string, rewrite: (v: string) => string | undefined) {
  const req = await base();
  const h = { ...req.headers };
  const v = rewrite(h[name]!);
  if (v === undefined) delete h[name];
  else h[name] = v;
  return { ...req, headers: h };
}
async function outcome(
  req: VerifiableRequest,
  keyLookup: (id: string) => Promise<string | null | undefined> = async (id) => (id === KEY_ID ? member.publicKey : null),
): Promise<SignatureErrorCode | 'accepted'> {
  try {
    await verifyRequest(req, { keyLookup: keyLookup as (id: string) => Promise<string | null>, now: NOW });
    return 'accepted';
  } catch (e) {
    if (e instanceof SignatureError) return e.code;
    throw e; // anything else would be a 500
  }
}

describe('verifyRequest refuses each broken rule with its own code', () => {
  it('the untouched request is accepted (the cases below differ from it in one rule)', async () => {
    expect(await outcome(await base())).toBe('accepted');
  });

  it('missing Signature or Signature-Input → signature_missing', async () => {
    expect(await outcome(await withHeader('signature', () => undefined))).toBe('signature_missing');
    expect(await outcome(await withHeader('signature-input', () => undefined))).toBe('signature_missing');
  });

  it('a signature under another label than sig1 → signature_missing', async () => {
    const req = await base();
    const h = {
      ...req.headers,
      signature: req.headers.signature!.replace(/^sig1=/, 'sig2='),
      'signature-input': req.headers['signature-input']!.replace(/^sig1=/, 'sig2='),
    };
    expect(await outcome({ ...req, headers: h })).toBe('signature_missing');
    // only one of the two under another label
    for (const name of ['signature', 'signature-input'] as const) {
      const one = { ...req.headers, [name]: req.headers[name]!.replace(/^sig1=/, 'sig2=') };
      expect(await outcome({ ...req, headers: one }), name).toBe('signature_missing');
    }
  });

  it.each([
    ['a token instead of bytes', (_v: string) => 'sig1=abc'],
    ['32 bytes instead of 64', (_v: string) => `sig1=:${Buffer.alloc(32, 1).toString('base64')}:`],
    ['an inner list', (_v: string) => 'sig1=(1 2)'],
  ])('a Signature that is %s → signature_malformed', async (_what, rewrite) => {
    expect(await outcome(await withHeader('signature', rewrite))).toBe('signature_malformed');
  });

  it.each([
    ['a component with a parameter', (v: string) => v.replace('"@method"', '"@method";req')],
    ['a component listed twice', (v: string) => v.replace('"@method"', '"@method" "@method"')],
    ['an unsupported derived component', (v: string) => v.replace('"@method"', '"@method" "@authority"')],
    ['an upper-case field name', (v: string) => v.replace('"content-digest"', '"Content-Digest"')],
    ['a negative created', (v: string) => v.replace(/created=\d+/, 'created=-1')],
    ['an empty keyid', (v: string) => v.replace(/keyid="[^"]*"/, 'keyid=""')],
    ['a nonce one character too short', (v: string) => v.replace(/nonce="[^"]*"/, `nonce="${'n'.repeat(15)}"`)],
    ['a nonce one character too long', (v: string) => v.replace(/nonce="[^"]*"/, `nonce="${'n'.repeat(129)}"`)],
    ['another algorithm', (v: string) => v.replace('alg="ed25519"', 'alg="hmac-sha256"')],
    ['no nonce', (v: string) => v.replace(/;nonce="[^"]*"/, '')],
  ])('Signature-Input with %s → signature_malformed', async (_what, rewrite) => {
    const req = await withHeader('signature-input', rewrite);
    expect(req.headers['signature-input']).not.toBe((await base()).headers['signature-input']);
    expect(await outcome(req)).toBe('signature_malformed');
  });

  it('nonces of exactly 16 and 128 characters pass the length rule (refused only by the signature)', async () => {
    for (const n of [16, 128]) {
      expect(await outcome(await withHeader('signature-input', (v) => v.replace(/nonce="[^"]*"/, `nonce="${'n'.repeat(n)}"`)))).toBe('signature_invalid');
    }
  });

  it('an expires parameter in the past → signature_expired; at or after now it passes that rule', async () => {
    const add = (e: number) => (v: string) => `${v};expires=${e}`;
    expect(await outcome(await withHeader('signature-input', add(NOW - 1)))).toBe('signature_expired');
    expect(await outcome(await withHeader('signature-input', add(NOW)))).toBe('signature_invalid');
    expect(await outcome(await withHeader('signature-input', add(NOW + 60)))).toBe('signature_invalid');
  });

  it('a Content-Digest without a sha-256 member, or not a dictionary → digest_mismatch (not an exception)', async () => {
    expect(await outcome(await withHeader('content-digest', () => `sha-512=:${Buffer.alloc(64).toString('base64')}:`))).toBe('digest_mismatch');
    expect(await outcome(await withHeader('content-digest', () => 'sha-256=abc'))).toBe('digest_mismatch');
    expect(await outcome(await withHeader('content-digest', () => '((('))).toBe('digest_mismatch');
    expect(await outcome(await withHeader('content-digest', () => undefined))).toBe('digest_mismatch');
  });

  it('an unknown key, or a stored key that is not 32 bytes → unknown_key', async () => {
    const req = await base();
    expect(await outcome(req, async () => null)).toBe('unknown_key');
    expect(await outcome(req, async () => undefined)).toBe('unknown_key');
    expect(await outcome(req, async () => Buffer.alloc(16, 7).toString('base64'))).toBe('unknown_key');
    expect(await outcome(req, async () => '%%%not-base64')).toBe('unknown_key');
  });

  it('a target in absolute form is signed as its path and query', async () => {
    const a = await signRequest(
      { method: 'GET', url: 'https://contamos.example/api/v1/reports?page=2#x', body: '' },
      { keyId: KEY_ID, secretKey: member.secretKey },
      { created: NOW, nonce: NONCE },
    );
    const b = await signRequest(
      { method: 'GET', url: '/api/v1/reports?page=2', body: '' },
      { keyId: KEY_ID, secretKey: member.secretKey },
      { created: NOW, nonce: NONCE },
    );
    expect(a).toEqual(b);
    const c = await signRequest(
      { method: 'GET', url: '/api/v1/reports', body: '' },
      { keyId: KEY_ID, secretKey: member.secretKey },
      { created: NOW, nonce: NONCE },
    );
    expect(c.signature).not.toBe(b.signature);
    await expect(signRequest({ method: 'GET', url: 'api/v1/reports', body: '' }, { keyId: KEY_ID, secretKey: member.secretKey })).rejects.toThrow(TypeError);
  });
});
