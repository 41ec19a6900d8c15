// The submission page's logic outside the browser, from the attacker's side where it matters:
// - vault.ts: what a person with the device's storage (but not the organisation's key) can read;
// - counted-check.ts: what a lying server can make the page believe about a release;
// - send-outcome.ts: which failed sends the page may forget (only those the server refused);
// - invite-link.ts: where the page takes an invite from.
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_NARRATIVE_BYTES,
  canonicalJson,
  generateSealKeyPair,
  generateSigningKeyPair,
  inclusionProof,
  merkleRoot,
  ready,
  receiptCode,
  sealNarrative,
  signDetached,
} from '../../crypto/index.js';
import { ApiError, NetworkError } from '../../web/src/api.js';
import { type CheckDeps, ReleaseSignatureError, checkRelease, latestRelease } from '../../web/src/counted-check.js';
import { inviteFromFragment, inviteFromText, isPlausibleInvite } from '../../web/src/invite-link.js';
import { NARRATIVE_MAX_CHARS } from '../../web/src/narrative-limit.js';
import { failureKind } from '../../web/src/send-outcome.js';
import { DeviceVault, ENTRY_PREFIX, MAX_RECEIPTS, type SecretboxSodium, type StorageLike } from '../../web/src/vault.js';

let sodium: SecretboxSodium;
beforeAll(async () => {
  sodium = (await ready()) as unknown as SecretboxSodium;
});

function memoryStorage(): StorageLike & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe('the device vault (drafts, an unresolved send, receipts)', () => {
  it('keeps nothing in clear, not even which organisation it belongs to', () => {
    const org = generateSigningKeyPair();
    const store = memoryStorage();
    const v = DeviceVault.open(sodium, org.secretKey, store);
    const narrative = 'NARRATIVA-SECRETA: María, 27 años, jirón Huallaga';
    expect(
      v.write({
        draft: { fields: { narrative, year: '2024' }, amending: null },
        pending: { id: randomUUID(), text: '{"sealedNarrative":"x"}', amending: null },
      }),
    ).toBe(true);
    expect(store.map.size).toBe(1);
    const [name, value] = [...store.map][0]!;
    expect(name.startsWith(ENTRY_PREFIX)).toBe(true);
    const everything = name + value;
    for (const needle of [
      'NARRATIVA',
      'María',
      'Huallaga',
      org.publicKey,
      org.publicKey.slice(0, 12),
      Buffer.from(narrative).toString('base64').slice(0, 16),
    ]) {
      expect(everything).not.toContain(needle);
    }
    expect(v.read().draft?.fields.narrative).toBe(narrative);
  });

  it('opens only with the same organisation key; another key sees nothing and its own entry is separate', () => {
    const a = generateSigningKeyPair();
    const b = generateSigningKeyPair();
    const store = memoryStorage();
    DeviceVault.open(sodium, a.secretKey, store).write({ draft: { fields: { narrative: 'de A' }, amending: null } });
    const vb = DeviceVault.open(sodium, b.secretKey, store);
    expect(vb.read()).toEqual({});
    vb.write({ draft: { fields: { narrative: 'de B' }, amending: null } });
    expect(store.map.size).toBe(2);
    expect(DeviceVault.open(sodium, a.secretKey, store).read().draft?.fields.narrative).toBe('de A');
    // An attacker who copies A's ciphertext under B's entry name gains nothing: B cannot open it.
    const aEntry = DeviceVault.open(sodium, a.secretKey, store).entry;
    store.map.set(vb.entry, store.map.get(aEntry)!);
    expect(vb.read()).toEqual({});
  });

  it('ignores an altered entry instead of trusting it', () => {
    const org = generateSigningKeyPair();
    const store = memoryStorage();
    const v = DeviceVault.open(sodium, org.secretKey, store);
    v.write({ pending: { id: 'x', text: 'y', amending: null } });
    const raw = JSON.parse(store.map.get(v.entry)!);
    const c = Buffer.from(raw.c, 'base64');
    c[c.length - 1] = c[c.length - 1]! ^ 1;
    store.map.set(v.entry, JSON.stringify({ ...raw, c: c.toString('base64') }));
    expect(v.read()).toEqual({});
    store.map.set(v.entry, 'not json');
    expect(v.read()).toEqual({});
  });

  it('pads to 4 KiB steps, so the size says little about the narrative', () => {
    const org = generateSigningKeyPair();
    const store = memoryStorage();
    const v = DeviceVault.open(sodium, org.secretKey, store);
    v.write({ draft: { fields: { narrative: 'a' }, amending: null } });
    const short = store.map.get(v.entry)!.length;
    v.write({ draft: { fields: { narrative: 'a'.repeat(3000) }, amending: null } });
    expect(store.map.get(v.entry)!.length).toBe(short);
  });

  it('says when the browser refuses to store, removes an empty vault, keeps at most MAX_RECEIPTS receipts', () => {
    const org = generateSigningKeyPair();
    const refusing: StorageLike = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    expect(DeviceVault.open(sodium, org.secretKey, refusing).write({ draft: { fields: { narrative: 'x' }, amending: null } })).toBe(false);
    expect(DeviceVault.open(sodium, org.secretKey, null).write({ draft: { fields: { narrative: 'x' }, amending: null } })).toBe(false);
    const store = memoryStorage();
    const v = DeviceVault.open(sodium, org.secretKey, store);
    v.write({ draft: { fields: { narrative: 'x' }, amending: null } });
    v.write({});
    expect(store.map.size).toBe(0);
    const receipts = Array.from({ length: MAX_RECEIPTS + 5 }, (_, i) => ({ reportId: String(i), reportHash: 'a'.repeat(64), keyId: 'k', signature: 's' }));
    v.write({ receipts });
    expect(v.read().receipts?.[0]?.reportId).toBe('5');
    expect(v.read().receipts).toHaveLength(MAX_RECEIPTS);
  });
});

