// detect.ts — recognises values that must never be kept: network addresses, e-mail addresses,
// phone numbers, user agents and plaintext narrative.
//
// Guarantees:
// - `detect(value)` returns the kinds found in a string (possibly several), and never the matched
//   text: callers can report where and what, never the value.
// - Kinds: 'ip-address' (IPv4 dotted quad, or IPv6 as accepted by node:net — loopback and
//   unspecified addresses, 127.0.0.0/8, 0.0.0.0, ::1 and ::, are not personal and are ignored);
//   'email'; 'phone' (Peruvian mobile 9xx xxx xxx, optionally with 51/+51, and any international
//   "+" number of 8 to 15 digits, with single spaces, dots or hyphens allowed between digits);
//   'user-agent' (Mozilla/…, curl/…, Wget/…, python-requests/…, okhttp/…, browser engine tokens,
//   …bot/…); 'narrative' (six or more words of letters separated by spaces — taxonomy codes,
//   hashes and keys never contain spaces — or base64 that decodes to such text).
// - Not flagged: 64-hex hashes and other long hex runs, UUIDs, base64 keys, signatures and sealed
//   narratives (base64 of ≥ 1 KiB of ciphertext), dates and ISO timestamps, unix times, counts.
//   Those tokens are blanked out before the patterns run, so an address next to a hash is still
//   found.
import { isIPv6 } from 'node:net';

export type DetectKind = 'ip-address' | 'email' | 'phone' | 'user-agent' | 'narrative';

const UUID = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/g;
const HEX_RUN = /(?<![0-9A-Za-z])[0-9A-Fa-f]{16,}(?![0-9A-Za-z])/g;
const BASE64_RUN = /[A-Za-z0-9+/_-]{40,}={0,2}/g;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\d|\.\d)/g;
const IPV6_CANDIDATE = /[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*/g;
const PHONE_PE = /(?<![\w+/.,])(?:\+?51[ .-]?)?9\d{2}[ .-]?\d{3}[ .-]?\d{3}(?!\w|[.,]\d)/;
const PHONE_E164 = /(?<![\w+])\+[1-9](?:[ .-]?\d){7,14}(?!\w|[.,]\d)/;
const USER_AGENT =
  /\b(?:Mozilla|curl|Wget|python-requests|python-urllib|Python-urllib|aiohttp|okhttp|Go-http-client|PostmanRuntime|node-fetch|undici|axios|HTTPie|insomnia|libwww-perl|Apache-HttpClient|Java|Dalvik|AppleWebKit|Chrome|Safari|Firefox|Edg|OPR|Opera|Gecko|[A-Za-z][A-Za-z-]*[Bb]ot)\/\d|\((?:Windows NT|Macintosh;|iPhone;|iPad;|Linux; Android|X11;)/;
const WORD = "\\p{L}[\\p{L}\\p{M}'’-]*";
const NARRATIVE = new RegExp(`(?<![\\p{L}\\p{N}_])${WORD}(?:[,;:.!?)"»]*\\s+[(¡¿"«]*${WORD}){5,}`, 'u');

function isPrivateIpv4Ignored(ip: string): boolean {
  return ip.startsWith('127.') || ip === '0.0.0.0';
}

function hasIpv4(s: string): boolean {
  for (const m of s.matchAll(IPV4)) if (!isPrivateIpv4Ignored(m[0])) return true;
  return false;
}

function hasIpv6(s: string): boolean {
  for (const m of s.matchAll(IPV6_CANDIDATE)) {
    const start = m.index;
    const end = start + m[0].length;
    if (start > 0 && /[0-9A-Za-z]/.test(s[start - 1]!)) continue;
    if (end < s.length && /[0-9A-Za-z]/.test(s[end]!)) continue;
    const candidate = m[0].replace(/\.+$/, '');
    if (candidate === '::' || candidate === '::1') continue;
    if (isIPv6(candidate)) return true;
  }
  return false;
}

/** True when a base64 run decodes to mostly printable text (plaintext hidden in base64). */
function encodedText(run: string): string | null {
  if (run.length < 64) return null;
  const head = run.slice(0, 96).replace(/-/g, '+').replace(/_/g, '/');
  let bytes: Buffer;
  try {
    bytes = Buffer.from(head.slice(0, head.length - (head.length % 4)), 'base64');
  } catch {
    return null;
  }
  let printable = 0;
  for (const b of bytes) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09 || b >= 0xc2) printable++;
  if (printable < bytes.length * 0.95) return null;
  const body = run.slice(0, 4096).replace(/-/g, '+').replace(/_/g, '/');
  return Buffer.from(body.slice(0, body.length - (body.length % 4)), 'base64').toString('utf8');
}

export interface DetectOptions {
  /** Look for plaintext narrative (default true). */
  narrative?: boolean;
}

/** The kinds of forbidden data found in `value` (empty when none). */
export function detect(value: string, opts: DetectOptions = {}): DetectKind[] {
  if (value.length < 6) return [];
  const narrative = opts.narrative !== false;
  const kinds = new Set<DetectKind>();
  let s = value.replace(UUID, ' ').replace(HEX_RUN, ' ');
  s = s.replace(BASE64_RUN, (run) => {
    // A run that is only letters (a long word) or only digits is not base64 data: keep it.
    if (/^[A-Za-z]+$/.test(run) || /^\d+$/.test(run)) return run;
    if (narrative) {
      const text = encodedText(run);
      if (text !== null && NARRATIVE.test(text)) kinds.add('narrative');
    }
    return ' ';
  });
  if (s.includes('@') && EMAIL.test(s)) kinds.add('email');
  if (s.includes('.') && hasIpv4(s)) kinds.add('ip-address');
  if (s.includes(':') && hasIpv6(s)) kinds.add('ip-address');
  if (PHONE_PE.test(s) || (s.includes('+') && PHONE_E164.test(s))) kinds.add('phone');
  if (s.includes('/') || s.includes('(')) {
    if (USER_AGENT.test(s)) kinds.add('user-agent');
  }
  if (narrative && /\s/.test(s) && NARRATIVE.test(s)) kinds.add('narrative');
  return [...kinds];
}
