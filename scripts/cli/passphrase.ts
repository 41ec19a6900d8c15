// passphrase.ts — opening and writing passphrase-encrypted key files (crypto/keybox.ts, the format
// the submission page saves), so the command line and the page use the same key file.
//
// Guarantees:
// - The passphrase comes from $CONTAMOS_KEY_PASSPHRASE when set, otherwise from a prompt on the
//   terminal with the typing hidden (io.readSecret); with neither, the command stops with a
//   bilingual error that says how to give it. It is never printed, logged or written anywhere.
// - A new passphrase typed at the prompt is asked twice and must match and have at least 12
//   characters (the page's rule).
// - Argon2id comes from libsodium-wrappers-sumo (the same library the page bundles): no KDF of
//   our own, and a clear error when that package is missing.
import { type PwhashSodium, WrongPassphraseError, canLockKeys, lockKeyFile, unlockKeyFile } from '../../crypto/index.js';
import { CliError, type CliIo } from './io.js';

export const PASSPHRASE_ENV = 'CONTAMOS_KEY_PASSPHRASE';
export const PASSPHRASE_MIN = 12;

let sumo: Promise<PwhashSodium> | undefined;

/** libsodium with crypto_pwhash (the sumo build), initialised once. */
export function pwhashSodium(): Promise<PwhashSodium> {
  sumo ??= (async () => {
    let lib: { ready: Promise<void> } & PwhashSodium;
    try {
      const name = 'libsodium-wrappers-sumo';
      lib = ((await import(name)) as { default: { ready: Promise<void> } & PwhashSodium }).default;
    } catch {
      throw new CliError(
        'Para abrir o crear un archivo de llave cifrado hace falta el paquete libsodium-wrappers-sumo (npm ci lo instala)',
        'Opening or writing an encrypted key file needs the libsodium-wrappers-sumo package (npm ci installs it)',
      );
    }
    await lib.ready;
    if (!canLockKeys(lib)) throw new CliError('Esta libsodium no tiene Argon2id', 'This libsodium has no Argon2id');
    return lib;
  })().catch((e) => {
    sumo = undefined;
    throw e;
  });
  return sumo;
}

async function ask(io: CliIo, es: string, en: string): Promise<string> {
  const fromEnv = io.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!io.readSecret) {
    throw new CliError(
      'El archivo de llave está cifrado con una contraseña: escríbala en una terminal o póngala en la variable CONTAMOS_KEY_PASSPHRASE',
      'The key file is encrypted with a passphrase: type it in a terminal or put it in the CONTAMOS_KEY_PASSPHRASE variable',
    );
  }
  return io.readSecret(`${es} / ${en}: `);
}

/** Decrypts an encrypted key file's JSON; returns the plain key file text and the passphrase. */
export async function unlockWithPassphrase(io: CliIo, file: string, box: unknown): Promise<{ text: string; passphrase: string }> {
  const s = await pwhashSodium();
  const passphrase = await ask(io, `Contraseña de ${file}`, `Passphrase of ${file}`);
  try {
    return { text: unlockKeyFile(s, box, passphrase), passphrase };
  } catch (e) {
    if (e instanceof WrongPassphraseError) {
      throw new CliError(`La contraseña no abre ${file} (o el archivo fue alterado)`, `The passphrase does not open ${file} (or the file was altered)`);
    }
    throw new CliError(`${file} no es un archivo de llave cifrado válido`, `${file} is not a valid encrypted key file`, 1, [(e as Error).message]);
  }
}

/** A new passphrase for a file about to be written (asked twice at a prompt). */
export async function newPassphrase(io: CliIo, file: string): Promise<string> {
  const first = await ask(io, `Nueva contraseña para ${file}`, `New passphrase for ${file}`);
  if (first.length < PASSPHRASE_MIN) {
    throw new CliError(`La contraseña debe tener al menos ${PASSPHRASE_MIN} caracteres`, `The passphrase must have at least ${PASSPHRASE_MIN} characters`);
  }
  if (io.env[PASSPHRASE_ENV] === undefined || io.env[PASSPHRASE_ENV] === '') {
    const again = await io.readSecret!('Repita la contraseña / Repeat the passphrase: ');
    if (again !== first) throw new CliError('Las dos contraseñas no coinciden', 'The two passphrases differ');
  }
  return first;
}

/** The encrypted file's text for a key file's text. */
export async function lockWithPassphrase(keyFileText: string, passphrase: string): Promise<string> {
  return lockKeyFile(await pwhashSodium(), keyFileText, passphrase);
}

/** Reads one line from the terminal without showing it (for io.readSecret). */
export function readHiddenLine(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    let chars: string[] = [];
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    function onData(chunk: string) {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          done();
          const line = chars.join('');
          chars = [];
          return resolve(line);
        }
        if (ch === '\u0003') {
          done();
          return reject(new CliError('Cancelado', 'Cancelled'));
        }
        if (ch === '\u007f' || ch === '\b') chars.pop();
        else chars.push(ch);
      }
    }
    stdin.on('data', onData);
  });
}
