// structured-fields.ts — RFC 8941 Structured Field Values: Dictionary parsing and serialisation,
// as needed for Signature-Input / Signature (RFC 9421) and Content-Digest (RFC 9530).
//
// Guarantees:
// - `parseDictionary` follows the parsing algorithm of RFC 8941 §4.2 (Dictionary, Item, Inner
//   List, Parameters; Integer, Decimal, String, Token, Byte Sequence, Boolean) and throws
//   `StructuredFieldError` on anything it does not accept. It is STRICTER than the RFC in one way:
//   byte sequences must be canonical, padded base64 (RFC 8941 says parsers SHOULD tolerate
//   missing padding); RFC 9651 Dates and Display Strings are not supported.
//   Later duplicate keys replace earlier ones, as the RFC requires.
// - `serializeItem` / `serializeInnerList` / `serializeParams` produce the RFC 8941 §4.1
//   serialisation, so parse-then-serialise yields the canonical form RFC 9421 uses for
//   "@signature-params".
// - Input is bounded (MAX_FIELD_LENGTH) so a hostile header costs little to reject.
// No initialisation needed.
import { fromBase64, toBase64 } from './encoding.js';

export type BareItem =
  | { type: 'integer'; value: number }
  | { type: 'decimal'; value: number }
  | { type: 'string'; value: string }
  | { type: 'token'; value: string }
  | { type: 'bytes'; value: Uint8Array }
  | { type: 'boolean'; value: boolean };

export type Params = Map<string, BareItem>;
export interface Item {
  kind: 'item';
  value: BareItem;
  params: Params;
}
export interface InnerList {
  kind: 'innerList';
  items: Item[];
  params: Params;
}
export type Dictionary = Map<string, Item | InnerList>;

export class StructuredFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StructuredFieldError';
  }
}

/** Fields longer than this are refused outright (ours are a few hundred characters). */
export const MAX_FIELD_LENGTH = 8192;

const isDigit = (c: string) => c >= '0' && c <= '9';
const isLcAlpha = (c: string) => c >= 'a' && c <= 'z';
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
// tchar (RFC 9110) plus ':' and '/' as RFC 8941 allows in tokens.
const TOKEN_CHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z:/]$/;
const BASE64_CHAR = /^[A-Za-z0-9+/=]$/;

class Parser {
  private pos = 0;
  constructor(private readonly s: string) {}

  private peek(): string {
    return this.s[this.pos] ?? '';
  }
  private fail(what: string): never {
    throw new StructuredFieldError(`structured field: ${what} at position ${this.pos}`);
  }
  private skipSP(): void {
    while (this.peek() === ' ') this.pos++;
  }
  private skipOWS(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  atEnd(): boolean {
    return this.pos >= this.s.length;
  }

  // RFC 8941 §4.2.2
  dictionary(): Dictionary {
    const dict: Dictionary = new Map();
    while (!this.atEnd()) {
      const key = this.key();
      let member: Item | InnerList;
      if (this.peek() === '=') {
        this.pos++;
        member = this.itemOrInnerList();
      } else {
        member = { kind: 'item', value: { type: 'boolean', value: true }, params: this.params() };
      }
      dict.set(key, member);
      this.skipOWS();
      if (this.atEnd()) return dict;
      if (this.peek() !== ',') this.fail('expected ","');
      this.pos++;
      this.skipOWS();
      if (this.atEnd()) this.fail('trailing ","');
    }
    return dict;
  }

  private itemOrInnerList(): Item | InnerList {
    return this.peek() === '(' ? this.innerList() : this.item();
  }

  // RFC 8941 §4.2.1.2
  private innerList(): InnerList {
    this.pos++; // '('
    const items: Item[] = [];
    while (!this.atEnd()) {
      this.skipSP();
      if (this.peek() === ')') {
        this.pos++;
        return { kind: 'innerList', items, params: this.params() };
      }
      items.push(this.item());
      const c = this.peek();
      if (c !== ' ' && c !== ')') this.fail('expected " " or ")" in inner list');
    }
    this.fail('unterminated inner list');
  }

  // RFC 8941 §4.2.3
  private item(): Item {
    const value = this.bareItem();
    return { kind: 'item', value, params: this.params() };
  }

  private bareItem(): BareItem {
    const c = this.peek();
    if (c === '-' || isDigit(c)) return this.number();
    if (c === '"') return this.string();
    if (c === '*' || isAlpha(c)) return this.token();
    if (c === ':') return this.bytes();
    if (c === '?') return this.boolean();
    this.fail('unexpected character');
  }

  // RFC 8941 §4.2.3.2
  private params(): Params {
    const params: Params = new Map();
    while (this.peek() === ';') {
      this.pos++;
      this.skipSP();
      const key = this.key();
      let value: BareItem = { type: 'boolean', value: true };
      if (this.peek() === '=') {
        this.pos++;
        value = this.bareItem();
      }
      params.set(key, value);
    }
    return params;
  }

  // RFC 8941 §4.2.3.3
  private key(): string {
    const c = this.peek();
    if (!(isLcAlpha(c) || c === '*')) this.fail('invalid key');
    const start = this.pos;
    for (;;) {
      const d = this.peek();
      if (isLcAlpha(d) || isDigit(d) || d === '_' || d === '-' || d === '.' || d === '*') this.pos++;
      else break;
    }
    return this.s.slice(start, this.pos);
  }

  // RFC 8941 §4.2.4
  private number(): BareItem {
    let sign = 1;
    if (this.peek() === '-') {
      sign = -1;
      this.pos++;
    }
    if (!isDigit(this.peek())) this.fail('expected a digit');
    const start = this.pos;
    let decimal = false;
    while (!this.atEnd()) {
      const c = this.peek();
      if (isDigit(c)) this.pos++;
      else if (c === '.' && !decimal) {
        if (this.pos - start > 12) this.fail('decimal too long');
        decimal = true;
        this.pos++;
      } else break;
      if (!decimal && this.pos - start > 15) this.fail('integer too long');
      if (decimal && this.pos - start > 16) this.fail('decimal too long');
    }
    const text = this.s.slice(start, this.pos);
    if (!decimal) return { type: 'integer', value: sign * Number.parseInt(text, 10) };
    const frac = text.length - text.indexOf('.') - 1;
    if (frac < 1 || frac > 3) this.fail('bad decimal fraction');
    return { type: 'decimal', value: sign * Number.parseFloat(text) };
  }

  // RFC 8941 §4.2.5
  private string(): BareItem {
    this.pos++; // '"'
    let out = '';
    while (!this.atEnd()) {
      const c = this.s[this.pos++]!;
      if (c === '\\') {
        const n = this.s[this.pos++] ?? '';
        if (n !== '"' && n !== '\\') this.fail('bad escape');
        out += n;
      } else if (c === '"') {
        return { type: 'string', value: out };
      } else {
        const code = c.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) this.fail('non-printable character in string');
        out += c;
      }
    }
    this.fail('unterminated string');
  }

