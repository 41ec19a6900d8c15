// Runs a server script as a child process (default: `tsx scripts/start.ts`, the real server, as an
// operator would) and keeps every line it prints, so tests can scan the logs and benchmarks can
// read its memory. Resolves once the server prints the URL it listens on.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export function spawnServer(
  env: Record<string, string>,
  script = path.join(ROOT, 'scripts', 'start.ts'),
  opts: { keepLines?: number } = {},
): Promise<ServerProcess> {
  const keep = opts.keepLines ?? Infinity;
  // CONTAMOS_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server.
  const extra = (process.env.CONTAMOS_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...extra, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let buf = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output.join('\n')}`)), 60_000);
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        output.push(line);
        if (output.length > keep) output.shift();
        const m = /"url":"(http:\/\/[^"]+)".*contamos listening/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve({
            url: m[1]!,
            proc,
            output,
            stop: (signal: NodeJS.Signals = 'SIGTERM') =>
              new Promise<void>((r) => {
                if (proc.exitCode !== null || proc.signalCode !== null) return r();
                proc.once('exit', () => r());
                proc.kill(signal);
              }),
          });
        }
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}):\n${output.join('\n')}`));
    });
  });
}
