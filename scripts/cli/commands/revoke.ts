// revoke.ts — `contamos revoke`: the steward revokes a member's key (at once, on every replica).
//
// Guarantees: steward-signed; the member keyId is checked locally before sending.
import { requireStr } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK, println, usageError } from '../io.js';
import { loadSigningKey } from '../keyfile.js';

export const revokeCommand: Command = {
  name: 'revoke',
  summary: 'revocar la clave de una organización (steward) / revoke a member key (steward)',
  help: `Uso / Usage: contamos revoke --key steward.key.json --member KEYID

  Revoca la clave de una organización: desde ese momento no puede firmar nada, y sus reportes
  dejan de contarse desde la próxima publicación (no se borran). Para dejar de contar sus
  reportes sin impedirle firmar, use "contamos quarantine". Una nueva clave necesita una nueva
  invitación.
  Revokes a member organisation's key: from now on it cannot sign anything, and its reports stop
  counting from the next release (they are not deleted). To stop counting its reports without
  stopping it from signing, use "contamos quarantine". A new key needs a new invite.

  --member KEYID  keyId de la organización (m-…) / the member's keyId (m-…)`,
  options: { member: { type: 'string' } },
  async run({ io, values, global, client }) {
    const member = requireStr(values, 'member').trim();
    if (!/^m-[A-Za-z0-9_-]{16}$/.test(member)) {
      throw usageError(`"${member}" no es un keyId de organización (m- y 16 caracteres)`, `"${member}" is not a member keyId (m- and 16 characters)`);
    }
    const { signer } = await loadSigningKey(io, global.keyFile, { role: 'steward', command: 'revoke' });
    await client().request('DELETE', `/api/v1/members/${encodeURIComponent(member)}`, { signer });
    println(io.stdout, `Clave revocada / Key revoked: ${member}`);
    return EXIT_OK;
  },
};
