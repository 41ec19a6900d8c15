// organisation.ts — `contamos same-organisation KEYID --as OTHER`: the steward records that two
// member keys belong to one organisation (two phones, two people), so the holdings rule counts
// what they reported together as one organisation's.
//
// Guarantees: steward-signed; both keyIds are checked locally before anything is sent; linking
// only merges organisations (never splits one) and linking keys already together changes nothing,
// so running the command twice is harmless.
import { str } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK, println, usageError } from '../io.js';
import { loadSigningKey } from '../keyfile.js';
import { MEMBER_KEY_ID } from './quarantine.js';

export const organisationCommand: Command = {
  name: 'same-organisation',
  summary: 'dos claves son de una misma organización (steward) / two keys belong to one organisation (steward)',
  help: `Uso / Usage: contamos same-organisation KEYID --as OTRA/OTHER --key steward.key.json

  Registra que la clave KEYID (y toda clave ya unida a ella) es de la misma organización que la
  clave OTRA. Desde la próxima publicación, lo que esas claves reportaron cuenta como lo que sabe
  una sola organización: ninguna puede usar dos claves para averiguar lo que reportaron otras. No
  se puede deshacer (separar una organización dejaría ver lo que la regla protege).
  Records that key KEYID (and every key already linked to it) belongs to the same organisation as
  key OTHER. From the next release on, what those keys reported counts as what one organisation
  knows: none can use two keys to learn what others reported. It cannot be undone (splitting an
  organisation would show what the rule protects).

  KEYID       keyId de una clave (m-…) / a member keyId (m-…)
  --as OTRA   keyId de otra clave de la misma organización / another key of the same organisation`,
  options: { as: { type: 'string' } },
  positionals: ['KEYID'],
  async run({ io, values, args, global, client }) {
    const member = args[0]!.trim();
    const other = str(values, 'as')?.trim();
    if (other === undefined) throw usageError('falta --as OTRA', '--as OTHER is missing');
    for (const k of [member, other]) {
      if (!MEMBER_KEY_ID.test(k))
        throw usageError(`"${k}" no es un keyId de organización (m- y 16 caracteres)`, `"${k}" is not a member keyId (m- and 16 characters)`);
    }
    const { signer } = await loadSigningKey(io, global.keyFile, { role: 'steward', command: 'same-organisation' });
    await client().request('POST', `/api/v1/steward/members/${encodeURIComponent(member)}/organisation`, { body: { sameAs: other }, signer });
    println(io.stdout, `Misma organización / Same organisation: ${member} = ${other}`);
    println(io.stdout, '  Desde la próxima publicación sus reportes cuentan como de una sola organización.');
    println(io.stdout, '  From the next release on, their reports count as one organisation’s.');
    return EXIT_OK;
  },
};
