// http-signature.ts — signed HTTP requests: RFC 9421 HTTP Message Signatures (Ed25519) over the
// method, path, query and an RFC 9530 Content-Digest of the body.
//
// Wire format produced by `signRequest` (label `sig1`):
//   Content-Digest:  sha-256=:<base64 sha-256 of the exact body bytes>:
//   Signature-Input: sig1=("@method" "@path" ["@query"] "content-digest");created=<unix s>;
//                    nonce="<16 random bytes, base64url>";keyid="<key id>";alg="ed25519"
//   Signature:       sig1=:<base64 Ed25519 signature of the RFC 9421 signature base>:
// where "@query" is covered exactly when the URL has a query ('?').
//
// Guarantees of `verifyRequest` (checks in this order, first failure wins; each throws a
// `SignatureError` with a stable `code`):
//   signature_missing    no Signature or Signature-Input header, or no `sig1` member in either;
//   signature_malformed  a header is not a valid structured field; sig1 is not an inner list of
//                        plain component names; a required component is not covered ("@method",
//                        "@path", "content-digest", and "@query" when the URL has a query); a
//                        component cannot be resolved; a required parameter is missing or of the
//                        wrong type (created: integer, nonce: string of 16..128 chars, keyid:
//                        string, alg: "ed25519"); the signature is not 64 bytes;
//   digest_mismatch      Content-Digest absent, unparseable, without sha-256, or not the SHA-256
//                        of the exact body bytes;
//   signature_expired    created older than maxAgeSeconds (default 300), created more than
//                        maxFutureSeconds (default 30) ahead, or an `expires` parameter passed;
//   unknown_key          keyLookup(keyid) returned null (or a key that is not 32 bytes of base64);
//   signature_invalid    the Ed25519 signature does not verify over the signature base.
// On success it returns { keyId, nonce, created }. It does NOT check nonce reuse: the caller must
// record the nonce (the server does so in its database, shared by all replicas). The cost is one
// small structured-field parse, one SHA-256 of the body, one key lookup and one Ed25519 verify.
// keyLookup errors propagate unchanged (they are not signature errors).
//
// The URL is the request target in origin form exactly as received (Express: req.originalUrl):
// "@path" is the part before '?' ("/" if empty) and "@query" is '?' plus the rest, both without
// percent-decoding or dot-segment removal, per RFC 9421 §2.2.6–2.2.7. An absolute-form target
// ("https://host/path?q") is reduced to its path and query. The method is compared upper-cased.
//
// Implementation note: the RFC 9421 signature base and the structured fields are built here (with
// structured-fields.ts) rather than through the `http-message-signatures` package, because that
// package calls Node's `Buffer` inside signMessage/verifyMessage and its entry point requires Node's
// `crypto`, which would break the browser bundle; its verifyMessage also reads the wall clock (no
// injectable `now`), looks keys up once per signature label, and cannot derive "@path" from a
// relative URL. test/crypto/http-signature.test.ts checks interoperability with that package in
// both directions, and checks the signature base against a hand-built RFC 9421 base.
//
// Signing and verifying require `await ready()`; `contentDigest` does not.
import { EncodingError, bytesEqual, fromBase64, toBase64, toBase64Url, utf8Encode } from './encoding.js';
import { sha256 } from './hash.js';
import { KEY_ID_PATTERN } from './keys.js';
import { randomBytes } from './sodium.js';
import { signDetached, verifyDetachedBytes } from './sign.js';
import { type BareItem, type Dictionary, type InnerList, type Item, StructuredFieldError, parseDictionary, serializeInnerList } from './structured-fields.js';

export const SIGNATURE_LABEL = 'sig1';
export const SIGNATURE_ALG = 'ed25519';
export const DEFAULT_MAX_AGE_SECONDS = 300;
export const DEFAULT_MAX_FUTURE_SECONDS = 30;
const NONCE_MIN = 16;
const NONCE_MAX = 128;

export type SignatureErrorCode = 'signature_missing' | 'signature_malformed' | 'digest_mismatch' | 'signature_expired' | 'unknown_key' | 'signature_invalid';

/** A refused request signature. `code` is stable and safe to return to the client. */
export class SignatureError extends Error {
  constructor(
    readonly code: SignatureErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignatureError';
  }
}

