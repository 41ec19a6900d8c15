// canonical-json.ts — RFC 8785 JSON Canonicalization Scheme (JCS), via the `canonicalize` package.
//
// Guarantees:
// - Equal JSON data give byte-identical output whatever the key order or the way the value was
//   built: keys sorted by UTF-16 code units, ECMAScript number formatting, minimal string escapes,
//   no whitespace (RFC 8785). This is what every hash and signature over JSON in Contamos covers.
// - Only plain JSON data is accepted. `canonicalJson` throws `CanonicalJsonError` for: a top-level
//   `undefined`; `undefined` or a hole inside an array; NaN / ±Infinity; functions, symbols,
//   bigints; lone surrogates in strings or keys; cycles; and any non-plain object (Date, Map, Set,
//   typed arrays, class instances, objects with a `toJSON` method) — rather than silently turning
//   them into `null`, `{}` or a string as JSON.stringify would.
// - An object property whose value is `undefined` is OMITTED (as in JSON.stringify), so an object
//   with an absent optional field and one with that field set to `undefined` hash the same —
//   which is what a client that serialises its body with JSON.stringify will have hashed.
// No initialisation needed.
import canonicalize from 'canonicalize';

export class CanonicalJsonError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalJsonError';
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  const ctor = (v as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' ? ctor.name : 'object';
}

/**
 * Checks that `root` is plain JSON data (see header), iteratively so that deep nesting cannot
 * overflow the call stack. Shared sub-objects are checked once; cycles are left for
 * `canonicalize` to report.
 */
function assertPlainJson(root: unknown): void {
  if (root === undefined) throw new CanonicalJsonError('canonicalJson: value is undefined');
  const seen = new Set<object>();
  const stack: Array<{ value: unknown; path: string }> = [{ value: root, path: '$' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    switch (typeof value) {
      case 'string':
      case 'boolean':
        continue;
      case 'number':
        if (!Number.isFinite(value)) throw new CanonicalJsonError(`canonicalJson: non-finite number at ${path}`);
        continue;
      case 'object':
        break;
      default:
        throw new CanonicalJsonError(`canonicalJson: unsupported ${typeof value} at ${path}`);
    }
    if (value === null || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (!(i in value) || value[i] === undefined) {
          throw new CanonicalJsonError(`canonicalJson: undefined array element at ${path}[${i}]`);
        }
        stack.push({ value: value[i], path: `${path}[${i}]` });
      }
      continue;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      throw new CanonicalJsonError(`canonicalJson: unsupported ${describe(value)} at ${path}`);
    }
    if (Object.getOwnPropertySymbols(value).length > 0) {
      throw new CanonicalJsonError(`canonicalJson: symbol-keyed property at ${path}`);
    }
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) stack.push({ value: v, path: `${path}.${k}` });
    }
  }
}

const isWellFormed = (s: string): boolean =>
  typeof (s as { isWellFormed?: () => boolean }).isWellFormed === 'function'
    ? (s as unknown as { isWellFormed: () => boolean }).isWellFormed()
    : !/\p{Cs}/u.test(s); // in a u-mode regex a surrogate pair is one code point: this finds lone ones

/**
 * The common case — a plain object whose values are strings, finite numbers, booleans or null,
 * like a report body — written directly: keys sorted by UTF-16 code units, each key and value as
 * JSON.stringify writes it, which for these types is exactly RFC 8785's form. Anything else
 * (nesting, lone surrogates, other prototypes, symbol keys) returns undefined and takes the general
 * path. test/crypto/hash.test.ts checks it against `canonicalize` on random flat objects.
 */
function flatObject(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return undefined;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function' || Object.getOwnPropertySymbols(value).length > 0) return undefined;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    let text: string;
    if (typeof v === 'string') {
      if (!isWellFormed(v)) return undefined;
      text = JSON.stringify(v);
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return undefined;
      text = JSON.stringify(v);
    } else if (typeof v === 'boolean') {
      text = v ? 'true' : 'false';
    } else if (v === null) {
      text = 'null';
    } else {
      return undefined;
    }
    if (!isWellFormed(k)) return undefined;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${text}`;
  }
  return `${out}}`;
}

/** RFC 8785 canonical JSON text of `value`; throws `CanonicalJsonError` for non-JSON data. */
export function canonicalJson(value: unknown): string {
  const flat = flatObject(value);
  if (flat !== undefined) return flat;
  assertPlainJson(value);
  let out: string | undefined;
  try {
    out = canonicalize(value);
  } catch (e) {
    // canonicalize reports lone surrogates and cycles.
    throw new CanonicalJsonError(`canonicalJson: ${(e as Error).message}`);
  }
  if (typeof out !== 'string') throw new CanonicalJsonError('canonicalJson: value has no JSON form');
  return out;
}
