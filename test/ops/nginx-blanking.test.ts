// deploy/nginx.conf, run for real by nginx (skipped with one line where nginx is not installed):
// requests carrying marker client addresses in every forwarding header, a marker user agent,
// referrer and cookie reach the upstream with none of them — whatever their spelling, repetition
// or case — and nginx writes no access log. The upstream here is a small server that records
// every header it receives; the config is deploy/nginx.conf with only the upstream address, the
// listening port and the file locations changed. Shown to fail: docs/test-evidence.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MARKERS, markerHeaders, markerValues } from '../helpers/markers.js';
import { describeIfFound, requireBinary } from '../helpers/requires.js';
import { throwawayCert } from '../helpers/test-cert.js';

const nginx = requireBinary('nginx', { candidates: ['nginx', '/usr/sbin/nginx'] });

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describeIfFound(nginx)('deploy/nginx.conf blanks every identifying header (real nginx)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-nginx-'));
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  const rawSeen: string[] = [];
  let upstream: http.Server;
  let proc: ChildProcess;
  let port: number;
  let stderr = '';

  beforeAll(async () => {
    upstream = http
      .createServer((req, res) => {
        seen.push(req.headers);
        rawSeen.push(req.rawHeaders.join('\n'));
        res.setHeader('content-type', 'application/json');
        res.end('{"ok":true}');
      })
      .listen(0, '127.0.0.1');
    await new Promise((r) => upstream.once('listening', r));
    const up = (upstream.address() as AddressInfo).port;
    port = await freePort();
    mkdirSync(path.join(dir, 'logs'));
    // The TLS listeners (80, 443) get a throwaway certificate and ports of their own; requests go
    // through the onion listener, which is plain HTTP and includes the same proxy rules.
    throwawayCert(dir);
    const [httpPort, httpsPort] = [await freePort(), await freePort()];
    const conf = readFileSync('deploy/nginx.conf', 'utf8')
      .replace('/run/secrets/tls_cert', path.join(dir, 'c.pem'))
      .replace('/run/secrets/tls_key', path.join(dir, 'k.pem'))
      .replace(/\/etc\/nginx\/contamos-proxy\.conf/g, path.resolve('deploy/nginx-proxy.conf'))
      .replace(/server app1:8080; server app2:8080;/, `server 127.0.0.1:${up};`)
      .replace('listen 80;', `listen 127.0.0.1:${httpPort};`)
      .replace('listen [::]:80;', '')
      .replace('listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`)
      .replace('listen [::]:443 ssl http2;', '')
      .replace('listen 8081;', `listen 127.0.0.1:${port};`)
      .replace(/^worker_processes auto;/m, `worker_processes 1;\ndaemon off;\npid ${dir}/nginx.pid;`)
      .replace(
        /http \{/,
        `http {\n  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
      );
    expect(conf).toContain(`server 127.0.0.1:${up};`);
    expect(conf).toContain(`listen 127.0.0.1:${port};`);
    writeFileSync(path.join(dir, 'nginx.conf'), conf);
    proc = spawn(nginx!, ['-p', dir, '-e', 'stderr', '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stderr!.on('data', (d) => {
      stderr += d;
    });
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((r) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          r(true);
        });
        s.on('error', () => r(false));
      });
      if (ok) break;
      if (proc.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    proc?.kill('SIGTERM');
    await new Promise((r) => upstream?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A raw request, so that header spelling, case and repetition are exactly as written. */
  const raw = (lines: string[]) =>
    new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      let out = '';
      s.on('data', (d) => {
        out += d;
      });
      s.on('end', () => resolve(out));
      s.on('error', reject);
      s.write(`${lines.join('\r\n')}\r\n\r\n`);
    });

  it('no marker address, user agent, referrer or cookie reaches the upstream; no access log', async () => {
    const headerLines = Object.entries(markerHeaders).map(([k, v]) => `${k}: ${v}`);
    const variants = [
      headerLines,
      headerLines.map((l) => l.toLowerCase()),
      headerLines.map((l) => l.toUpperCase()),
      [...headerLines, ...headerLines], // every header twice
      [`X-Forwarded-For: ${MARKERS.v4}`, `X-Forwarded-For: ${MARKERS.v4b}`, `Forwarded: for=${MARKERS.v4}`, `Forwarded: for="[${MARKERS.v6}]"`],
    ];
    for (const v of variants) {
      const res = await raw(['GET /api/v1/health?x=1 HTTP/1.1', 'Host: contamos.example', ...v, 'Connection: close']);
      expect(res).toMatch(/^HTTP\/1\.1 200/);
    }
    const put = await raw([
      'PUT /api/v1/reports/x HTTP/1.1',
      'Host: contamos.example',
      ...headerLines,
      'Content-Type: application/json',
      'Content-Length: 2',
      'Connection: close',
      '',
      '{}',
    ]);
    expect(put).toMatch(/^HTTP\/1\.1 200/);
    expect(seen.length).toBe(variants.length + 1);
    for (const [i, r] of rawSeen.entries()) {
      for (const m of markerValues) expect(r, `request ${i} reached the upstream with ${m}`).not.toContain(m);
    }
    for (const h of seen) {
      for (const name of [
        'x-forwarded-for',
        'x-real-ip',
        'forwarded',
        'cf-connecting-ip',
        'true-client-ip',
        'client-ip',
        'x-client-ip',
        'x-cluster-client-ip',
        'fastly-client-ip',
        'user-agent',
        'referer',
        'cookie',
      ]) {
        expect(h[name] ?? '', name).toBe('');
      }
    }
    // the response does not say it is nginx, nor which version
    expect(put).not.toMatch(/nginx\/\d/);
    expect(readdirSync(path.join(dir, 'logs'))).toEqual([]);
    expect(stderr).toBe('');
  });
});
