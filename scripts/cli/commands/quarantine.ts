// quarantine.ts — `contamos quarantine KEYID [--undo]`: the steward quarantines a member (its
// reports stop counting from the next release; its key may still sign) or lifts the quarantine.
//
// Guarantees: steward-signed; the member keyId is checked locally before anything is sent; the
// server's answer is idempotent, so running the command twice is harmless.
import { flag } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK, println, usageError } from '../io.js';
import { loadSigningKey } from '../keyfile.js';

export const MEMBER_KEY_ID = /^m-[A-Za-z0-9_-]{16}$/;

export const quarantineCommand: Command = {
  name: 'quarantine',
  summary: 'poner o quitar una organización en cuarentena (steward) / quarantine a member or lift it (steward)',
  help: `Uso / Usage: contamos quarantine KEYID --key steward.key.json [--undo]

  Pone en cuarentena a una organización: sus reportes (pasados y futuros) dejan de contarse desde
  la próxima publicación, sin borrarse; su clave puede seguir firmando. Con --undo se levanta la
  cuarentena y sus reportes vuelven a contarse desde la próxima publicación (salvo si la clave
  está revocada: los reportes de una clave revocada tampoco se cuentan).
  Quarantines a member organisation: its reports (past and future) stop counting from the next
  release, without being deleted; its key may still sign. With --undo the quarantine is lifted and
  its reports count again from the next release (unless the key is revoked: a revoked key's
  reports do not count either).

  KEYID   keyId de la organización (m-…) / the member's keyId (m-…)
  --undo  levantar la cuarentena / lift the quarantine`,
  options: { undo: { type: 'boolean' } },
  positionals: ['KEYID'],
  async run({ io, values, args, global, client }) {
    const member = args[0]!.trim();
    if (!MEMBER_KEY_ID.test(member)) {
      throw usageError(`"${member}" no es un keyId de organización (m- y 16 caracteres)`, `"${member}" is not a member keyId (m- and 16 characters)`);
    }
    const undo = flag(values, 'undo');
    const { signer } = await loadSigningKey(io, global.keyFile, { role: 'steward', command: 'quarantine' });
    await client().request(undo ? 'DELETE' : 'POST', `/api/v1/steward/members/${encodeURIComponent(member)}/quarantine`, { signer });
    if (undo) {
      println(io.stdout, `Cuarentena levantada / Quarantine lifted: ${member}`);
      println(io.stdout, '  Sus reportes vuelven a contarse desde la próxima publicación (si la clave no está revocada).');
      println(io.stdout, '  Its reports count again from the next release (if the key is not revoked).');
    } else {
      println(io.stdout, `En cuarentena / Quarantined: ${member}`);
      println(io.stdout, '  Sus reportes dejan de contarse desde la próxima publicación; la clave aún puede firmar.');
      println(io.stdout, '  Its reports stop counting from the next release; the key may still sign.');
    }
    return EXIT_OK;
  },
};
