import fc from 'fast-check';
import { httpbis } from 'http-message-signatures';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type KeyPair,
  SignatureError,
  type SignatureErrorCode,
  type VerifiableRequest,
  contentDigest,
  generateSigningKeyPair,
  ready,
  signRequest,
  verifyRequest,
} from '../../crypto/index.js';
import { nodeEd25519, nodeEd25519Sign, nodeEd25519Verify, nodeSha256 } from './helpers.js';

let member: KeyPair;
let stranger: KeyPair;
const KEY_ID = 'm-7f3a9c';
const NOW = 1_760_000_000;
const NONCE = 'Zx3q9vT1bN0aR5sKc2LmWg';

beforeAll(async () => {
  await ready();
  member = generateSigningKeyPair();
  stranger = generateSigningKeyPair();
});

const keyLookup = async (id: string) => (id === KEY_ID ? member.publicKey : null);
const body = JSON.stringify({ reportId: '6a1f', year: 2024, region: 'PE-LIM', note: 'compañera' });

async function signed(over: { method?: string; url?: string; body?: string | Uint8Array; created?: number } = {}): Promise<VerifiableRequest> {
  const method = over.method ?? 'POST';
  const url = over.url ?? '/api/v1/reports?page=2';
  const b = over.body ?? body;
  const headers = await signRequest({ method, url, body: b }, { keyId: KEY_ID, secretKey: member.secretKey }, { created: over.created ?? NOW, nonce: NONCE });
  return { method, url, headers: { 'content-type': 'application/json', ...headers }, body: b };
}

async function refusal(req: VerifiableRequest, opts: Partial<Parameters<typeof verifyRequest>[1]> = {}): Promise<SignatureErrorCode | 'accepted'> {
  try {
    await verifyRequest(req, { keyLookup, now: NOW, ...opts });
    return 'accepted';
  } catch (e) {
    if (e instanceof SignatureError) return e.code;
    throw e;
  }
}

/**
 * Builds Signature-Input/Signature by hand (independently of signRequest): the RFC 9421 base is
 * written out line by line and signed with node:crypto. Used to produce validly signed requests
 * whose metadata is deliberately wrong (missing nonce, missing component, ...).
 */
function handSigned(components: Array<[string, string]>, params: string, secretKey = member.secretKey, publicKey = member.publicKey) {
  const list = `(${components.map(([n]) => `"${n}"`).join(' ')})${params}`;
  const base = `${components.map(([n, v]) => `"${n}": ${v}`).join('\n')}\n"@signature-params": ${list}`;
  const sig = nodeEd25519Sign(base, nodeEd25519(publicKey, secretKey).privateKey!);
  return { 'signature-input': `sig1=${list}`, signature: `sig1=:${sig}:` };
}

describe('contentDigest (RFC 9530)', () => {
  it('is sha-256 of the exact bytes, also for an empty body', () => {
    expect(contentDigest('')).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
    expect(contentDigest(body)).toBe(`sha-256=:${nodeSha256(body).toString('base64')}:`);
    expect(contentDigest(new TextEncoder().encode(body))).toBe(contentDigest(body));
    // RFC 9530 Appendix B.1 example body.
    expect(contentDigest('{"hello": "world"}')).toBe('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:');
  });
});

describe('signRequest output', () => {
  it('has the documented shape', async () => {
    const h = await signRequest({ method: 'post', url: '/api/v1/reports', body }, { keyId: KEY_ID, secretKey: member.secretKey });
    expect(Object.keys(h).sort()).toEqual(['content-digest', 'signature', 'signature-input']);
    expect(h['signature-input']).toMatch(/^sig1=\("@method" "@path" "content-digest"\);created=\d+;nonce="[A-Za-z0-9_-]{22}";keyid="m-7f3a9c";alg="ed25519"$/);
    expect(h.signature).toMatch(/^sig1=:[A-Za-z0-9+/]{86}==:$/);
    const withQuery = await signRequest({ method: 'GET', url: '/api/v1/reports?page=2' }, { keyId: KEY_ID, secretKey: member.secretKey });
    expect(withQuery['signature-input']).toMatch(/^sig1=\("@method" "@path" "@query" "content-digest"\);/);
    expect(withQuery['content-digest']).toBe(contentDigest(''));
  });

  it('uses a fresh random nonce each time', async () => {
    const a = await signRequest({ method: 'GET', url: '/x' }, { keyId: KEY_ID, secretKey: member.secretKey });
    const b = await signRequest({ method: 'GET', url: '/x' }, { keyId: KEY_ID, secretKey: member.secretKey });
    expect(a['signature-input']).not.toBe(b['signature-input']);
  });

  it('the signature base matches RFC 9421 §2.5, checked by hand with node:crypto', async () => {
    const h = await signRequest(
      { method: 'POST', url: '/api/v1/reports?page=2&x=%C3%B1', body },
      { keyId: KEY_ID, secretKey: member.secretKey },
      { created: NOW, nonce: NONCE },
    );
    const digest = `sha-256=:${nodeSha256(body).toString('base64')}:`;
    expect(h['content-digest']).toBe(digest);
    const params = `("@method" "@path" "@query" "content-digest");created=${NOW};nonce="${NONCE}";keyid="${KEY_ID}";alg="ed25519"`;
    expect(h['signature-input']).toBe(`sig1=${params}`);
    const base = [
      '"@method": POST',
      '"@path": /api/v1/reports',
      '"@query": ?page=2&x=%C3%B1',
      `"content-digest": ${digest}`,
      `"@signature-params": ${params}`,
    ].join('\n');
    const sig = /^sig1=:(.*):$/.exec(h.signature)![1]!;
    expect(nodeEd25519Verify(base, sig, nodeEd25519(member.publicKey).publicKey)).toBe(true);
  });
});

