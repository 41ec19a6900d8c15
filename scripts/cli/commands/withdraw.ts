// withdraw.ts — `contamos withdraw`: withdraw one of the organisation's own reports.
//
// Guarantees: member-signed; the id is checked locally; withdrawing twice is harmless (the server
// answers the same state). Another organisation's report cannot be withdrawn (the server says
// "not found", indistinguishable from a missing one).
import { flag, requireStr } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK, println, usageError } from '../io.js';
import { loadSigningKey } from '../keyfile.js';
import { UUID_V4 } from '../report.js';

export const withdrawCommand: Command = {
  name: 'withdraw',
  summary: 'retirar un reporte propio / withdraw one of your reports',
  help: `Uso / Usage: contamos withdraw --key member.key.json --id UUID

  Retira un reporte propio: deja de contarse en las próximas publicaciones.
  Withdraws one of your reports: it is no longer counted in future releases.

  --id UUID   identificador del reporte (ver "contamos status") / report id (see "contamos status")
  --json      imprimir el estado como JSON / print the state as JSON`,
  options: { id: { type: 'string' }, json: { type: 'boolean' } },
  async run({ io, values, global, client }) {
    const id = requireStr(values, 'id').trim().toLowerCase();
    if (!UUID_V4.test(id)) throw usageError(`"${id}" no es un identificador UUIDv4`, `"${id}" is not a UUIDv4 id`);
    const { signer } = await loadSigningKey(io, global.keyFile, { role: 'member', command: 'withdraw' });
    const res = await client().request<{ id: string; status: string }>('POST', `/api/v1/reports/${id}/withdraw`, { signer });
    if (flag(values, 'json')) println(io.stdout, JSON.stringify(res.body, null, 2));
    else println(io.stdout, `Reporte retirado / Report withdrawn: ${id} (estado / status: ${res.body.status})`);
    return EXIT_OK;
  },
};