  // RFC 8941 §4.2.6
  private token(): BareItem {
    const start = this.pos;
    this.pos++;
    while (TOKEN_CHAR.test(this.peek())) this.pos++;
    return { type: 'token', value: this.s.slice(start, this.pos) };
  }

  // RFC 8941 §4.2.7 (strict base64, see header)
  private bytes(): BareItem {
    this.pos++; // ':'
    const start = this.pos;
    while (BASE64_CHAR.test(this.peek())) this.pos++;
    if (this.peek() !== ':') this.fail('unterminated byte sequence');
    const b64 = this.s.slice(start, this.pos);
    this.pos++;
    try {
      return { type: 'bytes', value: fromBase64(b64) };
    } catch {
      this.fail('invalid base64 in byte sequence');
    }
  }

  // RFC 8941 §4.2.8
  private boolean(): BareItem {
    this.pos++; // '?'
    const c = this.peek();
    if (c !== '0' && c !== '1') this.fail('bad boolean');
    this.pos++;
    return { type: 'boolean', value: c === '1' };
  }
}

/** Parses a Dictionary field value (RFC 8941 §4.2 with field_type "dictionary"). */
export function parseDictionary(field: string): Dictionary {
  if (typeof field !== 'string') throw new StructuredFieldError('structured field: not a string');
  if (field.length > MAX_FIELD_LENGTH) throw new StructuredFieldError('structured field: too long');
  // RFC 8941 §4.2 steps 2 and 6: leading and trailing SP are discarded.
  const p = new Parser(field.replace(/^ +| +$/g, ''));
  return p.dictionary();
}

// --- serialisation (RFC 8941 §4.1) ---------------------------------------------------------------

export function serializeBareItem(b: BareItem): string {
  switch (b.type) {
    case 'integer':
      if (!Number.isInteger(b.value) || Math.abs(b.value) > 999_999_999_999_999) throw new StructuredFieldError('integer out of range');
      return String(b.value);
    case 'decimal': {
      if (!Number.isFinite(b.value)) throw new StructuredFieldError('decimal out of range');
      const fixed = b.value.toFixed(3).replace(/0+$/, '');
      return fixed.endsWith('.') ? `${fixed}0` : fixed;
    }
    case 'string':
      if (!/^[\x20-\x7e]*$/.test(b.value)) throw new StructuredFieldError('string has non-printable characters');
      return `"${b.value.replace(/[\\"]/g, (m) => `\\${m}`)}"`;
    case 'token':
      if (!/^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/.test(b.value)) throw new StructuredFieldError('invalid token');
      return b.value;
    case 'bytes':
      return `:${toBase64(b.value)}:`;
    case 'boolean':
      return b.value ? '?1' : '?0';
  }
}

export function serializeParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) {
    out += `;${k}`;
    if (!(v.type === 'boolean' && v.value)) out += `=${serializeBareItem(v)}`;
  }
  return out;
}

export function serializeItem(item: Item): string {
  return serializeBareItem(item.value) + serializeParams(item.params);
}

export function serializeInnerList(list: InnerList): string {
  return `(${list.items.map(serializeItem).join(' ')})${serializeParams(list.params)}`;
}
