// The CLI and passphrase-encrypted key files (the format the /enviar page saves): `keys
// --encrypt` writes one, every command opens one with the passphrase ($CONTAMOS_KEY_PASSPHRASE
// or a hidden prompt), `enrol` keeps it encrypted; and `invite` prints the link that opens the
// page with the code filled in. The passphrase never appears in any output.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKeyBox, parseKeyFile, receiptCode, unlockKeyFile } from '../../crypto/index.js';
import { main } from '../../scripts/cli.js';
import type { CliIo } from '../../scripts/cli/io.js';
import { pwhashSodium } from '../../scripts/cli/passphrase.js';
import { type CliServer, cli, startCliServer } from './helpers.js';

const PASS = 'una frase larga de prueba';

describe('encrypted key files and invite links in the CLI', () => {
  let s: CliServer;
  const env = { CONTAMOS_KEY_PASSPHRASE: PASS };
  beforeAll(async () => {
    s = await startCliServer();
  });
  afterAll(async () => s?.close());
  const run = (argv: string[], e: Record<string, string> = env) => cli(argv, { server: s.url, env: e });

  /** Runs the CLI with a terminal that answers the passphrase prompts in turn. */
  async function withPrompts(argv: string[], answers: string[]) {
    let stdout = '';
    let stderr = '';
    const prompts: string[] = [];
    const io: CliIo = {
      stdout: {
        write: (x: string) => {
          stdout += x;
          return true;
        },
      },
      stderr: {
        write: (x: string) => {
          stderr += x;
          return true;
        },
      },
      env: {},
      readSecret: async (p) => {
        prompts.push(p);
        return answers.shift() ?? '';
      },
    };
    const code = await main([...argv, '--server', s.url], io);
    return { code, stdout, stderr, prompts };
  }

  it('keys --encrypt writes the page’s format (0600), and enrol keeps it encrypted with the keyId inside', async () => {
    const file = path.join(s.dir, 'org.enc.json');
    const made = await run(['keys', '--role', 'member', '--out', file, '--encrypt']);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain('cifrada con contraseña / passphrase-encrypted');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const box = JSON.parse(readFileSync(file, 'utf8'));
    expect(isKeyBox(box)).toBe(true);
    expect(box.kdf).toMatchObject({ alg: 'argon2id13', opslimit: 3, memlimit: 64 * 1024 * 1024 }); // the page's limits
    const inv = await run(['invite', '--key', s.stewardKeyFile], {});
    const en = await run(['enrol', '--invite', inv.stdout.trim(), '--key', file]);
    expect(en.code, en.stderr).toBe(0);
    const after = readFileSync(file, 'utf8');
    expect(isKeyBox(JSON.parse(after))).toBe(true);
    const key = parseKeyFile(unlockKeyFile(await pwhashSodium(), after, PASS));
    expect(key.keyId).toMatch(/^m-/);
    expect(after).not.toContain(key.keyId!);

    const sent = await run([
      'submit',
      '--key',
      file,
      '--year',
      '2024',
      '--region',
      'PE-LMA',
      '--type',
      'extortion',
      '--gender',
      'trans-woman',
      '--nationality',
      'VE',
      '--age',
      '25-34',
      '--perpetrator',
      'criminal-organisation',
      '--narrative',
      'desde una llave cifrada',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const receipt = JSON.parse(sent.stdout);
    expect(sent.stderr).toContain(`Código de recibo / Receipt code: ${receiptCode(receipt.reportId, receipt.reportHash)}`);
    for (const r of [made, en, sent]) expect(r.stdout + r.stderr).not.toContain(PASS);
  });

  it('asks for the passphrase at a terminal (twice for a new file), and refuses a short or mismatched one', async () => {
    const file = path.join(s.dir, 'prompted.json');
    const mismatch = await withPrompts(['keys', '--role', 'member', '--out', file, '--encrypt'], [PASS, `${PASS}!`]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/no coinciden \/ The two passphrases differ/);
    expect(existsSync(file)).toBe(false);
    const short = await withPrompts(['keys', '--role', 'member', '--out', file, '--encrypt'], ['corta']);
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/al menos 12 caracteres/);
    expect(existsSync(file)).toBe(false);
    const ok = await withPrompts(['keys', '--role', 'member', '--out', file, '--encrypt'], [PASS, PASS]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.prompts).toHaveLength(2);
    const status = await withPrompts(['status', '--key', file], [PASS]);
    expect(status.code).toBe(1); // not enrolled yet: said after the file was opened
    expect(status.stderr).toMatch(/todavía no está inscrita/);
    expect(status.prompts).toHaveLength(1);
    const wrong = await withPrompts(['status', '--key', file], ['otra frase cualquiera']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/La contraseña no abre .* \/ The passphrase does not open/);
    // An existing file is refused before any passphrase is asked.
    const exists = await withPrompts(['keys', '--role', 'member', '--out', file, '--encrypt'], []);
    expect(exists.code).toBe(1);
    expect(exists.prompts).toHaveLength(0);
  });

  it('without a terminal or the variable, says how to give the passphrase', async () => {
    const file = path.join(s.dir, 'noprompt.json');
    expect((await run(['keys', '--role', 'member', '--out', file, '--encrypt'])).code).toBe(0);
    const r = await run(['status', '--key', file], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cifrado con una contraseña: escríbala en una terminal o póngala en la variable CONTAMOS_KEY_PASSPHRASE/);
  });

  it('invite prints the code alone on stdout and the link (fragment) on stderr; --public-url sets its address', async () => {
    const r = await run(['invite', '--key', s.stewardKeyFile], {});
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.stdout).toBe(`${token}\n`);
    expect(r.stderr).toContain(`${s.url}/enviar#invitacion=${token}`);
    expect(r.stderr).toMatch(/lo abre en el navegador de su teléfono o computadora/);
    const pub = await run(['invite', '--key', s.stewardKeyFile, '--public-url', 'https://contamos.example.org/base/'], {});
    expect(pub.stderr).toContain(`https://contamos.example.org/base/enviar#invitacion=${pub.stdout.trim()}`);
    const bad = await run(['invite', '--key', s.stewardKeyFile, '--public-url', 'ftp://x'], {});
    expect(bad.code).toBe(2);
  });
});
