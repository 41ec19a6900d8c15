// Helpers for the CLI tests: a real Contamos server started in-process (port 0, temporary SQLite
// database, temporary CONTAMOS_HOME whose demo steward key the tests use), and `cli()` which runs
// the CLI's `main` in-process with captured stdout/stderr.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ready } from '../../crypto/index.js';
import { main } from '../../scripts/cli.js';
import { isYes } from '../../scripts/cli/io.js';
import type { CliIo } from '../../scripts/cli/io.js';
import { loadConfig } from '../../server/config.js';
import { type Running, startServer } from '../../server/main.js';

export interface CliServer {
  running: Running;
  url: string;
  dir: string;
  home: string;
  stewardKeyFile: string;
  close(): Promise<void>;
}

export async function startCliServer(): Promise<CliServer> {
  await ready();
  const dir = mkdtempSync(path.join(tmpdir(), 'contamos-cli-'));
  const home = path.join(dir, 'home');
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `file:${path.join(dir, 'test.db')}`,
    CONTAMOS_HOME: home,
    LOG_LEVEL: 'silent',
    CONTAMOS_MIN_K: '2', // the tests' small data (the server's default minimum is 5)
  });
  const running = await startServer(config);
  return {
    running,
    url: running.url,
    dir,
    home,
    stewardKeyFile: path.join(home, 'steward.key.json'),
    close: async () => {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process; `server` is added as --server unless the argv has one. */
export async function cli(
  argv: string[],
  opts: { server?: string; cwd?: string; env?: Record<string, string>; tty?: boolean; answers?: string[]; asked?: string[] } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: {
      write: (s: string) => {
        stdout += s;
        return true;
      },
      isTTY: false,
    },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
      isTTY: opts.tty ?? false,
    },
    env: { ...(opts.env ?? {}) },
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    // a terminal that answers yes/no questions from `answers`, recording each question in `asked`
    ...(opts.answers
      ? {
          confirm: async (q: string) => {
            opts.asked?.push(q);
            stdout += q;
            return isYes(opts.answers!.shift() ?? '');
          },
        }
      : {}),
  };
  const args = opts.server && !argv.includes('--server') ? [...argv, '--server', opts.server] : argv;
  const code = await main(args, io);
  return { code, stdout, stderr };
}

export { freePort } from './ports.js';
