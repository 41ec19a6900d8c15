// enrol.ts — `contamos enrol`: register a member key with a one-time invite.
//
// Guarantees: only the PUBLIC signing key and the invite are sent (unsigned; the invite is the
// credential). The keyId the server answers is written into the key file atomically (temporary
// file + rename, mode 0600), keeping the keys as they were — and, for a passphrase-encrypted
// file, encrypted again with the same passphrase. A key file that already has a keyId is refused
// before anything is sent.
import { readFileSync } from 'node:fs';
import { isKeyBox, parseKeyFile, serializeKeyFile, unlockKeyFile } from '../../../crypto/index.js';
import { requireStr } from '../args.js';
import type { Command } from '../command.js';
import { replacePrivateFile } from '../files.js';
import { CliError, EXIT_OK, println } from '../io.js';
import { readKeyFile } from '../keyfile.js';
import { lockWithPassphrase, pwhashSodium } from '../passphrase.js';

export const enrolCommand: Command = {
  name: 'enrol',
  summary: 'inscribir la clave de la organización con una invitación / enrol the organisation key with an invite',
  help: `Uso / Usage: contamos enrol --invite TOKEN --key member.key.json

  Registra en el servidor la clave pública de la organización (creada con "contamos keys --role
  member") y guarda en el archivo de clave el identificador (keyId) que el servidor asigna.
  Registers the organisation's public key (made with "contamos keys --role member") and writes
  the identifier (keyId) the server assigns into the key file.

  --invite TOKEN  invitación recibida / the invite received`,
  options: { invite: { type: 'string' } },
  async run({ io, values, global, client }) {
    const invite = requireStr(values, 'invite').trim();
    const { file, key, passphrase } = await readKeyFile(io, global.keyFile, { role: 'member', command: 'enrol' });
    if (key.keyId) {
      throw new CliError(`Esta clave ya está inscrita (keyId ${key.keyId})`, `This key is already enrolled (keyId ${key.keyId})`);
    }
    const res = await client().request<{ keyId: string }>('POST', '/api/v1/enrol', { body: { invite, publicKey: key.signing!.publicKey } });
    const keyId = res.body?.keyId;
    if (typeof keyId !== 'string' || !/^[A-Za-z0-9._~:+/=-]{1,200}$/.test(keyId)) {
      throw new CliError('El servidor respondió sin un keyId válido', 'The server answered without a valid keyId');
    }
    // Re-read the file right before writing, so nothing that changed meanwhile is lost.
    const onDisk = readFileSync(file, 'utf8');
    const box = passphrase === undefined ? null : (JSON.parse(onDisk) as unknown);
    const current = parseKeyFile(box !== null && isKeyBox(box) ? unlockKeyFile(await pwhashSodium(), box, passphrase!) : onDisk);
    current.keyId = keyId;
    const text = serializeKeyFile(current);
    replacePrivateFile(file, passphrase === undefined ? text : await lockWithPassphrase(text, passphrase));
    println(io.stdout, `Inscrita / Enrolled: keyId ${keyId}`);
    println(io.stdout, `El keyId se guardó en / The keyId was saved in: ${file}`);
    return EXIT_OK;
  },
};
