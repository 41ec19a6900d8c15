// A small load generator for benchmarks (loopback only, bounded in count and time): closed-loop
// with N concurrent keep-alive connections for a duration, or open-loop at a fixed offered rate.
// Reports completions, throughput and latency percentiles. Requests are prepared beforehand, so
// the generator's own cost (signing, sealing) is not measured as server time.
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';

export interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}
export interface LoadResult {
  completed: number;
  errors: number;
  statuses: Record<number, number>;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

function once(agent: http.Agent, base: URL, r: PreparedRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: base.hostname, port: base.port, method: r.method, path: r.path, headers: r.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

function summarise(lat: number[], statuses: Record<number, number>, errors: number, seconds: number): LoadResult {
  lat.sort((a, b) => a - b);
  const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! : NaN);
  return { completed: lat.length, errors, statuses, seconds, rps: lat.length / seconds, p50: q(0.5), p99: q(0.99) };
}

/** Closed loop: `connections` workers each send the next request as soon as the previous answers. */
export async function closedLoop(baseUrl: string, next: () => PreparedRequest, connections: number, seconds: number): Promise<LoadResult> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const lat: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const s = performance.now();
        try {
          const code = await once(agent, base, next());
          statuses[code] = (statuses[code] ?? 0) + 1;
          lat.push(performance.now() - s);
        } catch {
          errors++;
        }
      }
    }),
  );
  agent.destroy();
  return summarise(lat, statuses, errors, (performance.now() - t0) / 1000);
}

/** Open loop: requests are started at a fixed rate whatever the server does (no coordinated omission). */
export async function openLoop(baseUrl: string, next: () => PreparedRequest, ratePerSecond: number, seconds: number): Promise<LoadResult> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const lat: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  const total = Math.round(ratePerSecond * seconds);
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const r = next();
    const sent = Math.max(due, performance.now());
    inflight.push(
      once(agent, base, r).then(
        (code) => {
          statuses[code] = (statuses[code] ?? 0) + 1;
          lat.push(performance.now() - sent);
        },
        () => {
          errors++;
        },
      ),
    );
  }
  await Promise.all(inflight);
  agent.destroy();
  return summarise(lat, statuses, errors, (performance.now() - t0) / 1000);
}

export function rssMiB(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8') as string;
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
  } catch {
    return NaN;
  }
}

/** CPU seconds of a process split into its main thread (tid = pid) and all its other threads. */
export function cpuByThread(pid: number): { main: number; others: number } {
  let main = 0;
  let others = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
        const s = (Number(f[11]) + Number(f[12])) / 100;
        if (tid === String(pid)) main += s;
        else others += s;
      } catch {
        /* thread ended */
      }
    }
  } catch {
    return { main: NaN, others: NaN };
  }
  return { main, others };
}