describe('¿Se contó mi reporte? against a lying server', () => {
  const hex = () => randomBytes(32).toString('hex');

  async function world(opts: { tamper?: (items: any[]) => void; envelope?: (env: any) => void } = {}) {
    await ready();
    const pub = generateSigningKeyPair();
    const ours = [hex(), hex()];
    const leaves = [...ours, ...Array.from({ length: 9 }, hex)];
    const manifest = { id: 'anual-1', domains: { year: ['2023'] }, merkle: { scheme: 'contamos-smt-sha256', root: merkleRoot(leaves) } };
    const env: any = { manifest, hash: 'x', signature: { keyId: 'publisher-1', alg: 'ed25519', value: signDetached(canonicalJson(manifest), pub.secretKey) } };
    opts.envelope?.(env);
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const items: any[] = [
      { reportId: ids[0], reportHash: ours[0], status: 'active', year: 2023, proof: inclusionProof(leaves, ours[0]!) },
      { reportId: ids[1], reportHash: ours[1], status: 'active', year: 2023, proof: inclusionProof(leaves, ours[1]!) },
      { reportId: ids[2], reportHash: hex(), status: 'withdrawn', year: 2023, proof: null },
      { reportId: ids[3], reportHash: hex(), status: 'active', year: 2024, proof: null },
      { reportId: ids[4], reportHash: hex(), status: 'active', year: 2023, proof: null },
    ];
    opts.tamper?.(items);
    const deps: CheckDeps = {
      getJson: async <T>(path: string) => {
        expect(path).toBe('/api/v1/releases/anual-1');
        return env as T;
      },
      signedGet: async <T>(path: string) => {
        expect(path).toMatch(/^\/api\/v1\/releases\/anual-1\/proofs\?limit=100/);
        // two pages, as the server would send them
        return (path.includes('cursor=') ? { items: items.slice(3), nextCursor: null } : { items: items.slice(0, 3), nextCursor: ids[2] }) as T;
      },
      publishers: [{ keyId: 'publisher-1', publicKey: pub.publicKey }],
      receipts: new Map(),
    };
    return { deps, ids, ours, leaves };
  }

  it('counts a report only when its proof verifies against the signed root, and says why the others are not', async () => {
    const { deps, ids, ours } = await world({});
    const r = await checkRelease(deps, 'anual-1');
    expect(r.items.map((i) => i.outcome)).toEqual(['counted', 'counted', 'withdrawn', 'other-year', 'not-counted']);
    expect(r.items[0]).toMatchObject({ reportId: ids[0], code: receiptCode(ids[0]!, ours[0]!), receiptOnDevice: false });
    expect(r.publisherKeyId).toBe('publisher-1');
  });

  it('a forged path, a proof for another leaf, or a tree of the attacker’s own with its root in the answer: never counted', async () => {
    const flip = (h: string) => h.slice(0, -1) + (h.endsWith('0') ? '1' : '0');
    const forgedPath = await world({
      tamper: (items) => {
        items[0].proof = { ...items[0].proof, path: items[0].proof.path.map(flip) };
      },
    });
    expect((await checkRelease(forgedPath.deps, 'anual-1')).items[0]!.outcome).toBe('bad-proof');
    const otherLeaf = await world({
      tamper: (items) => {
        items[0].proof = items[1].proof;
      },
    });
    expect((await checkRelease(otherLeaf.deps, 'anual-1')).items[0]!.outcome).toBe('bad-proof');
    // The attacker builds a tree that holds our hash and sends its proof WITH its own root.
    const own = await world({
      tamper: (items) => {
        const fake = [items[0].reportHash, hex(), hex()];
        items[0].proof = { ...inclusionProof(fake, items[0].reportHash), root: merkleRoot(fake) };
        items[0].root = merkleRoot(fake);
      },
    });
    expect((await checkRelease(own.deps, 'anual-1')).items[0]!.outcome).toBe('bad-proof');
  });

  it('a server that shows another hash than the signed receipt kept on the device is caught', async () => {
    const w = await world({});
    w.deps.receipts = new Map([[w.ids[0]!, { reportHash: w.ours[0]! }]]);
    expect((await checkRelease(w.deps, 'anual-1')).items[0]).toMatchObject({ outcome: 'counted', receiptOnDevice: true });
    // The server's list and proof agree with each other, but not with what the server signed.
    w.deps.receipts = new Map([[w.ids[0]!, { reportHash: hex() }]]);
    expect((await checkRelease(w.deps, 'anual-1')).items[0]!.outcome).toBe('receipt-mismatch');
    // A receipt for a report the server no longer lists at all.
    const gone = randomUUID();
    w.deps.receipts = new Map([[gone, { reportHash: hex() }]]);
    expect((await checkRelease(w.deps, 'anual-1')).items.find((i) => i.reportId === gone)?.outcome).toBe('missing');
  });

  it('refuses a release whose signature does not hold: altered root, unknown publisher, another release', async () => {
    const flip = (h: string) => h.slice(0, -1) + (h.endsWith('0') ? '1' : '0');
    for (const envelope of [
      (env: any) => {
        env.manifest.merkle.root = flip(env.manifest.merkle.root);
      },
      (env: any) => {
        env.signature.keyId = 'publisher-2';
      },
      (env: any) => {
        env.manifest.id = 'anual-2';
      },
      (env: any) => {
        delete env.signature;
      },
    ]) {
      const { deps } = await world({ envelope });
      await expect(checkRelease(deps, 'anual-1')).rejects.toThrow(ReleaseSignatureError);
    }
  });

  it('picks the latest release by the publication log when it has one, else by date', () => {
    expect(latestRelease([])).toBeUndefined();
    expect(
      latestRelease([
        { id: 'a-2', series: 'a', sequence: 2, publishedOn: '2026-01-01', index: 3 },
        { id: 'b-1', series: 'b', sequence: 1, publishedOn: '2025-01-01', index: 4 },
      ])?.id,
    ).toBe('b-1');
    expect(
      latestRelease([
        { id: 'a-2', series: 'a', sequence: 2, publishedOn: '2026-01-01' },
        { id: 'b-1', series: 'b', sequence: 1, publishedOn: '2025-01-01' },
      ])?.id,
    ).toBe('a-2');
  });
});