export interface SignableRequest {
  method: string;
  /** Path plus optional query, e.g. "/api/v1/reports?page=2". */
  url: string;
  /** Accepted for call-site convenience; no header other than Content-Digest is covered. */
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface VerifiableRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array | string;
}

export interface VerifyOptions {
  /** Ed25519 public key (base64) for a key id, or null if unknown. */
  keyLookup: (keyId: string) => Promise<string | null>;
  /** Current time, unix SECONDS (default: the wall clock). */
  now?: number;
  maxAgeSeconds?: number;
  maxFutureSeconds?: number;
}

/**
 * Headers returned by `signRequest`. (A type alias, so it is assignable to Record<string, string>.)
 */
export type SignatureHeaders = { 'content-digest': string; 'signature-input': string; signature: string };

export interface VerifiedRequest {
  keyId: string;
  nonce: string;
  created: number;
}

// --- shared pieces -----------------------------------------------------------------------------

function bodyBytes(body: string | Uint8Array | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  return typeof body === 'string' ? utf8Encode(body) : body;
}

/** RFC 9530 Content-Digest field value with sha-256: `sha-256=:<base64>:`. No init needed. */
export function contentDigest(body: Uint8Array | string): string {
  return `sha-256=:${toBase64(sha256(bodyBytes(body)))}:`;
}

/** Splits a request target into RFC 9421 "@path" and "@query" values (query null if none). */
export function splitTarget(url: string): { path: string; query: string | null } {
  if (typeof url !== 'string') throw new TypeError('url must be a string');
  let target = url;
  const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  if (absolute) target = target.slice(absolute[0].length);
  else if (!target.startsWith('/')) throw new TypeError('url must be an origin-form target starting with "/"');
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  const q = target.indexOf('?');
  const path = q >= 0 ? target.slice(0, q) : target;
  return { path: path === '' ? '/' : path, query: q >= 0 ? target.slice(q) : null };
}

/** Covered components for a request, in the order `signRequest` lists them. */
function coveredComponents(hasQuery: boolean): string[] {
  return hasQuery ? ['@method', '@path', '@query', 'content-digest'] : ['@method', '@path', 'content-digest'];
}

/** RFC 9421 §2.5 signature base from resolved component values and the serialized params. */
function signatureBase(lines: Array<[string, string]>, signatureParams: string): string {
  let base = '';
  for (const [name, value] of lines) base += `"${name}": ${value}\n`;
  return `${base}"@signature-params": ${signatureParams}`;
}

