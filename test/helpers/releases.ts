// Publishing a release from tests as a publisher would: ask for a draft, check it, sign the
// canonical manifest locally, send the signature.
import { canonicalJson, signDetached } from '../../crypto/index.js';
import { signed, type TestApp } from './app.js';

export async function publish(t: TestApp, request: Record<string, unknown>) {
  const draft = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, request);
  if (draft.status !== 201) throw new Error(`draft failed: ${draft.status} ${JSON.stringify(draft.body)}`);
  const signature = signDetached(canonicalJson(draft.body.manifest), t.publisher.secretKey);
  const res = await signed(t.app, 'POST', `/api/v1/releases/drafts/${draft.body.draftId}/signature`, t.publisher, { signature });
  if (res.status !== 201) throw new Error(`signature failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { manifest: any; hash: string; signature: { keyId: string; value: string } };
}

/** The count of a cell in a release (null when suppressed), by its key. */
export function cellOf(manifest: any, table: number, key: Record<string, string>): { count: number | null; suppressed: boolean } {
  const c = manifest.tables[table].cells.find((x: any) => canonicalJson(x.key) === canonicalJson(key));
  if (!c) throw new Error(`no cell ${JSON.stringify(key)}`);
  return c;
}
