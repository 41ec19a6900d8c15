import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type InnerList, type Item, StructuredFieldError, parseDictionary, serializeInnerList, serializeItem } from '../../crypto/structured-fields.js';

describe('RFC 8941 dictionaries', () => {
  it('parses an RFC 9421 Signature-Input and re-serialises it exactly', () => {
    const member = '("@method" "@authority" "@path" "content-digest" "content-length" "content-type");created=1618884473;keyid="test-key-rsa-pss"';
    const d = parseDictionary(`sig1=${member}`);
    const m = d.get('sig1') as InnerList;
    expect(m.kind).toBe('innerList');
    expect(m.items.map((i) => i.value.value)).toEqual(['@method', '@authority', '@path', 'content-digest', 'content-length', 'content-type']);
    expect(m.params.get('created')).toEqual({ type: 'integer', value: 1618884473 });
    expect(serializeInnerList(m)).toBe(member);
  });

  it('parses every bare item type, parameters, booleans and whitespace', () => {
    const d = parseDictionary('  a=1, b=-2.50;x=?0;y, c, d=tok/en:x, e=:AQID:, f="q\\"\\\\", g=( 1  2 );p=*t ,\th=?1  ');
    expect(serializeItem(d.get('a') as Item)).toBe('1');
    expect(serializeItem(d.get('b') as Item)).toBe('-2.5;x=?0;y');
    expect((d.get('c') as Item).value).toEqual({ type: 'boolean', value: true });
    expect((d.get('d') as Item).value).toEqual({ type: 'token', value: 'tok/en:x' });
    expect((d.get('e') as Item).value).toEqual({ type: 'bytes', value: Uint8Array.of(1, 2, 3) });
    expect((d.get('f') as Item).value).toEqual({ type: 'string', value: 'q"\\' });
    expect(serializeInnerList(d.get('g') as InnerList)).toBe('(1 2);p=*t');
    expect((d.get('h') as Item).value).toEqual({ type: 'boolean', value: true });
  });

  it('later duplicate keys win', () => {
    expect((parseDictionary('a=1, a=2').get('a') as Item).value.value).toBe(2);
  });

  it.each([
    ['a=1,'],
    ['A=1'],
    ['a="unterminated'],
    ['a="bad \\x escape"'],
    ['a=1234567890123456'],
    ['a=1.2345'],
    ['a=1.'],
    ['a="é"'],
    ['a=(1 2'],
    ['a=(1,2)'],
    ['a=:AQID'],
    ['a=:AQI:'],
    ['a=?2'],
    ['a=1 b=2'],
    ['a=@1'],
    ['a=%"x"'],
    ['a=1;B=2'],
    [',a=1'],
    ['a=1,,b=2'],
    ['a=-'],
    ['a=1234567890123.1'],
  ])('refuses %j', (s) => {
    expect(() => parseDictionary(s)).toThrow(StructuredFieldError);
  });

  it('refuses over-long fields', () => {
    expect(() => parseDictionary(`a="${'x'.repeat(9000)}"`)).toThrow(StructuredFieldError);
  });

  it('parse(serialise(x)) is the identity for inner lists of strings with parameters', () => {
    const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 20 });
    const key = fc.stringMatching(/^[a-z*][a-z0-9_.*-]{0,8}$/);
    const bare = fc.oneof(
      fc.integer({ min: -999_999_999_999_999, max: 999_999_999_999_999 }).map((value) => ({ type: 'integer' as const, value })),
      printable.map((value) => ({ type: 'string' as const, value })),
      fc.stringMatching(/^[A-Za-z*][A-Za-z0-9:/!#$%&'*+.^_`|~-]{0,8}$/).map((value) => ({ type: 'token' as const, value })),
      fc.boolean().map((value) => ({ type: 'boolean' as const, value })),
      fc.uint8Array({ maxLength: 20 }).map((value) => ({ type: 'bytes' as const, value })),
    );
    const params = fc.uniqueArray(fc.tuple(key, bare), { selector: ([k]) => k, maxLength: 4 }).map((e) => new Map(e));
    const list = fc.record({
      kind: fc.constant('innerList' as const),
      items: fc.array(fc.record({ kind: fc.constant('item' as const), value: printable.map((value) => ({ type: 'string' as const, value })), params }), {
        maxLength: 5,
      }),
      params,
    });
    fc.assert(
      fc.property(list, (l) => {
        const text = serializeInnerList(l);
        const back = parseDictionary(`sig1=${text}`).get('sig1') as InnerList;
        expect(serializeInnerList(back)).toBe(text);
        expect(back).toEqual(l);
      }),
    );
  });
});
