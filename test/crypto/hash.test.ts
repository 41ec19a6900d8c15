import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import canonicalize from 'canonicalize';
import { CanonicalJsonError, canonicalJson, hashCanonical, hmacSha256, reportHash, sha256, sha256Hex, toHex } from '../../crypto/index.js';
import { nodeHmacHex, nodeSha256Hex } from './helpers.js';

describe('sha256 (pure TypeScript) against node:crypto', () => {
  it('NIST FIPS 180-4 vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(sha256Hex('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('every length around the block boundaries', () => {
    for (let n = 0; n <= 300; n++) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 255);
      expect(sha256Hex(data)).toBe(nodeSha256Hex(data));
    }
  });

  it('random inputs and strings', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (d) => sha256Hex(d) === nodeSha256Hex(d)));
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => sha256Hex(s) === nodeSha256Hex(Buffer.from(s, 'utf8'))));
    expect(sha256('x')).toHaveLength(32);
  });

  it('HMAC-SHA-256: RFC 4231 test case 2 and random keys', () => {
    expect(toHex(hmacSha256(new TextEncoder().encode('Jefe'), 'what do ya want for nothing?'))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), (key, data) => toHex(hmacSha256(key, data)) === nodeHmacHex(key, data)),
    );
  });
});

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const keys = Object.keys(JSON.parse(canonicalJson(value)) as object);
    // JSON.parse re-orders integer-like keys, so compare the text instead.
    expect(keys).toContain('1');
    expect(canonicalJson(value)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('formats numbers and strings as RFC 8785 §3.2.2', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('does not depend on key order or nesting construction', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
  });

  it('writes flat objects (its fast path, e.g. report bodies) exactly as the canonicalize package does', () => {
    const scalar = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom(-0, 1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), scalar), (obj) => {
        const wellFormed = [...Object.keys(obj), ...Object.values(obj)].every((x) => typeof x !== 'string' || !/\p{Cs}/u.test(x));
        if (wellFormed) expect(canonicalJson(obj)).toBe(canonicalize(obj));
        else expect(() => canonicalJson(obj)).toThrow(CanonicalJsonError);
      }),
      { numRuns: 2000 },
    );
    expect(canonicalJson({ '\ud83d\ude00': 'x', a: '\ud83d\ude00', b: -0 })).toBe('{"a":"\ud83d\ude00","b":0,"\ud83d\ude00":"x"}');
  });

  it('omits undefined object members (like JSON.stringify) but refuses other non-JSON data', () => {
    expect(canonicalJson({ b: 1, a: undefined })).toBe('{"b":1}');
    const bad: unknown[] = [
      undefined,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      { a: -Infinity },
      [1, undefined],
      // biome-ignore lint/suspicious/noSparseArray: an array with a hole is one of the values canonical JSON must refuse
      [1, , 2],
      () => 1,
      { f: () => 1 },
      Symbol('s'),
      10n,
      { d: new Date(0) },
      new Map(),
      { m: new Set() },
      Uint8Array.of(1),
      { s: 'lone \ud800' },
      { toJSON: () => 1 },
    ];
    for (const v of bad) expect(() => canonicalJson(v), String(typeof v)).toThrow(CanonicalJsonError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(CanonicalJsonError);
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('handles deep nesting without overflowing the stack', () => {
    let v: unknown = 0;
    for (let i = 0; i < 20_000; i++) v = [v];
    expect(canonicalJson(v)).toHaveLength(40_001);
  });
});

describe('hashCanonical and reportHash', () => {
  const body = {
    year: 2023,
    region: 'PE-LIM',
    incidentType: 'homicide',
    victimGender: 'trans_woman',
    victimNationality: 'VE',
    victimAgeBand: '25-34',
    perpetratorType: 'unknown',
    sealedNarrative: 'AAAA',
    quarter: 2,
  };
  const reportId = '5b0a7a4e-2f1c-4c39-9d8e-6f1f2b7c9a10';
  // Written out by hand in RFC 8785 order and hashed with node:crypto, independently of the module.
  const canonicalText =
    '{"incidentType":"homicide","perpetratorType":"unknown","quarter":2,"region":"PE-LIM","reportId":"5b0a7a4e-2f1c-4c39-9d8e-6f1f2b7c9a10","sealedNarrative":"AAAA","victimAgeBand":"25-34","victimGender":"trans_woman","victimNationality":"VE","year":2023}';

  it('matches an independently computed vector', () => {
    expect(canonicalJson({ reportId, ...body })).toBe(canonicalText);
    expect(reportHash(reportId, body)).toBe(nodeSha256Hex(canonicalText));
    expect(hashCanonical({ b: [1, 'ñ'], a: null })).toBe(nodeSha256Hex('{"a":null,"b":[1,"ñ"]}'));
  });

  it('is stable: same report, any key order, same hash; any change, another hash', () => {
    const shuffled = Object.fromEntries(Object.entries(body).reverse());
    expect(reportHash(reportId, shuffled)).toBe(reportHash(reportId, body));
    expect(reportHash(reportId, { ...body, year: 2022 })).not.toBe(reportHash(reportId, body));
    expect(reportHash('5b0a7a4e-2f1c-4c39-9d8e-6f1f2b7c9a11', body)).not.toBe(reportHash(reportId, body));
    expect(reportHash(reportId, body)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a body whose own reportId disagrees, and non-objects', () => {
    expect(reportHash(reportId, { ...body, reportId })).toBe(reportHash(reportId, body));
    expect(() => reportHash(reportId, { ...body, reportId: 'other' })).toThrow(TypeError);
    expect(() => reportHash('', body)).toThrow(TypeError);
    expect(() => reportHash(reportId, [] as unknown as object)).toThrow(TypeError);
  });
});
