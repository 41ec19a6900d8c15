// The publisher's side against a server that lies: `contamos release` signs a draft only when it is
// exactly a release manifest of the server's own schema (server/schemas/manifest.ts). A draft with a
// field the format does not have (here a Merkle leaf count, which would publish how many reports
// were counted) or a malformed one is refused with a message, and no signature is ever sent. A
// well-formed draft from the same fake server gets as far as the preview (so the refusals are the
// schema's, not the fake server's).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../server/schemas/manifest.js';
import { sampleManifest } from '../web/fixtures.js';
import { cli } from './helpers.js';

const REQUEST = { series: 'anual', filter: { year: 2023 }, tables: [['year', 'incidentType']], regionGroups: false, method: 'suppression', holdBack: 'none' };

let server: Server;
let url: string;
let dir: string;
let keyFile: string;
let draft: unknown;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && req.url === '/api/v1/releases')
        return answer(201, { draftId: '00000000-0000-4000-8000-000000000000', hash: 'a'.repeat(64), manifest: draft, stats: {} });
      if (req.method === 'GET' && req.url === '/api/v1/releases') return answer(200, { items: [] });
      if (req.method === 'GET' && req.url === '/api/v1/featured') return answer(200, { series: null, chosen: false, release: null });
      answer(404, { error: { code: 'not_found', message: 'not found' } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(path.join(tmpdir(), 'contamos-draft-check-'));
  keyFile = path.join(dir, 'publisher.key.json');
  expect((await cli(['keys', '--role', 'publisher', '--out', keyFile])).code).toBe(0);
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function manifest(change: (m: Record<string, any>) => void = () => undefined): Manifest {
  const m: Record<string, any> = { ...sampleManifest(), request: REQUEST };
  m.tables = [m.tables[0]];
  change(m);
  return m as Manifest;
}

const release = () => cli(['release', '--key', keyFile, '--series', 'anual', '--years', '2023', '--tables', 'year,incidentType'], { server: url });

describe('contamos release checks the draft against the manifest schema', () => {
  it('a well-formed draft reaches the preview (and, without a terminal or --yes, is not signed)', async () => {
    draft = manifest();
    seen.length = 0;
    const r = await release();
    expect(r.stdout).toContain('anual-1');
    expect(r.stderr).toMatch(/Nothing was signed/);
    expect(seen).toContain('GET /api/v1/featured');
    expect(seen.some((s) => s.includes('/signature'))).toBe(false);
  });

  for (const [what, change, reason] of [
    [
      'a Merkle leaf count',
      (m: Record<string, any>) => {
        m.merkle.leafCount = 121;
      },
      /fields the manifest format does not have/,
    ],
    [
      'an extra top-level field',
      (m: Record<string, any>) => {
        m.reports = 121;
      },
      /fields the manifest format does not have/,
    ],
    [
      'a count that is not a number',
      (m: Record<string, any>) => {
        m.tables[0].cells[0].count = 'treinta y seis';
      },
      /tables\.0\.cells\.0\.count/,
    ],
    [
      'no Merkle root',
      (m: Record<string, any>) => {
        delete m.merkle;
      },
      /merkle/,
    ],
  ] as const) {
    it(`a draft with ${what}: refused with a message, nothing signed`, async () => {
      draft = manifest(change);
      seen.length = 0;
      const r = await release();
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/not a release manifest; it was not signed/);
      expect(r.stderr).toMatch(reason);
      expect(seen).toEqual(['POST /api/v1/releases']);
    });
  }
});
