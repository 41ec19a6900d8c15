// The real server's Node HTTP timeouts (server/main.ts: headersTimeout 10 s, requestTimeout 30 s,
// keepAliveTimeout 5 s), from a slow client's side: headers dripped a byte a second are cut off,
// a body dripped forever is cut off, an idle kept-alive connection is closed — each within its
// timeout plus Node's connection-checking interval (30 s), and not before the timeout. The three
// run at once; the server answers a normal request meanwhile. Shown to fail:
// docs/test-evidence.md.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../helpers/process.js';

/** Opens a connection, runs `feed` on it, and resolves with when (ms after opening) the server closed it and what it said. */
function watch(port: number, feed: (s: net.Socket) => () => void): Promise<{ closedAfterMs: number; said: string }> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const s = net.connect(port, '127.0.0.1');
    let said = '';
    let stop: () => void = () => undefined;
    s.on('connect', () => {
      stop = feed(s);
    });
    s.on('data', (d) => {
      said += d;
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      stop();
      resolve({ closedAfterMs: Date.now() - start, said });
    });
    setTimeout(() => {
      s.destroy();
      reject(new Error('the server never closed the connection'));
    }, 80_000);
  });
}

describe('Node HTTP timeouts of the real server (sqlite)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-timeouts-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('cuts off dripped headers, dripped bodies and idle kept-alive connections', async () => {
    server = await spawnServer({ DATABASE_URL: `file:${path.join(dir, 'db.sqlite')}`, CONTAMOS_HOME: path.join(dir, 'home') });
    const port = Number(new URL(server.url).port);
    const drip = (s: net.Socket, text: string, everyMs: number) => {
      let i = 0;
      const timer = setInterval(() => {
        if (!s.destroyed) s.write(text[i++ % text.length]!);
      }, everyMs);
      return () => clearInterval(timer);
    };
    const [headers, body, idle] = await Promise.all([
      // headers that never end: a byte a second
      watch(port, (s) => drip(s, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200), 1000)),
      // complete headers, then a body dripped a byte a second that would take 10 minutes
      watch(port, (s) => {
        s.write(
          'PUT /api/v1/reports/0b0f3c34-7b43-4d0e-9d4c-0f9f4b7f1c11 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 600\r\n\r\n',
        );
        return drip(s, '{', 1000);
      }),
      // one request, then nothing: the kept-alive connection is closed when idle
      watch(port, (s) => {
        s.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n');
        return () => undefined;
      }),
      // meanwhile the server serves others
      (async () => {
        await new Promise((r) => setTimeout(r, 2000));
        expect((await fetch(`${server!.url}/api/v1/health`)).status).toBe(200);
      })(),
    ]);
    // headersTimeout 10 s (checked every 30 s by Node)
    expect(headers.closedAfterMs).toBeGreaterThanOrEqual(9_500);
    expect(headers.closedAfterMs).toBeLessThan(45_000);
    // requestTimeout 30 s
    expect(body.closedAfterMs).toBeGreaterThanOrEqual(29_500);
    expect(body.closedAfterMs).toBeLessThan(65_000);
    expect(body.said).toMatch(/^HTTP\/1\.1 408/);
    // keepAliveTimeout 5 s, after a complete answer
    expect(idle.said).toMatch(/^HTTP\/1\.1 200/);
    expect(idle.said).toMatch(/keep-alive/i);
    expect(idle.closedAfterMs).toBeGreaterThanOrEqual(4_500);
    expect(idle.closedAfterMs).toBeLessThan(12_000);
  }, 120_000);
});
