// The `contamos` launcher as a real process: scripts/bin/contamos.mjs runs scripts/cli.ts through
// tsx from any working folder, passing output and exit codes through.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from './ports.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = path.join(root, 'scripts', 'bin', 'contamos.mjs');
const elsewhere = mkdtempSync(path.join(tmpdir(), 'contamos-bin-'));

function contamos(args: string[]) {
  const env = { ...process.env };
  delete env.CONTAMOS_SERVER;
  return spawnSync(process.execPath, [bin, ...args], { cwd: elsewhere, encoding: 'utf8', timeout: 60_000, env });
}

describe('scripts/bin/contamos.mjs', () => {
  afterAll(() => rmSync(elsewhere, { recursive: true, force: true }));

  it('--help prints the command list and exits 0', () => {
    const r = contamos(['--help']);
    expect(r.status, r.stderr).toBe(0);
    for (const c of ['keys', 'invite', 'enrol', 'submit', 'import', 'withdraw', 'status', 'open', 'revoke']) expect(r.stdout).toContain(c);
    expect(r.stdout).toContain('--server');
  });

  it('passes failures through as non-zero exit codes with a plain message', async () => {
    const unknown = contamos(['nope']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown command');

    const keyDir = mkdtempSync(path.join(tmpdir(), 'contamos-bin-key-'));
    try {
      const key = path.join(keyDir, 's.key.json');
      expect(contamos(['keys', '--role', 'steward', '--out', key]).status).toBe(0);
      const down = contamos(['invite', '--key', key, '--server', `http://127.0.0.1:${await freePort()}`, '--retries', '0']);
      expect(down.status).toBe(1);
      expect(down.stderr).toContain('No se pudo conectar al servidor / Could not reach the server');
      expect(down.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(keyDir, { recursive: true, force: true });
    }
  });
});
