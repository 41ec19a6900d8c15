// The production deployment (issue 16): compose.yaml gives TLS in front of the replicas (HSTS; plain
// HTTP only redirects) and a Tor onion service; secrets come from files the operator creates, never
// a literal in the repository; the proxy keeps no client address in any log; the image refuses to
// start in production without configured keys. No Docker engine runs here, so the files are checked
// as text and each service's own checker is run where Debian's package is installed (`nginx -t`,
// `tor --verify-config`; skipped with one visible line otherwise, required in CI). nginx is also run
// for real on free ports in front of a recording upstream.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ready } from '../../crypto/index.js';
import { withPasswordFile } from '../../server/config.js';
import { createKeySet } from '../../server/keys.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { describeIfFound, requireBinary } from '../helpers/requires.js';
import { throwawayCert } from '../helpers/test-cert.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const read = (f: string) => readFileSync(path.join(root, f), 'utf8');
const compose = read('compose.yaml');
const nginxConf = read('deploy/nginx.conf');
const proxyConf = read('deploy/nginx-proxy.conf');
const torrc = read('deploy/tor/torrc');
const noComments = (s: string) => s.replace(/#.*$/gm, '');

/** The lines of one top-level service of compose.yaml. */
function service(name: string): string {
  const m = new RegExp(`^  ${name}:[^\\n]*\\n((?:    .*\\n|\\s*\\n)*)`, 'm').exec(compose);
  if (!m) throw new Error(`no service ${name}`);
  return m[0];
}

describe('compose.yaml and the proxy configuration, as text', () => {
  it('takes every secret from a file the operator creates; no password or key in the repository', () => {
    expect(compose).not.toMatch(/change-me/i);
    expect(noComments(compose)).not.toMatch(/POSTGRES_PASSWORD:/);
    expect(service('db')).toMatch(/POSTGRES_PASSWORD_FILE: \/run\/secrets\/db_password/);
    const app = service('app1');
    expect(app).toMatch(/DATABASE_URL: postgresql:\/\/contamos@db:\d+\/contamos\n/); // no password in it
    expect(app).toMatch(/DATABASE_PASSWORD_FILE: \/run\/secrets\/db_password/);
    expect(app).toMatch(/CONTAMOS_KEY_FILE: \/run\/secrets\/server_keys/);
    expect(app).toMatch(/secrets: \[db_password, server_keys\]/);
    for (const s of ['db_password', 'server_keys', 'tls_cert', 'tls_key'])
      expect(compose).toMatch(new RegExp(`^  ${s}: \\{ file: \\./secrets/[\\w.-]+ \\}$`, 'm'));
    expect(read('.gitignore')).toMatch(/^secrets\/$/m);
  });

  it('publishes only the proxy, on 80 and 443; the replicas log no line per request', () => {
    expect([...noComments(compose).matchAll(/ports:/g)]).toHaveLength(1);
    expect(service('proxy')).toMatch(/ports: \["80:80", "443:443"\]/);
    expect(service('app1')).toMatch(/LOG_LEVEL: warn/);
    expect(service('app2')).toMatch(/app2: \*app/);
    expect(compose).toMatch(/backend: \{ internal: true \}/);
  });

  it('publishes an onion service: tor on a volume, pointing at the proxy’s onion listener', () => {
    expect(service('tor')).toMatch(/build: \.\/deploy\/tor/);
    expect(service('tor')).toMatch(/tor_data:\/var\/lib\/tor/);
    expect(torrc).toMatch(/^HiddenServiceDir \/var\/lib\/tor\/contamos$/m);
    expect(torrc).toMatch(/^SocksPort 0$/m);
    const [, addr] = /^HiddenServicePort 80 ([\d.]+):8081$/m.exec(torrc) ?? [];
    expect(service('proxy')).toContain(`ipv4_address: ${addr}`);
    expect(nginxConf).toMatch(/listen 8081;/);
    expect(read('deploy/tor/Dockerfile')).toMatch(/^USER debian-tor$/m);
  });

  it('nginx: TLS with HSTS, HTTP only redirects, no log of any connection, no client address forwarded', () => {
    const conf = noComments(nginxConf);
    expect(conf).toMatch(/access_log off;/);
    // error logs: the master's own failures to stderr; everything about connections to /dev/null
    expect([...conf.matchAll(/error_log ([^;]+);/g)].map((m) => m[1])).toEqual(['stderr emerg', '/dev/null emerg']);
    expect(conf).toMatch(/add_header Strict-Transport-Security "max-age=\d{8,}; includeSubDomains" always;/);
    expect(conf).toMatch(/ssl_certificate \/run\/secrets\/tls_cert;/);
    const plain = /server \{\s*listen 80;[\s\S]*?\n {2}\}/.exec(conf)![0];
    expect(plain).toMatch(/return 301 https:\/\/\$host\$request_uri;/);
    expect(plain).not.toMatch(/proxy_pass/);
    expect(`${conf}\n${proxyConf}`).not.toMatch(/\$remote_addr|\$proxy_add_x_forwarded_for|\$http_x_forwarded_for|\$binary_remote_addr/);
    for (const h of ['X-Forwarded-For', 'X-Real-IP', 'Forwarded', 'User-Agent', 'Referer', 'Cookie']) expect(proxyConf).toContain(`proxy_set_header ${h} "";`);
  });

  it('the image runs in production mode (no demo keys unless asked)', () => {
    expect(read('Dockerfile')).toMatch(/ENV NODE_ENV=production/);
  });
});

describe('production start without keys', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-prod-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start with NODE_ENV=production and no keys, writing no demo keys', async () => {
    const home = path.join(dir, 'empty-home');
    const start = spawnServer({ NODE_ENV: 'production', DATABASE_URL: `file:${path.join(dir, 'a.db')}`, CONTAMOS_HOME: home });
    await expect(start).rejects.toThrow(/server exited \(1\)[\s\S]*no server keys configured/);
    expect(() => readFileSync(path.join(home, 'server-keys.json'))).toThrow(/ENOENT/);
  });

  it('starts with CONTAMOS_KEY_FILE (a compose secret), and with CONTAMOS_DEMO=1', async () => {
    await ready();
    const keys = createKeySet(path.join(dir, 'keys'));
    server = await spawnServer({
      NODE_ENV: 'production',
      DATABASE_URL: `file:${path.join(dir, 'b.db')}`,
      CONTAMOS_HOME: path.join(dir, 'none'),
      CONTAMOS_KEY_FILE: keys.serverFile,
    });
    const wk = (await (await fetch(`${server.url}/.well-known/contamos.json`)).json()) as { steward: { keyId: string } };
    expect(wk.steward.keyId).toBe(JSON.parse(readFileSync(keys.serverFile, 'utf8')).steward.keyId);
    await server.stop();
    server = await spawnServer({
      NODE_ENV: 'production',
      CONTAMOS_DEMO: '1',
      DATABASE_URL: `file:${path.join(dir, 'c.db')}`,
      CONTAMOS_HOME: path.join(dir, 'demo'),
    });
    expect(server.output.join('\n')).toMatch(/DEMO key set/);
  });

  it('reads the database password from DATABASE_PASSWORD_FILE into the URL', () => {
    const f = path.join(dir, 'pw');
    writeFileSync(f, 's3cret/with:odd@chars\n');
    const url = new URL(withPasswordFile('postgresql://contamos@db/contamos', f));
    expect(decodeURIComponent(url.password)).toBe('s3cret/with:odd@chars');
    expect(withPasswordFile('postgresql://contamos@db/x', undefined)).toBe('postgresql://contamos@db/x');
    expect(() => withPasswordFile('file:./x.db', f)).toThrow(/only for a postgresql/);
  });
});

