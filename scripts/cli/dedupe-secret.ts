// dedupe-secret.ts — the coalition's dedupe secret file, read locally and never sent.
//
// Guarantees:
// - The file is either a JSON document { kind: "contamos-dedupe-secret", version: 1, secret } or
//   a single line of standard base64; the secret must decode to at least 16 bytes.
// - The secret is only ever used on this machine to compute HMAC dedupe tags; it is never printed
//   nor sent to the server. A file readable by others gets a warning.
import { readFileSync } from 'node:fs';
import { DEDUPE_SECRET_MIN_BYTES, fromBase64 } from '../../crypto/index.js';
import { CliError, type CliIo } from './io.js';
import { warnIfOpen } from './keyfile.js';

export const DEDUPE_SECRET_KIND = 'contamos-dedupe-secret';

export function dedupeSecretFileText(secretB64: string): string {
  return JSON.stringify({ kind: DEDUPE_SECRET_KIND, version: 1, secret: secretB64 }, null, 2) + '\n';
}

export function readDedupeSecret(io: CliIo, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    throw new CliError(`No se pudo leer el secreto de deduplicación: ${file}`, `Could not read the dedupe secret: ${file}`);
  }
  let secret: unknown = text;
  if (text.startsWith('{')) {
    try {
      const doc = JSON.parse(text) as { kind?: unknown; secret?: unknown };
      secret = doc.kind === DEDUPE_SECRET_KIND ? doc.secret : undefined;
    } catch {
      secret = undefined;
    }
  }
  let ok = false;
  if (typeof secret === 'string') {
    try {
      ok = fromBase64(secret).length >= DEDUPE_SECRET_MIN_BYTES;
    } catch {
      ok = false;
    }
  }
  if (!ok) {
    throw new CliError(
      `El archivo ${file} no contiene un secreto de deduplicación válido (base64, al menos ${DEDUPE_SECRET_MIN_BYTES} bytes)`,
      `${file} does not hold a valid dedupe secret (base64, at least ${DEDUPE_SECRET_MIN_BYTES} bytes)`,
    );
  }
  warnIfOpen(io, file);
  return secret as string;
}
