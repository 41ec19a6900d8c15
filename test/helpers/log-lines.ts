// What every log line may hold (issue 16): an access line has exactly the fields of
// ACCESS_LOG_FIELDS, with the route as a registered template in its canonical case; no line has a
// time field, a value that looks like a date with minutes or an epoch time, or an `info` level.
// Returns the faults found, so a test shows every bad line at once.
import { ACCESS_LOG_FIELDS } from '../../server/http/logger.js';

const TEMPLATE = /^(\(unmatched\)|\/|(\/(:[A-Za-z]+(\.[a-z]+)?|[a-z0-9._-]+))+)$/;
const DATE_WITH_MINUTES = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const TIME_KEYS = /^(time|timestamp|ts|date|at|when|t)$/i;

function walk(value: unknown, path: string, faults: string[]): void {
  if (typeof value === 'string' && DATE_WITH_MINUTES.test(value)) faults.push(`${path} looks like a time: ${value}`);
  if (typeof value === 'number' && Math.abs(value) >= 1e9) faults.push(`${path} looks like an epoch time: ${value}`);
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (TIME_KEYS.test(k)) faults.push(`${path}.${k} is a time field`);
      walk(v, `${path}.${k}`, faults);
    }
  }
}

export function logLineFaults(lines: string[]): string[] {
  const faults: string[] = [];
  for (const raw of lines.flatMap((l) => l.split('\n')).filter((l) => l.trim() !== '')) {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      faults.push(`not JSON: ${raw.slice(0, 200)}`);
      continue;
    }
    walk(line, 'line', faults);
    if ('level' in line && !['notice', 'warn', 'error', 'fatal'].includes(String(line.level))) faults.push(`level noise: ${raw}`);
    if (line.msg === 'request') {
      const keys = Object.keys(line).sort();
      if (keys.join() !== [...ACCESS_LOG_FIELDS].sort().join()) faults.push(`access line with fields ${keys.join()}: ${raw}`);
      if (typeof line.route !== 'string' || !TEMPLATE.test(line.route)) faults.push(`route not a canonical template: ${raw}`);
      if (!Number.isInteger(line.ms) || !Number.isInteger(line.status) || !/^[A-Z]+$/.test(String(line.method))) faults.push(`bad values: ${raw}`);
    }
  }
  return faults;
}
