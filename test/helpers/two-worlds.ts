// Two-world helpers of the dedupe-oracle red teams (test/adversarial/redteam-filed*.test.ts): two
// servers identical except whether organisation A reported the victim member B guesses (world `t`:
// A's report carries the guessed tag; world `u`: A reported another victim with the same values),
// and what anyone holding a release sees of it (its cells and data entries), compared.
import { canonicalJson, dedupeTag } from '../../crypto/index.js';
import { enrolMember, startTestApp, type SigningKey, type TestApp, submitReports as submit } from './app.js';

export const K = 5;
/** The coalition's dedupe secret every member holds. */
export const SECRET = Buffer.alloc(32, 7).toString('base64');
export const GUESSED = dedupeTag(SECRET, 'Victima Conocida, Lima, 2023');
export const OTHER = dedupeTag(SECRET, 'Otra Victima, Lima, 2023');
export const KNOWN = { year: 2023, region: 'PE-LMA', incidentType: 'homicide' };
export const REGIONS = { series: 'regiones', filter: { year: 2023 }, tables: [['year', 'region']] };

export type Cell = { key: Record<string, string>; count: number | null; suppressed: boolean };
export type Manifest = {
  tables: Array<{ dimensions: string[]; cells: Cell[] }>;
  data: Array<{ year: number; version: number; since: string | null; heldBack: boolean }>;
};

export interface World {
  app: TestApp;
  /** The tag of A's last Lima report: the victim's (t) or another's (u). */
  tagOfA: string;
  a: SigningKey;
  b: SigningKey;
  b2: SigningKey;
  c: SigningKey;
}

/** Every cell (key, count, hidden) and every data entry of a release: what anyone holding it sees. */
const picture = (m: Manifest) => ({
  data: m.data.map((d) => [d.year, d.version, d.since, d.heldBack]),
  cells: m.tables.flatMap((t) => t.cells.map((c) => [canonicalJson(c.key), c.count, c.suppressed])),
});

export const cellOf = (m: Manifest, key: Record<string, string>): Cell => {
  const c = m.tables.flatMap((t) => t.cells).find((x) => canonicalJson(x.key) === canonicalJson(key));
  if (!c) throw new Error(`no cell ${JSON.stringify(key)}`);
  return c;
};

/** Where two releases' pictures differ ("t" world first, "u" second): empty when they agree. */
export const differences = (mt: Manifest, mu: Manifest): string[] => {
  const [pt, pu] = [picture(mt), picture(mu)];
  const out: string[] = [];
  if (JSON.stringify(pt.data) !== JSON.stringify(pu.data)) out.push(`data ${JSON.stringify(pt.data)} / ${JSON.stringify(pu.data)}`);
  pt.cells.forEach((c, i) => {
    if (JSON.stringify(c) !== JSON.stringify(pu.cells[i])) out.push(`${c[0]}: ${c[2] ? 'hidden' : c[1]} / ${pu.cells[i]![2] ? 'hidden' : pu.cells[i]![1]}`);
  });
  return out;
};

/**
 * Two worlds with the same counts: A files 29 Lima homicides and one more under `GUESSED` (t) or
 * `OTHER` (u) (unless `victimLater`: the test files it); C files 12 in Cusco; `base` adds the rest,
 * the same in both. Members: a, b (the attacker), b2 (a second key of B's organisation), c.
 */
export async function twoWorlds(base: (w: World) => Promise<void>, victimLater = false): Promise<[World, World]> {
  const out: World[] = [];
  for (const tagOfA of [GUESSED, OTHER]) {
    const app = await startTestApp('sqlite', { minK: K });
    const w: World = { app, tagOfA, a: await enrolMember(app), b: await enrolMember(app), b2: await enrolMember(app), c: await enrolMember(app) };
    await submit(app, w.a, 29, KNOWN);
    if (!victimLater) await submit(app, w.a, 1, { ...KNOWN, dedupeTag: tagOfA });
    await submit(app, w.c, 12, { year: 2023, region: 'PE-CUS' });
    await base(w);
    out.push(w);
  }
  return out as [World, World];
}

/** `f` in each world in turn (t, then u). */
export const both = async <T>(ws: readonly World[], f: (w: World) => Promise<T>): Promise<T[]> => {
  const r: T[] = [];
  for (const w of ws) r.push(await f(w));
  return r;
};
