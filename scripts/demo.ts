// `npm run demo`: a newcomer sees the whole flow in a minute. Starts the server on a fresh SQLite
// database (./data/demo.db, keys in ./.contamos-demo), enrols three pseudonymous organisations,
// submits a synthetic year-by-year dataset shaped like the counts organisations have published
// (35 murdered and 36 missing in 2022; 36 murdered and 39 missing in 2023; at least 39 murdered or
// disappeared in 2024; most in Lima; Venezuelan, Peruvian, Colombian and Ecuadorian victims; trans
// women among them; extortion, threats and abuse by police and serenazgo), with many incidents
// known to two or three organisations (the same dedupe tag), then cuts signed releases — and keeps
// serving so the statistics page can be opened. ALL DATA IS SYNTHETIC.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  canonicalJson,
  dedupeTag,
  generateDedupeSecret,
  generateSigningKeyPair,
  parseKeyFile,
  ready,
  sealNarrative,
  signDetached,
  signRequest,
} from '../crypto/index.js';
import { loadConfig } from '../server/config.js';
import { startServer } from '../server/main.js';
import { readFileSync } from 'node:fs';
import { printWelcome } from './lib/welcome.js';

const DB = process.env.DEMO_DATABASE ?? './data/demo.db';
const HOME = process.env.DEMO_HOME ?? './.contamos-demo';
rmSync(DB, { force: true });
rmSync(`${DB}-wal`, { force: true });
rmSync(`${DB}-shm`, { force: true });

await ready();
const running = await startServer(
  loadConfig({
    ...process.env,
    DATABASE_URL: `file:${DB}`,
    CONTAMOS_HOME: HOME,
    CONTAMOS_DEMO: '1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    RATE_LIMIT_PER_MINUTE: '100000',
  }),
);
const base = running.url;
type Key = { keyId: string; secretKey: string };

// biome-ignore lint/suspicious/noExplicitAny: the demo reads the API's JSON answers loosely
async function call(method: string, url: string, key: Key | null, body?: unknown): Promise<any> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string> = key ? { ...(await signRequest({ method, url, body: text }, key)) } : {};
  if (text) headers['content-type'] = 'application/json';
  const res = await fetch(base + url, { method, headers, body: text || undefined });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// deterministic pseudo-random numbers, so every demo shows the same picture
let seed = 2022;
const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
function pick<T>(weighted: Array<[T, number]>): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let x = rnd() * total;
  for (const [v, w] of weighted) if ((x -= w) < 0) return v;
  return weighted[weighted.length - 1]![0];
}

const steward = parseKeyFile(readFileSync(path.join(HOME, 'steward.key.json'), 'utf8'));
const publisherFile = parseKeyFile(readFileSync(path.join(HOME, 'publisher.key.json'), 'utf8'));
const stewardKey = { keyId: steward.keyId!, secretKey: steward.signing!.secretKey! };
const publisher = { keyId: publisherFile.keyId!, secretKey: publisherFile.signing!.secretKey! };
const seal = steward.seal!.publicKey;
const coalitionSecret = generateDedupeSecret();

const orgs: Key[] = [];
for (let i = 0; i < 3; i++) {
  const { invite } = await call('POST', '/api/v1/invites', stewardKey, {});
  const kp = generateSigningKeyPair();
  const { keyId } = await call('POST', '/api/v1/enrol', null, { invite, publicKey: kp.publicKey });
  orgs.push({ keyId, secretKey: kp.secretKey });
}

const REGION: Array<[string, number]> = [
  ['PE-LMA', 58],
  ['PE-CAL', 9],
  ['PE-LIM', 3],
  ['PE-MDD', 7],
  ['PE-ARE', 6],
  ['PE-CUS', 4],
  ['PE-PUN', 4],
  ['PE-LOR', 4],
  ['PE-CAJ', 2],
  ['PE-LAL', 2],
  ['unknown', 1],
];
const NATIONALITY: Array<[string, number]> = [
  ['VE', 50],
  ['PE', 30],
  ['CO', 12],
  ['EC', 5],
  ['unknown', 3],
];
const GENDER: Array<[string, number]> = [
  ['cis-woman', 68],
  ['trans-woman', 27],
  ['non-binary', 2],
  ['unknown', 3],
];
const AGE: Array<[string, number]> = [
  ['18-24', 30],
  ['25-34', 40],
  ['35-44', 15],
  ['45-plus', 5],
  ['under-18', 3],
  ['unknown', 7],
];
const PERP: Array<[string, number]> = [
  ['criminal-organisation', 55],
  ['client', 12],
  ['partner-acquaintance', 8],
  ['police', 6],
  ['municipal-security', 3],
  ['unknown', 16],
];

