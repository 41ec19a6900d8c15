// keyfile.ts — loading the key file a command signs with, and checking it fits the command.
//
// Guarantees:
// - A key file is parsed and validated by the shared crypto module (secret keys must match their
//   public keys); errors name the problem, never a key's value.
// - `loadKeyFile` checks the role the command needs (member, steward, …), that the file carries
//   its secret keys, and (when asked) that a member key has been enrolled (has a keyId).
// - A key file encrypted with a passphrase (the page's "contamos-key-encrypted" format,
//   crypto/keybox.ts) is opened with the passphrase (passphrase.ts) and then checked the same way;
//   `LoadedKey.passphrase` keeps it in memory only, so a command that rewrites the file (enrol)
//   writes it encrypted again.
// - A key file readable by other users of the machine gets a warning on stderr.
import { readFileSync, statSync } from 'node:fs';
import { type KeyFile, type KeyRole, hasSecretKeys, isKeyBox, parseKeyFile, ready } from '../../crypto/index.js';
import { CliError, type CliIo, usageError } from './io.js';
import { unlockWithPassphrase } from './passphrase.js';

export interface LoadedKey {
  file: string;
  key: KeyFile;
  /** Set when the file is passphrase-encrypted: the passphrase that opened it (memory only). */
  passphrase?: string;
}

/** A key file's text, decrypted first when it is passphrase-encrypted. */
export async function keyFileText(io: CliIo, file: string, text: string): Promise<{ text: string; passphrase?: string }> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { text }; // parseKeyFile says what is wrong
  }
  if (!isKeyBox(json)) return { text };
  return unlockWithPassphrase(io, file, json);
}

const ROLE_ES: Record<string, string> = { member: 'organización miembro', steward: 'administradora (steward)', publisher: 'publicadora', server: 'servidor' };

export interface Signer {
  keyId: string;
  secretKey: string;
}

/** Reads and checks a key file (role, secret keys present); the keyId may still be missing. */
export async function readKeyFile(io: CliIo, file: string | undefined, opts: { role: KeyRole; needSeal?: boolean; command: string }): Promise<LoadedKey> {
  if (!file) {
    throw usageError('Falta --key: el archivo de clave con el que se firma', 'Missing --key: the key file to sign with', [
      `Ejemplo / Example: contamos ${opts.command} --key ${opts.role}.key.json …`,
    ]);
  }
  await ready();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new CliError(`No existe el archivo de clave: ${file}`, `Key file not found: ${file}`);
    throw new CliError(`No se pudo leer el archivo de clave: ${file}`, `Could not read the key file: ${file}`);
  }
  const opened = await keyFileText(io, file, text);
  let key: KeyFile;
  try {
    key = parseKeyFile(opened.text);
  } catch (e) {
    throw new CliError(`El archivo de clave no es válido: ${file}`, `The key file is not valid: ${file}`, 1, [(e as Error).message]);
  }
  warnIfOpen(io, file);
  if (key.role !== opts.role) {
    throw new CliError(
      `Esta orden necesita una clave de ${ROLE_ES[opts.role] ?? opts.role}, pero ${file} es de ${ROLE_ES[key.role] ?? key.role}`,
      `This command needs a ${opts.role} key, but ${file} is a ${key.role} key`,
    );
  }
  if (!hasSecretKeys(key) || !key.signing?.secretKey) {
    throw new CliError(
      `El archivo ${file} no contiene la clave secreta de firma (es solo la parte pública)`,
      `${file} holds no secret signing key (it is a public key file)`,
    );
  }
  if (opts.needSeal && !key.seal?.secretKey) {
    throw new CliError(`El archivo ${file} no contiene la clave secreta para abrir narraciones`, `${file} holds no secret seal key to open narratives`);
  }
  return { file, key, ...(opened.passphrase !== undefined ? { passphrase: opened.passphrase } : {}) };
}

/** Reads a key file and returns it with the signer (keyId + secret key) requests are signed with. */
export async function loadSigningKey(
  io: CliIo,
  file: string | undefined,
  opts: { role: KeyRole; needSeal?: boolean; command: string },
): Promise<LoadedKey & { signer: Signer }> {
  const loaded = await readKeyFile(io, file, opts);
  const { key } = loaded;
  const path = file!;
  if (!key.keyId) {
    if (opts.role === 'member') {
      throw new CliError(
        `La clave ${path} todavía no está inscrita: use primero "contamos enrol --invite … --key ${path}"`,
        `The key ${path} is not enrolled yet: first run "contamos enrol --invite … --key ${path}"`,
      );
    }
    throw new CliError(`El archivo de clave ${path} no tiene keyId`, `The key file ${path} has no keyId`);
  }
  return { ...loaded, signer: { keyId: key.keyId, secretKey: key.signing!.secretKey! } };
}

/** Warns when a secret key file can be read by the group or others (POSIX only). */
export function warnIfOpen(io: CliIo, file: string): void {
  if (process.platform === 'win32') return;
  try {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) {
      io.stderr.write(
        `aviso: ${file} puede ser leído por otras cuentas de este equipo (permisos ${mode.toString(8)}); use "chmod 600 ${file}"\n` +
          `warning: ${file} is readable by other accounts on this machine (mode ${mode.toString(8)}); run "chmod 600 ${file}"\n`,
      );
    }
  } catch {
    // stat failing after a successful read is not worth an error
  }
}
