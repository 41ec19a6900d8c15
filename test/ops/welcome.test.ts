// What `npm start` tells a person (scripts/lib/welcome.ts): in Spanish and English, the page
// addresses, where the demo keys are, and an invite command that really works — and that it is
// printed by the real start script once the server listens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer } from '../../scripts/lib/spawn-server.js';
import { printWelcome, welcomeText } from '../../scripts/lib/welcome.js';
import { cli } from '../cli/helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'contamos-welcome-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('welcome text', () => {
  it('without key files here: the addresses, and the invite command for the steward’s own computer', () => {
    const text = welcomeText({ url: 'http://0.0.0.0:8080', home: path.join(dir, 'nothing'), cwd: dir });
    expect(text).toContain('Contamos está funcionando / Contamos is running');
    expect(text).toContain('http://127.0.0.1:8080/enviar');
    expect(text).toContain('http://127.0.0.1:8080/estadisticas');
    expect(text).toContain('http://127.0.0.1:8080/api/v1/docs');
    expect(text).toContain('Desde otro equipo, use la dirección de esta máquina');
    expect(text).toContain('npx contamos invite --key steward.key.json --server http://127.0.0.1:8080');
    expect(text).not.toContain('0.0.0.0');
    expect(text).not.toMatch(/Llaves de demostración/);
  });
});

describe('when it is printed', () => {
  it('for npm start at a terminal or when asked; never under a process manager; the demo always; CONTAMOS_WELCOME=0 never', () => {
    const out = (isTTY: boolean) => {
      const o = {
        isTTY,
        text: '',
        write(x: string) {
          o.text += x;
        },
      };
      return o;
    };
    const input = { url: 'http://127.0.0.1:8080', home: dir };
    const cases: Array<[Record<string, string>, boolean, boolean, boolean]> = [
      [{}, true, false, true],
      [{}, false, false, false],
      [{ CONTAMOS_WELCOME: '1' }, false, false, true],
      [{ CONTAMOS_WELCOME: '0' }, true, false, false],
      [{}, false, true, true],
      [{ CONTAMOS_WELCOME: '0' }, false, true, false],
    ];
    for (const [env, tty, demo, printed] of cases) {
      const o = out(tty);
      printWelcome(demo ? { ...input, demo: { incidents: 1, reports: 1, organisations: 1, releases: [] } } : input, env, o);
      expect(o.text !== '', JSON.stringify({ env, tty, demo })).toBe(printed);
    }
  });
});

describe('npm start', () => {
  it('prints where the pages and demo keys are and an invite command that works', async () => {
    const home = path.join(dir, 'home');
    // (spawned, stderr is a pipe, not a terminal: CONTAMOS_WELCOME=1 stands for the person reading)
    const server = await spawnServer({ DATABASE_URL: `file:${path.join(dir, 'start.db')}`, CONTAMOS_HOME: home, LOG_LEVEL: 'info', CONTAMOS_WELCOME: '1' });
    try {
      await expect.poll(() => server.output.join('\n'), { timeout: 20_000 }).toContain('Detener / Stop: Ctrl-C');
      const text = server.output.join('\n');
      const url = server.url;
      for (const needle of [
        'Abra en el navegador / Open in a browser:',
        `${url}/enviar`,
        `${url}/estadisticas`,
        'Llaves de demostración / Demo keys',
        `${path.join(home, 'steward.key.json')}`,
        `${path.join(home, 'publisher.key.json')}`,
        'Invitar a una organización / Invite an organisation:',
        'without any terminal',
        'sin usar ninguna terminal',
      ])
        expect(text).toContain(needle);
      // The command, as printed, creates an invite and prints its link.
      const line = server.output.find((l) => l.includes(' invite --key '))!;
      const argv = line
        .trim()
        .replace(/^npm run cli -- /, '')
        .split(/\s+/);
      const r = await cli(argv);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`${url}/enviar#invitacion=${r.stdout.trim()}`);
    } finally {
      await server.stop();
    }
  }, 90_000);
});