/** Incident counts per year and type: the published figures for homicides and disappearances. */
const PLAN: Record<number, Record<string, number>> = {
  2022: { homicide: 35, disappearance: 36, extortion: 48, threat: 30, 'state-abuse': 14, 'physical-assault': 20, kidnapping: 6 },
  2023: { homicide: 36, disappearance: 39, extortion: 61, threat: 35, 'state-abuse': 17, 'physical-assault': 24, kidnapping: 8, trafficking: 6 },
  2024: { homicide: 22, disappearance: 17, extortion: 44, threat: 26, 'state-abuse': 12, 'physical-assault': 15 },
};

let reports = 0;
let incidents = 0;
for (const [year, types] of Object.entries(PLAN)) {
  for (const [incidentType, n] of Object.entries(types)) {
    for (let i = 0; i < n; i++) {
      incidents++;
      const perp =
        incidentType === 'state-abuse'
          ? pick<string>([
              ['police', 70],
              ['municipal-security', 30],
            ])
          : incidentType === 'extortion'
            ? 'criminal-organisation'
            : pick(PERP);
      const fields = {
        year: Number(year),
        quarter: 1 + Math.floor(rnd() * 4),
        region: pick(REGION),
        incidentType,
        victimGender: pick(GENDER),
        victimNationality: pick(NATIONALITY),
        victimAgeBand: pick(AGE),
        perpetratorType: perp,
        ...(incidentType === 'disappearance'
          ? {
              outcome: pick<string>([
                ['still-missing', 70],
                ['found-dead', 15],
                ['found-alive', 10],
                ['unknown', 5],
              ]),
            }
          : {}),
      };
      const tag = dedupeTag(coalitionSecret, `demo ${year} ${incidentType} ${i}`);
      const r = rnd();
      const first = Math.floor(rnd() * 3);
      const reporters = r < 0.1 ? [0, 1, 2] : r < 0.35 ? [first, (first + 1) % 3] : [first];
      for (const o of reporters) {
        const narrative = `[DEMO — datos sintéticos] Caso ${i + 1} de ${incidentType} en ${fields.region}, ${year}. Fuentes: compañeras de la organización ${o + 1}.`;
        await call('PUT', `/api/v1/reports/${randomUUID()}`, orgs[o]!, { ...fields, sealedNarrative: sealNarrative(narrative, seal), dedupeTag: tag });
        reports++;
      }
    }
  }
}

async function release(request: Record<string, unknown>): Promise<string> {
  const draft = await call('POST', '/api/v1/releases', publisher, request);
  const signed = await call('POST', `/api/v1/releases/drafts/${draft.draftId}/signature`, publisher, {
    signature: signDetached(canonicalJson(draft.manifest), publisher.secretKey),
  });
  return signed.manifest.id as string;
}
const ids: string[] = [];
for (const year of [2022, 2023, 2024]) {
  ids.push(
    await release({
      series: `peru-${year}`,
      filter: { year },
      k: 5,
      tables: [
        ['year', 'incidentType'],
        ['year', 'region'],
        ['year', 'victimGender'],
        ['year', 'victimNationality'],
      ],
    }),
  );
}
ids.push(
  await release({
    series: 'peru-2022-2024',
    filter: { years: [2022, 2023, 2024] },
    k: 5,
    tables: [
      ['year', 'incidentType'],
      ['year', 'victimGender', 'incidentType'],
    ],
  }),
);
// the publisher features the series over three years on the home page (its trend charts)
await call('PUT', '/api/v1/featured', publisher, { series: 'peru-2022-2024' });

const tryIt = (await call('POST', '/api/v1/invites', stewardKey, {})).invite as string;
printWelcome({ url: base, home: HOME, demo: { incidents, reports, organisations: orgs.length, releases: ids, invite: tryIt } });

for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    running.close().then(() => process.exit(0));
  });
if (process.env.DEMO_EXIT === '1') await running.close();
