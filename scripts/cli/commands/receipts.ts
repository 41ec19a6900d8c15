// receipts.ts — `contamos receipts verify`: an organisation checks that its reports were counted.
//
// Guarantees: for every receipt in the receipts file it checks the server's receipt signature
// (against the well-known receipt key) and fetches, signed with the organisation's own key, the
// Merkle inclusion proof of that report in the given release (contamos-smt-sha256); the proof must
// be for the same report hash and must verify against the root in the release manifest.
// A withdrawn or superseded report is expected to be missing and is reported as such, not as a
// failure; any other missing report, or any proof that does not verify, exits 1.
import { MERKLE_SCHEME, verifyInclusion, verifyReceipt, type InclusionProof } from '../../../crypto/index.js';
import { flag, requireStr, str } from '../args.js';
import type { Command } from '../command.js';
import { ApiError } from '../http.js';
import { CliError, EXIT_FAILURE, EXIT_OK, println, usageError } from '../io.js';
import { loadSigningKey } from '../keyfile.js';
import { defaultReceiptsFile, readReceipts } from '../receipts.js';
import { fetchWellKnown } from '../server-info.js';
import type { ReleaseEnvelope } from '../../../server/schemas/manifest.js';

export const receiptsCommand: Command = {
  name: 'receipts verify',
  summary: 'comprobar que los reportes propios se contaron / check that your reports were counted',
  help: `Uso / Usage: contamos receipts verify --key member.key.json --release ID [--receipts FILE] [--json]

  Para cada recibo guardado, comprueba la firma del servidor y pide la prueba (Merkle) de que el
  reporte está contado en la publicación indicada.
  For each stored receipt, checks the server's signature and fetches the (Merkle) proof that the
  report is counted in the given release.`,
  options: { release: { type: 'string' }, receipts: { type: 'string' }, json: { type: 'boolean' } },
  async run({ io, values, global, client }) {
    const { signer } = await loadSigningKey(io, global.keyFile, { role: 'member', command: 'receipts verify' });
    const releaseId = requireStr(values, 'release');
    const file = str(values, 'receipts') ?? defaultReceiptsFile(global.keyFile!);
    const receipts = [...readReceipts(file).values()];
    if (receipts.length === 0) throw usageError(`no hay recibos en ${file}`, `no receipts in ${file}`);
    const c = client();
    const wk = await fetchWellKnown(c);
    const rel = await c.request<ReleaseEnvelope>('GET', `/api/v1/releases/${encodeURIComponent(releaseId)}`);
    const { root, scheme } = rel.body.manifest.merkle;
    if (scheme !== MERKLE_SCHEME) {
      throw new CliError(`la publicación ${releaseId} no usa el árbol ${MERKLE_SCHEME}`, `release ${releaseId} does not use the ${MERKLE_SCHEME} tree`);
    }
    const results: Array<{ reportId: string; result: 'counted' | 'not-counted' | 'withdrawn-or-amended' | 'bad-receipt' | 'bad-proof' }> = [];
    for (const r of receipts) {
      if (!verifyReceipt(r, wk.receipt.publicKey)) {
        results.push({ reportId: r.reportId, result: 'bad-receipt' });
        continue;
      }
      try {
        const p = await c.request<{ proof: InclusionProof }>('GET', `/api/v1/releases/${encodeURIComponent(releaseId)}/proof/${r.reportId}`, { signer });
        const ok = p.body.proof?.leaf === r.reportHash && verifyInclusion(p.body.proof, root);
        results.push({ reportId: r.reportId, result: ok ? 'counted' : 'bad-proof' });
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 404) throw e;
        const st = await c.request<{ status: string }>('GET', `/api/v1/reports/${r.reportId}`, { signer }).catch(() => null);
        results.push({ reportId: r.reportId, result: st && st.body.status !== 'active' ? 'withdrawn-or-amended' : 'not-counted' });
      }
    }
    const failed = results.filter((x) => x.result === 'bad-receipt' || x.result === 'bad-proof' || x.result === 'not-counted');
    if (flag(values, 'json')) println(io.stdout, JSON.stringify({ release: releaseId, root, results }, null, 2));
    else {
      const count = (k: string) => results.filter((x) => x.result === k).length;
      println(io.stdout, `Publicación / Release ${releaseId} (raíz / root ${root.slice(0, 16)}…)`);
      println(io.stdout, `  contados / counted: ${count('counted')}`);
      println(io.stdout, `  retirados o corregidos / withdrawn or amended: ${count('withdrawn-or-amended')}`);
      for (const f of failed) println(io.stdout, `  ✗ ${f.reportId}: ${f.result}`);
    }
    return failed.length ? EXIT_FAILURE : EXIT_OK;
  },
};