const nginx = requireBinary('nginx', { candidates: ['nginx', '/usr/sbin/nginx'] });
describeIfFound(nginx)('nginx itself (Debian package)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-nginx-'));
  let proc: ChildProcess | undefined;
  let upstream: http.Server | undefined;
  afterAll(async () => {
    proc?.kill('SIGTERM');
    await new Promise<void>((r) => (upstream ? upstream.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const freePort = () =>
    new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });

  /** deploy/nginx.conf for this machine: test certificate, local upstreams, free ports. */
  function localConf(ports: { http: number; https: number; onion: number; up: number; dead: number }): string {
    throwawayCert(dir);
    writeFileSync(path.join(dir, 'proxy.conf'), proxyConf);
    const conf = nginxConf
      .replace('/run/secrets/tls_cert', path.join(dir, 'c.pem'))
      .replace('/run/secrets/tls_key', path.join(dir, 'k.pem'))
      .replace(/\/etc\/nginx\/contamos-proxy\.conf/g, path.join(dir, 'proxy.conf'))
      .replace('server app1:8080;', `server 127.0.0.1:${ports.up};`)
      .replace('server app2:8080;', `server 127.0.0.1:${ports.dead};`)
      .replace('listen 80;', `listen 127.0.0.1:${ports.http};`)
      .replace('listen [::]:80;', '')
      .replace('listen 443 ssl http2;', `listen 127.0.0.1:${ports.https} ssl http2;`)
      .replace('listen [::]:443 ssl http2;', '')
      .replace('listen 8081;', `listen 127.0.0.1:${ports.onion};`)
      .replace('events {', `pid ${path.join(dir, 'nginx.pid')};\nevents {`);
    const file = path.join(dir, 'nginx.conf');
    writeFileSync(file, conf);
    return file;
  }

  it('`nginx -t` accepts deploy/nginx.conf; run for real, it redirects HTTP, sends HSTS once, forwards no identity and logs nothing', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    upstream = http.createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('Strict-Transport-Security', 'max-age=1');
      res.end('ok');
    });
    await new Promise<void>((r) => upstream!.listen(0, '127.0.0.1', () => r()));
    const ports = {
      http: await freePort(),
      https: await freePort(),
      onion: await freePort(),
      up: (upstream.address() as AddressInfo).port,
      dead: await freePort(),
    };
    const file = localConf(ports);
    execFileSync(nginx!, ['-t', '-c', file, '-e', 'stderr'], { stdio: 'pipe' });
    let stderr = '';
    proc = spawn(nginx!, ['-c', file, '-e', 'stderr', '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    proc.stdout!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const markers = {
      'x-forwarded-for': '203.0.113.77',
      'x-real-ip': '203.0.113.78',
      forwarded: 'for=203.0.113.79',
      'user-agent': 'MarkerAgent/1',
      referer: 'https://marker.example/',
      cookie: 'marker=1',
    };
    const get = (mod: typeof http | typeof https, port: number, p = '/x') =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
        const req = mod.get({ host: '127.0.0.1', port, path: p, headers: { host: 'contamos.example', ...markers }, rejectUnauthorized: false }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
        });
        req.on('error', reject);
      });
    for (let i = 0; i < 50; i++) {
      try {
        await get(http, ports.http);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const plain = await get(http, ports.http, '/enviar?a=1');
    expect([plain.status, plain.headers.location]).toEqual([301, 'https://contamos.example/enviar?a=1']);
    const tls = [];
    for (let i = 0; i < 6; i++) tls.push(await get(https, ports.https)); // some go to the dead replica first
    for (const r of tls) {
      expect(r.status).toBe(200);
      expect(r.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    }
    const onion = await get(http, ports.onion);
    expect(onion.status).toBe(200);
    expect(seen.length).toBeGreaterThanOrEqual(7);
    for (const h of seen) {
      for (const name of Object.keys(markers)) expect(h[name] ?? '', name).toBe('');
      expect(JSON.stringify(h)).not.toMatch(/203\.0\.113|Marker|marker|127\.0\.0\.1(?!:)/);
    }
    // the dead replica's connection errors (nginx writes them with "client: …") went nowhere
    await new Promise((r) => setTimeout(r, 200));
    expect(stderr).not.toMatch(/client|127\.0\.0\.1|203\.0\.113/);
  }, 60_000);
});

const tor = requireBinary('tor', { candidates: ['tor', '/usr/sbin/tor', '/usr/bin/tor'] });
describeIfFound(tor)('tor itself (Debian package)', () => {
  it('`tor --verify-config` accepts deploy/tor/torrc', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'contamos-tor-'));
    try {
      writeFileSync(path.join(dir, 'torrc'), torrc.replace(/\/var\/lib\/tor/g, dir));
      const out = execFileSync(tor!, ['--verify-config', '-f', path.join(dir, 'torrc')], { encoding: 'utf8' });
      expect(out).toMatch(/Configuration was valid/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