describe('verifyRequest accepts', () => {
  it('a signed request, returning keyId, nonce and created', async () => {
    const req = await signed();
    await expect(verifyRequest(req, { keyLookup, now: NOW })).resolves.toEqual({ keyId: KEY_ID, nonce: NONCE, created: NOW });
  });

  it('bodies as bytes, header names in any case, Node-style array values, and no query', async () => {
    const req = await signed({ url: '/api/v1/reports', body: new TextEncoder().encode(body) });
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(await refusal({ ...req, body, headers })).toBe('accepted');
    const arrays = { ...req.headers, 'content-digest': [req.headers['content-digest'] as string] };
    expect(await refusal({ ...req, headers: arrays })).toBe('accepted');
    expect(await refusal({ ...(await signed({ method: 'GET', url: '/api/v1/me', body: '' })) })).toBe('accepted');
    expect(await refusal({ ...(await signed({ method: 'DELETE', url: '/', body: new Uint8Array(0) })) })).toBe('accepted');
  });

  it('the freshness window boundaries (300 s old, 30 s ahead)', async () => {
    expect(await refusal(await signed({ created: NOW - 300 }))).toBe('accepted');
    expect(await refusal(await signed({ created: NOW + 30 }))).toBe('accepted');
    expect(await refusal(await signed({ created: NOW - 60 }), { maxAgeSeconds: 60 })).toBe('accepted');
  });

  it('other signatures next to sig1, and extra covered headers', async () => {
    const req = await signed();
    const headers = {
      ...req.headers,
      'signature-input': `other=("@method");created=1, ${req.headers['signature-input']}`,
      signature: `other=:AAAA:, ${req.headers.signature}`,
    };
    expect(await refusal({ ...req, headers })).toBe('accepted');
    const digest = contentDigest(body);
    const extra = handSigned(
      [
        ['@method', 'POST'],
        ['@path', '/api/v1/reports'],
        ['content-digest', digest],
        ['content-type', 'application/json'],
      ],
      `;created=${NOW};keyid="${KEY_ID}";nonce="${NONCE}";alg="ed25519"`,
    );
    expect(
      await refusal({ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-type': 'application/json', 'content-digest': digest, ...extra } }),
    ).toBe('accepted');
  });

  it('random requests (property)', async () => {
    const seg = fc.stringMatching(/^[A-Za-z0-9._~%-]{1,12}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.array(seg, { minLength: 1, maxLength: 4 }),
        fc.option(fc.stringMatching(/^[A-Za-z0-9=&%._-]{0,20}$/), { nil: undefined }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        async (method, segments, query, b) => {
          const url = `/${segments.join('/')}${query === undefined ? '' : `?${query}`}`;
          const req = await signed({ method, url, body: b });
          expect(await refusal(req)).toBe('accepted');
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('verifyRequest refuses, with the right code', () => {
  const cases: Array<[string, () => Promise<[VerifiableRequest, Partial<Parameters<typeof verifyRequest>[1]>?]>, SignatureErrorCode]> = [
    [
      'no signature headers',
      async () => {
        const r = await signed();
        return [{ ...r, headers: { 'content-digest': r.headers['content-digest'] } }];
      },
      'signature_missing',
    ],
    [
      'only Signature-Input',
      async () => {
        const r = await signed();
        return [{ ...r, headers: { ...r.headers, signature: undefined } }];
      },
      'signature_missing',
    ],
    [
      'a label other than sig1',
      async () => {
        const r = await signed();
        const rename = (v: unknown) => String(v).replace(/^sig1=/, 'sig2=');
        return [{ ...r, headers: { ...r.headers, signature: rename(r.headers.signature), 'signature-input': rename(r.headers['signature-input']) } }];
      },
      'signature_missing',
    ],
    [
      'garbage Signature-Input',
      async () => {
        const r = await signed();
        return [{ ...r, headers: { ...r.headers, 'signature-input': 'sig1=(("@method"' } }];
      },
      'signature_malformed',
    ],
    [
      'garbage Signature',
      async () => {
        const r = await signed();
        return [{ ...r, headers: { ...r.headers, signature: 'sig1=not-bytes' } }];
      },
      'signature_malformed',
    ],
    [
      'a truncated signature',
      async () => {
        const r = await signed();
        return [{ ...r, headers: { ...r.headers, signature: 'sig1=:AAAA:' } }];
      },
      'signature_malformed',
    ],
    [
      'Signature-Input member that is not an inner list',
      async () => {
        const r = await signed();
        return [{ ...r, headers: { ...r.headers, 'signature-input': 'sig1="@method"' } }];
      },
      'signature_malformed',
    ],
    [
      'missing nonce',
      async () => {
        const h = handSigned(
          [
            ['@method', 'POST'],
            ['@path', '/api/v1/reports'],
            ['content-digest', contentDigest(body)],
          ],
          `;created=${NOW};keyid="${KEY_ID}";alg="ed25519"`,
        );
        return [{ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-digest': contentDigest(body), ...h } }];
      },
      'signature_malformed',
    ],
    [
      'missing created',
      async () => {
        const h = handSigned(
          [
            ['@method', 'POST'],
            ['@path', '/api/v1/reports'],
            ['content-digest', contentDigest(body)],
          ],
          `;nonce="${NONCE}";keyid="${KEY_ID}";alg="ed25519"`,
        );
        return [{ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-digest': contentDigest(body), ...h } }];
      },
      'signature_malformed',
    ],
    [
      'created as a string',
      async () => {
        const h = handSigned(
          [
            ['@method', 'POST'],
            ['@path', '/api/v1/reports'],
            ['content-digest', contentDigest(body)],
          ],
          `;created="${NOW}";nonce="${NONCE}";keyid="${KEY_ID}";alg="ed25519"`,
        );
        return [{ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-digest': contentDigest(body), ...h } }];
      },
      'signature_malformed',
    ],
    [
      'missing alg',
      async () => {
        const h = handSigned(
          [
            ['@method', 'POST'],
            ['@path', '/api/v1/reports'],
            ['content-digest', contentDigest(body)],
          ],
          `;created=${NOW};nonce="${NONCE}";keyid="${KEY_ID}"`,
        );
        return [{ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-digest': contentDigest(body), ...h } }];
      },
      'signature_malformed',
    ],
    [
      'another alg',
      async () => {
        const h = handSigned(
          [
            ['@method', 'POST'],
            ['@path', '/api/v1/reports'],
            ['content-digest', contentDigest(body)],
          ],
          `;created=${NOW};nonce="${NONCE}";keyid="${KEY_ID}";alg="hmac-sha256"`,
        );
        return [{ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-digest': contentDigest(body), ...h } }];
      },
      'signature_malformed',
    ],
    [
      'a short nonce',
      async () => {
        const h = handSigned(
          [
            ['@method', 'POST'],
            ['@path', '/api/v1/reports'],
            ['content-digest', contentDigest(body)],
          ],
          `;created=${NOW};nonce="1";keyid="${KEY_ID}";alg="ed25519"`,
        );
        return [{ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-digest': contentDigest(body), ...h } }];
      },
      'signature_malformed',
    ],
    [
      'content-digest not covered',
      async () => {
        const h = handSigned(
          [
            ['@method', 'POST'],
            ['@path', '/api/v1/reports'],
          ],
          `;created=${NOW};nonce="${NONCE}";keyid="${KEY_ID}";alg="ed25519"`,
        );
        return [{ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-digest': contentDigest(body), ...h } }];
      },
      'signature_malformed',
    ],
    [
      '@method not covered',
      async () => {
        const h = handSigned(
          [
            ['@path', '/api/v1/reports'],
            ['content-digest', contentDigest(body)],
          ],
          `;created=${NOW};nonce="${NONCE}";keyid="${KEY_ID}";alg="ed25519"`,
        );
        return [{ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-digest': contentDigest(body), ...h } }];
      },
      'signature_malformed',
    ],
    [
      '@query not covered although the URL has a query',
      async () => {
        const r = await signed({ url: '/api/v1/reports' });
        return [{ ...r, url: '/api/v1/reports?page=2' }];
      },
      'signature_malformed',
    ],
    [
      'a component with parameters',
      async () => {
        const r = await signed();
        const si = String(r.headers['signature-input']).replace('"@method"', '"@method";req');
        return [{ ...r, headers: { ...r.headers, 'signature-input': si } }];
      },
      'signature_malformed',
    ],
    [
      'an unsupported derived component',
      async () => {
        const h = handSigned(
          [
            ['@method', 'POST'],
            ['@authority', 'example.org'],
            ['@path', '/api/v1/reports'],
            ['content-digest', contentDigest(body)],
          ],
          `;created=${NOW};nonce="${NONCE}";keyid="${KEY_ID}";alg="ed25519"`,
        );
        return [{ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-digest': contentDigest(body), ...h } }];
      },
      'signature_malformed',
    ],
    [
      'a covered header that is absent',
      async () => {
        const h = handSigned(
          [
            ['@method', 'POST'],
            ['@path', '/api/v1/reports'],
            ['content-digest', contentDigest(body)],
            ['x-extra', 'v'],
          ],
          `;created=${NOW};nonce="${NONCE}";keyid="${KEY_ID}";alg="ed25519"`,
        );
        return [{ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-digest': contentDigest(body), ...h } }];
      },
      'signature_malformed',
    ],
    ['changed body', async () => [{ ...(await signed()), body: body.replace('2024', '2023') }], 'digest_mismatch'],
    [
      'body bytes that differ only in encoding',
      async () => [{ ...(await signed()), body: new TextEncoder().encode(body.normalize('NFD')) }],
      'digest_mismatch',
    ],
    [
      'changed Content-Digest header',
      async () => {
        const r = await signed();
        return [{ ...r, headers: { ...r.headers, 'content-digest': contentDigest('{}') } }];
      },
      'digest_mismatch',
    ],
    [
      'Content-Digest header removed',
      async () => {
        const r = await signed();
        return [{ ...r, headers: { ...r.headers, 'content-digest': undefined } }];
      },
      'digest_mismatch',
    ],
    [
      'Content-Digest with another algorithm only',
      async () => {
        const r = await signed();
        return [{ ...r, headers: { ...r.headers, 'content-digest': 'sha-512=:AAAA:' } }];
      },
      'digest_mismatch',
    ],
    ['stale created', async () => [await signed({ created: NOW - 301 })], 'signature_expired'],
    ['created in the future', async () => [await signed({ created: NOW + 31 })], 'signature_expired'],
    ['stale under a custom max age', async () => [await signed({ created: NOW - 61 }), { maxAgeSeconds: 60 }], 'signature_expired'],
    [
      'expires in the past',
      async () => {
        const h = handSigned(
          [
            ['@method', 'POST'],
            ['@path', '/api/v1/reports'],
            ['content-digest', contentDigest(body)],
          ],
          `;created=${NOW - 10};expires=${NOW - 1};nonce="${NONCE}";keyid="${KEY_ID}";alg="ed25519"`,
        );
        return [{ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-digest': contentDigest(body), ...h } }];
      },
      'signature_expired',
    ],
    ['unknown key', async () => [await signed(), { keyLookup: async () => null }], 'unknown_key'],
    ['wrong key', async () => [await signed(), { keyLookup: async () => stranger.publicKey }], 'signature_invalid'],
    ['changed method', async () => [{ ...(await signed()), method: 'PUT' }], 'signature_invalid'],
    ['changed path', async () => [{ ...(await signed()), url: '/api/v1/reportz?page=2' }], 'signature_invalid'],
    ['changed query', async () => [{ ...(await signed()), url: '/api/v1/reports?page=3' }], 'signature_invalid'],
    ['query removed', async () => [{ ...(await signed()), url: '/api/v1/reports' }], 'signature_invalid'],
    [
      'body and digest both replaced',
      async () => {
        const r = await signed();
        const b = body.replace('2024', '2023');
        return [{ ...r, body: b, headers: { ...r.headers, 'content-digest': contentDigest(b) } }];
      },
      'signature_invalid',
    ],
    [
      'changed nonce',
      async () => {
        const r = await signed();
        return [{ ...r, headers: { ...r.headers, 'signature-input': String(r.headers['signature-input']).replace(NONCE, 'A'.repeat(22)) } }];
      },
      'signature_invalid',
    ],
    [
      'changed created',
      async () => {
        const r = await signed();
        return [{ ...r, headers: { ...r.headers, 'signature-input': String(r.headers['signature-input']).replace(`created=${NOW}`, `created=${NOW + 1}`) } }];
      },
      'signature_invalid',
    ],
    [
      'flipped signature bit',
      async () => {
        const r = await signed();
        const sig = Buffer.from(/:(.*):/.exec(String(r.headers.signature))![1]!, 'base64');
        sig[5]! ^= 0x10;
        return [{ ...r, headers: { ...r.headers, signature: `sig1=:${sig.toString('base64')}:` } }];
      },
      'signature_invalid',
    ],
    [
      'signed by another key under this keyid',
      async () => {
        const h = handSigned(
          [
            ['@method', 'POST'],
            ['@path', '/api/v1/reports'],
            ['content-digest', contentDigest(body)],
          ],
          `;created=${NOW};nonce="${NONCE}";keyid="${KEY_ID}";alg="ed25519"`,
          stranger.secretKey,
          stranger.publicKey,
        );
        return [{ method: 'POST', url: '/api/v1/reports', body, headers: { 'content-digest': contentDigest(body), ...h } }];
      },
      'signature_invalid',
    ],
  ];

  it.each(cases)('%s', async (_name, make, code) => {
    const [req, opts] = await make();
    expect(await refusal(req, opts)).toBe(code);
  });

  it('looks the key up once, and not at all for malformed or stale requests', async () => {
    const lookup = vi.fn(keyLookup);
    await verifyRequest(await signed(), { keyLookup: lookup, now: NOW });
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenCalledWith(KEY_ID);
    lookup.mockClear();
    expect(await refusal(await signed({ created: NOW - 1000 }), { keyLookup: lookup })).toBe('signature_expired');
    expect(await refusal({ ...(await signed()), body: 'x' }, { keyLookup: lookup })).toBe('digest_mismatch');
    expect(lookup).not.toHaveBeenCalled();
  });

  it('lets keyLookup failures through unchanged (they are not signature errors)', async () => {
    const boom = new Error('database down');
    await expect(
      verifyRequest(await signed(), {
        keyLookup: async () => {
          throw boom;
        },
        now: NOW,
      }),
    ).rejects.toBe(boom);
  });

  it('uses the wall clock when now is not given', async () => {
    const r = await signRequest({ method: 'GET', url: '/x' }, { keyId: KEY_ID, secretKey: member.secretKey });
    await expect(verifyRequest({ method: 'GET', url: '/x', headers: r, body: '' }, { keyLookup })).resolves.toMatchObject({ keyId: KEY_ID });
  });
});

describe('interoperability with the http-message-signatures package', () => {
  it('its verifyMessage accepts our signatures', async () => {
    const created = Math.floor(Date.now() / 1000) - 5;
    const h = await signRequest({ method: 'POST', url: '/api/v1/reports?page=2', body }, { keyId: KEY_ID, secretKey: member.secretKey }, { created });
    const { publicKey } = nodeEd25519(member.publicKey);
    const result = await httpbis.verifyMessage(
      {
        keyLookup: async (params) =>
          params.keyid === KEY_ID
            ? { id: KEY_ID, algs: ['ed25519'], verify: async (data, sig) => nodeEd25519Verify(data, sig.toString('base64'), publicKey) }
            : null,
        requiredFields: ['@method', '@path', '@query', 'content-digest'],
        requiredParams: ['created', 'nonce', 'keyid', 'alg'],
      },
      { method: 'POST', url: 'https://contamos.example/api/v1/reports?page=2', headers: h },
    );
    expect(result).toBe(true);
  });

  it('our verifyRequest accepts its signMessage output', async () => {
    const created = new Date((NOW - 10) * 1000);
    const { privateKey } = nodeEd25519(member.publicKey, member.secretKey);
    const signedMsg = await httpbis.signMessage(
      {
        key: { id: KEY_ID, alg: 'ed25519', sign: async (data) => Buffer.from(nodeEd25519Sign(data, privateKey!), 'base64') },
        name: 'sig1',
        fields: ['@method', '@path', '@query', 'content-digest'],
        params: ['created', 'nonce', 'keyid', 'alg'],
        paramValues: { created, nonce: NONCE },
      },
      { method: 'POST', url: 'https://contamos.example/api/v1/reports?page=2', headers: { 'Content-Digest': contentDigest(body) } },
    );
    const headers = signedMsg.headers as Record<string, string>;
    expect(headers['Signature-Input']).toContain('sig1=(');
    await expect(verifyRequest({ method: 'POST', url: '/api/v1/reports?page=2', headers, body }, { keyLookup, now: NOW })).resolves.toEqual({
      keyId: KEY_ID,
      nonce: NONCE,
      created: NOW - 10,
    });
  });
});