describe('which failed sends the page may forget', () => {
  it('only refusals that say nothing was stored; lost answers, replays, 5xx and limits keep the same report', () => {
    expect(failureKind(new NetworkError())).toBe('unknown');
    for (const [status, code] of [
      [401, 'replayed_nonce'],
      [401, 'signature_expired'],
      [429, 'rate_limited'],
      [503, 'database_unavailable'],
      [500, 'internal'],
      [502, 'http_502'],
      [400, 'request_aborted'],
    ] as const) {
      expect(failureKind(new ApiError(status, code, '')), code).toBe('unknown');
    }
    for (const [status, code] of [
      [400, 'invalid_body'],
      [413, 'payload_too_large'],
      [415, 'unsupported_media_type'],
      [409, 'report_conflict'],
      [404, 'report_not_found'],
      [403, 'key_revoked'],
      [401, 'unknown_key'],
    ] as const) {
      expect(failureKind(new ApiError(status, code, '')), code).toBe('refused');
    }
    expect(failureKind(new Error('anything else'))).toBe('unknown');
  });
});

describe('invites', () => {
  it('come from the fragment only, or from a pasted code or link', () => {
    const code = 'Ab-_0123456789abcdefghijklmnopqrstuvwxyzABC';
    expect(inviteFromFragment(`#invitacion=${code}`)).toBe(code);
    expect(inviteFromFragment(`#invite=${code}`)).toBe(code);
    expect(inviteFromFragment(`#x=1&invitaci%C3%B3n=${code}`)).toBe(code);
    expect(inviteFromFragment('#otra=cosa')).toBeNull();
    expect(inviteFromText(`  https://contamos.example/enviar#invitacion=${code} `)).toBe(code);
    expect(inviteFromText(`${code.slice(0, 20)}\n${code.slice(20)}`)).toBe(code);
    expect(isPlausibleInvite(code)).toBe(true);
    for (const bad of ['', 'short', `${code}!`, `${code} x`, 'x'.repeat(201)]) expect(isPlausibleInvite(bad)).toBe(false);
  });
});

describe('the narrative limit', () => {
  it('any text of NARRATIVE_MAX_CHARS characters seals, whatever its alphabet', async () => {
    await ready();
    const seal = generateSealKeyPair();
    for (const ch of ['a', 'ñ', '€', '😀'.slice(0, 1) + '😀'.slice(1), '中']) {
      const text = ch.repeat(Math.floor(NARRATIVE_MAX_CHARS / ch.length));
      expect(text.length).toBeLessThanOrEqual(NARRATIVE_MAX_CHARS);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_NARRATIVE_BYTES);
      expect(() => sealNarrative(text, seal.publicKey)).not.toThrow();
    }
  });
});
