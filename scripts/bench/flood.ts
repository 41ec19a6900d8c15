// A flood for `bench:soak` (issue 16), run as its own process so that its load generator does not
// share an event loop with the measured intake: reads prepared requests (JSON) from the file
// given, sends them round-robin at a fixed offered rate for a duration (open loop) and prints the
// result as one JSON line. Usage: tsx scripts/bench/flood.ts <base url> <requests.json> <rate/s> <seconds>
import { readFileSync } from 'node:fs';
import { openLoop, type PreparedRequest } from './load.js';

const [base, file, rate, seconds] = process.argv.slice(2);
const pool = JSON.parse(readFileSync(file!, 'utf8')) as PreparedRequest[];
let i = 0;
const res = await openLoop(base!, () => pool[i++ % pool.length]!, Number(rate), Number(seconds));
const cpu = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ ...res, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
