// counted-check.ts — "¿Se contó mi reporte?": checks, in this browser, which of the
// organisation's reports a published release counted.
//
// Guarantees:
// - The release is accepted only if its publisher signature verifies (Ed25519 over the RFC 8785
//   canonical manifest) with a publisher key from /.well-known/contamos.json; its `merkle.root`
//   is then the only root any proof is checked against (never a root the proof answer names).
// - A report counts as counted only if the server's proof for it verifies with crypto's
//   `verifyInclusion(proof, root)` — called with the proof object exactly as received and nothing
//   about the tree's shape or size — AND the proof's leaf is that report's hash AND, when this
//   device holds the report's signed receipt, the receipt's hash is the same. Anything else is
//   reported as a failed proof or a receipt mismatch, never as counted.
// - A receipt kept on this device for a report the server no longer lists is reported as missing.
// - The member-signed proof requests go through `signedGet` (api.ts); nothing here writes.
import { canonicalJson, receiptCode, verifyDetached, verifyInclusion } from '../../crypto/index.js';

export interface ReleaseItem {
  id: string;
  series: string;
  sequence: number;
  publishedOn: string;
  index?: number;
}

interface Envelope {
  manifest: { id: string; domains?: Record<string, string[]>; merkle?: { root?: unknown } };
  signature?: { keyId?: unknown; value?: unknown };
}

interface ProofItem {
  reportId: string;
  reportHash: string;
  status: string;
  year: number;
  proof: unknown;
}

export type Outcome = 'counted' | 'bad-proof' | 'receipt-mismatch' | 'withdrawn' | 'superseded' | 'other-year' | 'not-counted' | 'missing';

export interface CheckedReport {
  reportId: string;
  code: string | null;
  year: number | null;
  outcome: Outcome;
  receiptOnDevice: boolean;
}

export interface CheckResult {
  releaseId: string;
  publisherKeyId: string;
  root: string;
  items: CheckedReport[];
}

export class ReleaseSignatureError extends Error {
  constructor() {
    super('the release signature does not verify with any published publisher key');
    this.name = 'ReleaseSignatureError';
  }
}

export interface CheckDeps {
  getJson<T>(path: string): Promise<T>;
  signedGet<T>(path: string): Promise<T>;
  publishers: Array<{ keyId: string; publicKey: string }>;
  /** Signed receipts this device holds, by report id. */
  receipts: Map<string, { reportHash: string }>;
}

/** The release a person most likely wants: the newest in the publication log, else by date. */
export function latestRelease(items: ReleaseItem[]): ReleaseItem | undefined {
  if (items.length > 0 && items.every((i) => typeof i.index === 'number')) {
    return [...items].sort((a, b) => a.index! - b.index!).at(-1);
  }
  return [...items].sort((a, b) => (a.publishedOn === b.publishedOn ? a.sequence - b.sequence : a.publishedOn < b.publishedOn ? -1 : 1)).at(-1);
}

function codeOf(reportId: string, reportHash: string): string | null {
  try {
    return receiptCode(reportId, reportHash);
  } catch {
    return null;
  }
}

export async function checkRelease(deps: CheckDeps, releaseId: string): Promise<CheckResult> {
  const env = await deps.getJson<Envelope>(`/api/v1/releases/${encodeURIComponent(releaseId)}`);
  const sig = env?.signature;
  const publisher = deps.publishers.find((p) => p.keyId === sig?.keyId);
  const root = env?.manifest?.merkle?.root;
  if (
    !publisher ||
    typeof sig?.value !== 'string' ||
    typeof root !== 'string' ||
    env.manifest.id !== releaseId ||
    !verifyDetached(sig.value, canonicalJson(env.manifest), publisher.publicKey)
  ) {
    throw new ReleaseSignatureError();
  }
  const years = new Set(env.manifest.domains?.year ?? []);
  const items: CheckedReport[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `?limit=100&cursor=${cursor}` : '?limit=100';
    const page: { items: ProofItem[]; nextCursor: string | null } = await deps.signedGet(`/api/v1/releases/${encodeURIComponent(releaseId)}/proofs${q}`);
    for (const it of page.items) {
      seen.add(it.reportId);
      const receipt = deps.receipts.get(it.reportId);
      const base = { reportId: it.reportId, code: codeOf(it.reportId, it.reportHash), year: it.year, receiptOnDevice: receipt !== undefined };
      let outcome: Outcome;
      if (it.proof !== null && it.proof !== undefined) {
        const leaf = (it.proof as { leaf?: unknown }).leaf;
        if (receipt && receipt.reportHash !== it.reportHash) outcome = 'receipt-mismatch';
        else outcome = leaf === it.reportHash && verifyInclusion(it.proof as Parameters<typeof verifyInclusion>[0], root) ? 'counted' : 'bad-proof';
      } else if (receipt && receipt.reportHash !== it.reportHash) outcome = 'receipt-mismatch';
      else if (it.status === 'withdrawn') outcome = 'withdrawn';
      else if (it.status === 'superseded') outcome = 'superseded';
      else if (!years.has(String(it.year))) outcome = 'other-year';
      else outcome = 'not-counted';
      items.push({ ...base, outcome });
    }
    cursor = page.nextCursor;
  } while (cursor);
  for (const [reportId, r] of deps.receipts) {
    if (!seen.has(reportId)) items.push({ reportId, code: codeOf(reportId, r.reportHash), year: null, outcome: 'missing', receiptOnDevice: true });
  }
  return { releaseId, publisherKeyId: publisher.keyId, root, items };
}
