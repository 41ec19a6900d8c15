// invite.ts — `contamos invite`: the steward creates a one-time enrolment invite.
//
// Guarantees: the request is signed with the steward's key; the token is printed alone on stdout
// (so it can be piped) and its expiry on stderr. The server keeps only the token's hash.
import { intInRange, str } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK, println } from '../io.js';
import { loadSigningKey } from '../keyfile.js';

export const inviteCommand: Command = {
  name: 'invite',
  summary: 'crear una invitación de un solo uso (steward) / create a one-time invite (steward)',
  help: `Uso / Usage: contamos invite --key steward.key.json [--ttl-hours N]

  Crea una invitación para que una organización inscriba su clave. Entréguela por un canal seguro.
  Creates an invite for an organisation to enrol its key. Hand it over through a safe channel.

  --ttl-hours N   horas de validez (1–720, por defecto 72) / hours valid (1–720, default 72)`,
  options: { 'ttl-hours': { type: 'string' } },
  async run({ io, values, global, client }) {
    const ttlRaw = str(values, 'ttl-hours');
    const ttlHours = ttlRaw === undefined ? undefined : intInRange(ttlRaw, 'ttl-hours', 1, 720);
    const { signer } = await loadSigningKey(io, global.keyFile, { role: 'steward', command: 'invite' });
    const res = await client().request<{ invite: string; expiresAt: string }>('POST', '/api/v1/invites', {
      body: ttlHours === undefined ? {} : { ttlHours },
      signer,
    });
    println(io.stdout, res.body.invite);
    io.stderr.write(
      `Invitación de un solo uso; vence / one-time invite; expires: ${res.body.expiresAt}\n` +
        'La organización la usa con / The organisation uses it with: contamos enrol --invite TOKEN --key member.key.json\n',
    );
    return EXIT_OK;
  },
};
