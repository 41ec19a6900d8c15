// invite.ts — `contamos invite`: the steward creates a one-time enrolment invite.
//
// Guarantees: the request is signed with the steward's key; the token is printed alone on stdout
// (so it can be piped); on stderr come its expiry and the invite LINK,
// `<server>/enviar#invitacion=<token>`, which opens the submission page with the code filled in.
// The code travels in the link's fragment, which browsers never send to any server, so it is
// not in any request line or log. The server keeps only the token's hash.
import { intInRange, str } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_OK, println, usageError } from '../io.js';
import { loadSigningKey } from '../keyfile.js';
import { MEMBER_KEY_ID } from './quarantine.js';

/** The link an organisation opens to enrol: the submission page with the invite in the fragment. */
export function inviteLink(base: URL, invite: string): string {
  const prefix = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${prefix}/enviar#invitacion=${encodeURIComponent(invite)}`;
}

export const inviteCommand: Command = {
  name: 'invite',
  summary: 'crear una invitación de un solo uso (steward) / create a one-time invite (steward)',
  help: `Uso / Usage: contamos invite --key steward.key.json [--ttl-hours N] [--public-url URL] [--same-organisation-as KEYID]

  Crea una invitación para que una organización inscriba su clave, y el enlace que la abre en el
  navegador. Entréguelos por un canal seguro.
  Creates an invite for an organisation to enrol its key, and the link that opens it in a
  browser. Hand them over through a safe channel.

  --ttl-hours N     horas de validez (1–720, por defecto 72) / hours valid (1–720, default 72)
  --public-url URL  dirección del servidor que usan las organizaciones, si no es --server (para el
                    enlace) / the server address organisations use, when not --server (for the link)
  --same-organisation-as KEYID
                    la invitación es para otra clave (otro teléfono, otra persona) de una organización
                    ya inscrita; se contará como una sola organización / the invite is for one more
                    key (another phone, another person) of an enrolled organisation; counted as one`,
  options: { 'ttl-hours': { type: 'string' }, 'public-url': { type: 'string' }, 'same-organisation-as': { type: 'string' } },
  async run({ io, values, global, client }) {
    const publicRaw = str(values, 'public-url');
    let linkBase = global.server;
    if (publicRaw !== undefined) {
      try {
        linkBase = new URL(publicRaw);
      } catch {
        throw usageError(`--public-url no es una dirección válida: ${publicRaw}`, `--public-url is not a valid address: ${publicRaw}`);
      }
      if (linkBase.protocol !== 'https:' && linkBase.protocol !== 'http:') {
        throw usageError('--public-url debe empezar por https:// o http://', '--public-url must start with https:// or http://');
      }
    }
    const ttlRaw = str(values, 'ttl-hours');
    const ttlHours = ttlRaw === undefined ? undefined : intInRange(ttlRaw, 'ttl-hours', 1, 720);
    const sameAs = str(values, 'same-organisation-as')?.trim();
    if (sameAs !== undefined && !MEMBER_KEY_ID.test(sameAs)) {
      throw usageError(`"${sameAs}" no es un keyId de organización (m- y 16 caracteres)`, `"${sameAs}" is not a member keyId (m- and 16 characters)`);
    }
    const { signer } = await loadSigningKey(io, global.keyFile, { role: 'steward', command: 'invite' });
    const res = await client().request<{ invite: string; expiresAt: string }>('POST', '/api/v1/invites', {
      body: { ...(ttlHours === undefined ? {} : { ttlHours }), ...(sameAs === undefined ? {} : { sameOrganisationAs: sameAs }) },
      signer,
    });
    println(io.stdout, res.body.invite);
    const link = inviteLink(linkBase, res.body.invite);
    io.stderr.write(
      `Invitación de un solo uso; vence / one-time invite; expires: ${res.body.expiresAt}\n\n` +
        'Envíe este enlace a la organización por un canal seguro; lo abre en el navegador de su teléfono o computadora:\n' +
        'Send this link to the organisation through a safe channel; it opens it in a phone or computer browser:\n\n' +
        `  ${link}\n\n` +
        'Con la línea de órdenes / With the command line: contamos enrol --invite CÓDIGO/CODE --key member.key.json\n',
    );
    return EXIT_OK;
  },
};
