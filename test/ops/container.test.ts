// No Docker engine runs here, so the image cannot be built in tests; what can be checked is that
// the Dockerfile keeps its promises on paper (multi-stage, non-root, no dev dependencies,
// healthcheck, volumes) and that the exact command the image runs starts a working server on a
// clean data folder, applying migrations and answering the health check.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer, type ServerProcess } from '../helpers/process.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

describe('container image', () => {
  let server: ServerProcess | undefined;
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-image-'));
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is multi-stage, runs as a non-root user, omits dev dependencies and has a healthcheck', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
    expect(dockerfile).toMatch(/^VOLUME \["\/data", "\/keys"\]$/m);
    // every COPY source exists in the repository (a missing one fails the build)
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const src of m[1]!.split(/\s+/)) expect(() => readFileSync(path.join(root, src)), src).not.toThrow(/ENOENT/);
    }
  });

  it('the image command starts a server on an empty data folder and answers the health check', async () => {
    const cmd = /^CMD \[(.+)\]$/m
      .exec(dockerfile)![1]!
      .split(',')
      .map((s) => JSON.parse(s.trim()) as string);
    expect(cmd.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
    server = await spawnServer(
      { DATABASE_URL: `file:${path.join(dir, 'data', 'contamos.db')}`, CONTAMOS_HOME: path.join(dir, 'keys') },
      path.join(root, cmd[3]!),
    );
    const res = await fetch(`${server.url}/api/v1/health`);
    expect(res.status).toBe(200);
    expect(server.output.join('\n')).toMatch(/migrations applied/);
  });
});
