// keys.ts — `contamos keys`: make a key file on this device.
//
// Guarantees: the key pair is generated locally (libsodium) and written with mode 0600; an existing
// file is never overwritten; only PUBLIC keys are printed (with, for the steward and publishers,
// the snippet the server operator adds to server-keys.json). Members get a signing pair only and
// their keyId later, from `enrol`; steward keys get a signing pair and a seal pair. With
// --encrypt the file is written encrypted with a passphrase, in the format the submission page
// saves and opens (crypto/keybox.ts), so the same file works in the page and here.
import { existsSync } from 'node:fs';
import { type KeyFile, type KeyRole, generateSealKeyPair, generateSigningKeyPair, keyFingerprint, ready, serializeKeyFile } from '../../../crypto/index.js';
import { flag, requireStr, resolvePath } from '../args.js';
import type { Command } from '../command.js';
import { writeNewPrivateFile } from '../files.js';
import { EXIT_OK, println, usageError } from '../io.js';
import { lockWithPassphrase, newPassphrase } from '../passphrase.js';

const ROLES = ['steward', 'publisher', 'member'] as const;

export const keysCommand: Command = {
  name: 'keys',
  summary: 'crear un archivo de clave en este equipo / create a key file on this device',
  help: `Uso / Usage: contamos keys --role steward|publisher|member --out FILE [--encrypt]

  Genera un par de claves en este equipo y lo guarda en FILE (permisos 0600). No sobrescribe un
  archivo existente. Muestra solo las claves públicas.
  Generates a key pair on this device and saves it to FILE (mode 0600). Never overwrites an
  existing file. Prints only the public keys.

  --role ROLE   member (organización / member organisation), steward (administración / steward:
                firma + sellado / signing + seal), publisher (publicación / publisher)
  --out FILE    archivo a crear / file to create
  --encrypt     cifrar el archivo con una contraseña (la misma forma que guarda la página /enviar;
                se pide en la terminal o se lee de CONTAMOS_KEY_PASSPHRASE) / encrypt the file with
                a passphrase (the format the /enviar page saves; asked at the terminal or read from
                CONTAMOS_KEY_PASSPHRASE)
  --json        imprimir el resultado público como JSON / print the public result as JSON`,
  options: { role: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, encrypt: { type: 'boolean' } },
  async run({ io, values }) {
    const role = requireStr(values, 'role');
    if (!(ROLES as readonly string[]).includes(role)) {
      throw usageError(`--role debe ser steward, publisher o member (no "${role}")`, `--role must be steward, publisher or member (not "${role}")`);
    }
    const out = resolvePath(io, requireStr(values, 'out'));
    await ready();
    const signing = generateSigningKeyPair();
    const file: KeyFile = { kind: 'contamos-key', version: 1, role: role as KeyRole, signing };
    if (role === 'steward') file.seal = generateSealKeyPair();
    if (role !== 'member') file.keyId = `${role}-${keyFingerprint(signing.publicKey).slice(0, 16)}`;
    const text = serializeKeyFile(file);
    if (flag(values, 'encrypt')) {
      if (existsSync(out)) writeNewPrivateFile(out, ''); // refuses with the usual message, before a passphrase is asked
      writeNewPrivateFile(out, await lockWithPassphrase(text, await newPassphrase(io, out)));
    } else writeNewPrivateFile(out, text);

    const snippet =
      role === 'steward'
        ? { steward: { keyId: file.keyId, publicKey: signing.publicKey, sealPublicKey: file.seal!.publicKey } }
        : role === 'publisher'
          ? { publishers: [{ keyId: file.keyId, publicKey: signing.publicKey }] }
          : undefined;
    if (flag(values, 'json')) {
      println(
        io.stdout,
        JSON.stringify(
          {
            file: out,
            role,
            encrypted: flag(values, 'encrypt'),
            ...(file.keyId ? { keyId: file.keyId } : {}),
            signingPublicKey: signing.publicKey,
            ...(file.seal ? { sealPublicKey: file.seal.publicKey } : {}),
            ...(snippet ? { serverKeys: snippet } : {}),
          },
          null,
          2,
        ),
      );
      return EXIT_OK;
    }
    println(io.stdout, `Clave creada / Key created: ${out} (0600${flag(values, 'encrypt') ? ', cifrada con contraseña / passphrase-encrypted' : ''})`);
    println(io.stdout, `  rol / role: ${role}`);
    if (file.keyId) println(io.stdout, `  keyId: ${file.keyId}`);
    println(io.stdout, `  clave pública de firma / signing public key: ${signing.publicKey}`);
    if (file.seal) println(io.stdout, `  clave pública de sellado / seal public key: ${file.seal.publicKey}`);
    println(io.stdout, `  huella / fingerprint: ${keyFingerprint(signing.publicKey)}`);
    if (snippet) {
      println(io.stdout);
      println(
        io.stdout,
        role === 'steward'
          ? 'Para el servidor: reemplace "steward" en server-keys.json por / For the server: replace "steward" in server-keys.json with:'
          : 'Para el servidor: añada a "publishers" en server-keys.json / For the server: add to "publishers" in server-keys.json:',
      );
      println(io.stdout, JSON.stringify(snippet, null, 2));
    }
    println(io.stdout);
    println(
      io.stdout,
      role === 'member'
        ? `Siguiente paso / Next step: contamos enrol --invite TOKEN --key ${out}`
        : 'Guarde este archivo fuera del servidor y haga una copia de respaldo cifrada / Keep this file off the server and make an encrypted backup.',
    );
    return EXIT_OK;
  },
};
