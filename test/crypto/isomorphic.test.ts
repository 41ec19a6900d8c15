// The crypto module is bundled for the browser: it must not depend on Node.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { webcrypto } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../crypto');

describe('crypto/ is isomorphic', () => {
  it('no file imports Node built-ins or uses Buffer/process/require, and each has a header comment', () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      expect(text.startsWith('// '), `${file} header`).toBe(true);
      const code = text
        .split('\n')
        .filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l))
        .join('\n');
      expect(code, file).not.toMatch(/from ['"]node:|require\(|\bBuffer\b|\bprocess\.|from ['"](fs|path|crypto|os|util)['"]/);
    }
  });

  it('bundles for the browser and works where there is no Buffer, process or require', async () => {
    const out = await build({
      entryPoints: [path.join(dir, 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'ContamosCrypto',
      write: false,
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    // A browser-like global: Web APIs only. TextEncoder is re-created inside the context so that
    // its Uint8Arrays belong to the context's realm, as they would in a page.
    const encoder = new TextEncoder();
    const sandbox: Record<string, unknown> = {
      crypto: webcrypto,
      TextDecoder,
      WebAssembly,
      URL,
      console,
      setTimeout,
      clearTimeout,
      atob,
      btoa,
      __encode: (s: string) => encoder.encode(s),
    };
    sandbox.globalThis = sandbox;
    sandbox.self = sandbox;
    const ctx = vm.createContext(sandbox);
    vm.runInContext('globalThis.TextEncoder = class { encode(s) { return new Uint8Array(__encode(s)); } };', ctx);
    vm.runInContext(code, ctx);
    const result = await vm.runInContext(
      `(async () => {
        const c = ContamosCrypto;
        await c.ready();
        const member = c.generateSigningKeyPair();
        const h = await c.signRequest({ method: 'POST', url: '/api/v1/reports?x=1', body: '{}' }, { keyId: 'm-1', secretKey: member.secretKey });
        const v = await c.verifyRequest({ method: 'POST', url: '/api/v1/reports?x=1', body: '{}', headers: h }, { keyLookup: async () => member.publicKey });
        const steward = c.generateSealKeyPair();
        const text = c.openNarrative(c.sealNarrative('Hola, compañera', steward.publicKey), steward.publicKey, steward.secretKey);
        return [typeof Buffer, typeof process, typeof require, v.keyId, text, c.sha256Hex('abc')].join('|');
      })()`,
      ctx,
    );
    expect(result).toBe('undefined|undefined|undefined|m-1|Hola, compañera|ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