function sfString(value: string, what: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new TypeError(`${what} must be printable ASCII`);
  return `"${value.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
}

// --- signing -------------------------------------------------------------------------------------

/**
 * Signs a request; returns the headers to add (content-digest, signature-input, signature).
 * `opts.created` (unix seconds) and `opts.nonce` exist for tests and replays of fixtures; normally
 * the current time and 16 fresh random bytes are used. Requires `await ready()`.
 */
export async function signRequest(
  req: SignableRequest,
  key: { keyId: string; secretKey: string },
  opts: { created?: number; nonce?: string } = {},
): Promise<SignatureHeaders> {
  if (!KEY_ID_PATTERN.test(key.keyId)) throw new TypeError('invalid keyId');
  const created = opts.created ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(created) || created < 0) throw new TypeError('created must be a non-negative integer (unix seconds)');
  const nonce = opts.nonce ?? toBase64Url(randomBytes(16));
  if (nonce.length < NONCE_MIN || nonce.length > NONCE_MAX) throw new TypeError(`nonce must be ${NONCE_MIN}..${NONCE_MAX} characters`);

  const { path, query } = splitTarget(req.url);
  const digest = contentDigest(bodyBytes(req.body));
  const components = coveredComponents(query !== null);
  const values: Record<string, string> = {
    '@method': req.method.toUpperCase(),
    '@path': path,
    '@query': query ?? '?',
    'content-digest': digest,
  };
  const signatureParams =
    `(${components.map((c) => `"${c}"`).join(' ')})` +
    `;created=${created};nonce=${sfString(nonce, 'nonce')};keyid=${sfString(key.keyId, 'keyId')};alg="${SIGNATURE_ALG}"`;
  const base = signatureBase(
    components.map((c) => [c, values[c]!]),
    signatureParams,
  );
  const signature = signDetached(utf8Encode(base), key.secretKey);
  return {
    'content-digest': digest,
    'signature-input': `${SIGNATURE_LABEL}=${signatureParams}`,
    signature: `${SIGNATURE_LABEL}=:${signature}:`,
  };
}

// --- verification --------------------------------------------------------------------------------

/** Lower-cased header map; repeated fields are combined with ", " (RFC 9421 §2.1). */
function headerMap(headers: VerifiableRequest['headers']): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const v = Array.isArray(value) ? value.map((x) => String(x).trim()).join(', ') : String(value).trim();
    const lc = name.toLowerCase();
    const prev = out.get(lc);
    out.set(lc, prev === undefined ? v : `${prev}, ${v}`);
  }
  return out;
}

function parseField(value: string, what: string): Dictionary {
  try {
    return parseDictionary(value);
  } catch (e) {
    if (e instanceof StructuredFieldError) throw new SignatureError('signature_malformed', `${what}: ${e.message}`);
    throw e;
  }
}

function param(list: InnerList, name: string, type: BareItem['type']): BareItem | undefined {
  const p = list.params.get(name);
  if (p === undefined) return undefined;
  if (p.type !== type) throw new SignatureError('signature_malformed', `parameter ${name} has the wrong type`);
  return p;
}

/** Verifies a signed request (see header for the checks and their codes). Requires `ready()`. */
export async function verifyRequest(req: VerifiableRequest, opts: VerifyOptions): Promise<VerifiedRequest> {
  const { proof, ...verified } = await checkAllButSignature(req, opts);
  if (!verifyDetachedBytes(proof.signature, proof.message, proof.publicKey)) throw new SignatureError('signature_invalid', 'signature does not verify');
  return verified;
}

/**
 * Every check of `verifyRequest` (same codes, same order) except the last: the Ed25519 signature,
 * the exact bytes it must cover (the RFC 9421 signature base) and the signer's key are returned.
 */
async function checkAllButSignature(
  req: VerifiableRequest,
  opts: VerifyOptions,
): Promise<VerifiedRequest & { proof: { signature: Uint8Array; message: Uint8Array; publicKey: Uint8Array } }> {
  const headers = headerMap(req.headers);
  const inputField = headers.get('signature-input');
  const sigField = headers.get('signature');
  if (inputField === undefined || sigField === undefined) {
    throw new SignatureError('signature_missing', 'Signature and Signature-Input headers are required');
  }

  // 1. Structure.
  const inputs = parseField(inputField, 'Signature-Input');
  const sigs = parseField(sigField, 'Signature');
  const input = inputs.get(SIGNATURE_LABEL);
  const sigMember = sigs.get(SIGNATURE_LABEL);
  if (input === undefined || sigMember === undefined) {
    throw new SignatureError('signature_missing', `no "${SIGNATURE_LABEL}" signature`);
  }
  if (input.kind !== 'innerList') throw new SignatureError('signature_malformed', 'Signature-Input member is not an inner list');
  if (sigMember.kind !== 'item' || sigMember.value.type !== 'bytes' || sigMember.value.value.length !== 64) {
    throw new SignatureError('signature_malformed', 'Signature member is not a 64-byte byte sequence');
  }
  const signature = sigMember.value.value;

  let target: { path: string; query: string | null };
  try {
    target = splitTarget(req.url);
  } catch {
    throw new SignatureError('signature_malformed', 'request target cannot be resolved');
  }

  const covered: string[] = [];
  for (const item of input.items) {
    if (item.value.type !== 'string' || item.params.size > 0) {
      throw new SignatureError('signature_malformed', 'covered components must be plain strings without parameters');
    }
    const name = item.value.value;
    if (covered.includes(name)) throw new SignatureError('signature_malformed', `component ${name} listed twice`);
    covered.push(name);
  }
  for (const required of coveredComponents(target.query !== null)) {
    if (!covered.includes(required)) throw new SignatureError('signature_malformed', `component ${required} is not covered`);
  }

  const createdP = param(input, 'created', 'integer');
  const nonceP = param(input, 'nonce', 'string');
  const keyidP = param(input, 'keyid', 'string');
  const algP = param(input, 'alg', 'string');
  const expiresP = param(input, 'expires', 'integer');
  if (!createdP || !nonceP || !keyidP || !algP) {
    throw new SignatureError('signature_malformed', 'created, nonce, keyid and alg parameters are required');
  }
  const created = createdP.value as number;
  const nonce = nonceP.value as string;
  const keyId = keyidP.value as string;
  if (algP.value !== SIGNATURE_ALG) throw new SignatureError('signature_malformed', `alg must be "${SIGNATURE_ALG}"`);
  if (created < 0) throw new SignatureError('signature_malformed', 'created must be non-negative');
  if (nonce.length < NONCE_MIN || nonce.length > NONCE_MAX) {
    throw new SignatureError('signature_malformed', `nonce must be ${NONCE_MIN}..${NONCE_MAX} characters`);
  }
  if (keyId.length === 0) throw new SignatureError('signature_malformed', 'keyid is empty');

  // Resolve every covered component (unknown derived components or absent fields are malformed,
  // except Content-Digest, whose absence is reported as a digest failure below).
  const digestField = headers.get('content-digest');
  const lines: Array<[string, string]> = [];
  for (const name of covered) {
    let value: string | undefined;
    if (name === '@method') value = req.method.toUpperCase();
    else if (name === '@path') value = target.path;
    else if (name === '@query') value = target.query ?? '?';
    else if (name.startsWith('@')) throw new SignatureError('signature_malformed', `unsupported component ${name}`);
    else if (name !== name.toLowerCase()) throw new SignatureError('signature_malformed', 'field names must be lowercase');
    else value = headers.get(name);
    if (value === undefined) {
      if (name === 'content-digest') throw new SignatureError('digest_mismatch', 'Content-Digest header is missing');
      throw new SignatureError('signature_malformed', `covered field ${name} is absent`);
    }
    lines.push([name, value]);
  }

  // 2. Body digest.
  checkDigest(digestField, req.body);

  // 3. Freshness.
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const maxAge = opts.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS;
  const maxFuture = opts.maxFutureSeconds ?? DEFAULT_MAX_FUTURE_SECONDS;
  if (now - created > maxAge) throw new SignatureError('signature_expired', 'signature is too old');
  if (created - now > maxFuture) throw new SignatureError('signature_expired', 'signature is created in the future');
  if (expiresP && now > (expiresP.value as number)) throw new SignatureError('signature_expired', 'signature has expired');

  // 4. Key.
  const publicKeyB64 = await opts.keyLookup(keyId);
  if (publicKeyB64 === null || publicKeyB64 === undefined) throw new SignatureError('unknown_key', 'unknown keyid');
  let publicKey: Uint8Array;
  try {
    publicKey = fromBase64(publicKeyB64);
  } catch (e) {
    if (e instanceof EncodingError) throw new SignatureError('unknown_key', 'stored public key is not valid base64');
    throw e;
  }
  if (publicKey.length !== 32) throw new SignatureError('unknown_key', 'stored public key is not 32 bytes');

  // 5. Signature over the RFC 9421 base; "@signature-params" is the canonical re-serialisation
  // of the received inner list (RFC 9421 §2.3, §3.2).
  const base = signatureBase(lines, serializeInnerList(input));
  return { keyId, nonce, created, proof: { signature, message: utf8Encode(base), publicKey } };
}

function checkDigest(field: string | undefined, body: Uint8Array | string): void {
  if (field === undefined) throw new SignatureError('digest_mismatch', 'Content-Digest header is missing');
  let dict: Dictionary;
  try {
    dict = parseDictionary(field);
  } catch {
    throw new SignatureError('digest_mismatch', 'Content-Digest is not a valid structured field');
  }
  const member: Item | InnerList | undefined = dict.get('sha-256');
  if (member === undefined || member.kind !== 'item' || member.value.type !== 'bytes') {
    throw new SignatureError('digest_mismatch', 'Content-Digest has no sha-256 value');
  }
  if (!bytesEqual(member.value.value, sha256(bodyBytes(body)))) {
    throw new SignatureError('digest_mismatch', 'Content-Digest does not match the body');
  }
}
