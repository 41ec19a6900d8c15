// Releases: the only way counts leave the server.
// Flow: the publisher asks for a release (signed request). Everything that can refuse it without
// counting is checked first (role, replayed nonce, a DP dry run, the method of the series, k
// against the server's minimum and the series' fixed k, the DP budget); whether an earlier, smaller-k
// figure could show below this k (`k_conflicts_with_log`) is decided from the log and the chosen
// data versions before any linear program runs. Then the server counts the data of each year
// at its data version, protects the new publication against the WHOLE publication log
// (disclosure/global: every release of every series, every draft shown, DP invariants), builds
// the manifest (docs/release-format.md, version 2) and, in one transaction that also consumes the
// nonce, appends it to the log as a draft, records any new data version and spends DP budget →
// the publisher signs the canonical manifest on their own machine → the server verifies the
// signature and stores the release, immutably. A dry run stops before the log: it returns which
// cells would be hidden and nothing else, and consumes its nonce (a replayed dry run is refused).
// The nonce is checked before anything is computed and consumed in the transaction that stores the
// result, so a refused request writes nothing.
// Guarantees: a release is stored only with a valid publisher signature over exactly a logged
// manifest; every manifest the server returns with counts is in the log first (drafts count as
// seen); log indices have no gap and no fork (the append checks the last index in the
// transaction); series sequences have no gap and no fork among signed releases; k never below the
// operator's minimum and never changes within a series; the result is deterministic for the same
// data, log and request.
import { randomBytes, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { MERKLE_SCHEME, canonicalJson, fromHex, hashCanonical, merkleRoot, toHex, verifyDetached } from '../../crypto/index.js';
import { protectInLog, type GlobalProtected } from '../disclosure/global/protect.js';
import type { Since, View } from '../disclosure/global/model.js';
import { UnprotectableError } from '../disclosure/index.js';
import { dpRelease } from '../dp/index.js';
import type { VersionRow } from '../db/store.js';
import { countedNow } from './counted-now.js';
import { chargeDpBudget, checkDpBudget, dpBoundsOf } from './dp-ledger.js';
import { AppError } from '../errors.js';
import type { ReleaseRequest } from '../schemas/release.js';
import { dpInfo, releaseManifest, type DataEntry, type Manifest, type ManifestCell, type ReleaseEnvelope } from '../schemas/manifest.js';
import { TAXONOMY_VERSION, codesOf, dimensions, quarters, regionGroups } from '../taxonomy/taxonomy.js';
import { digestOf, filedOf, packIds, reportsOf, sinceOf, unpackIds, versionIncidents, type ReportFacts, type YearState } from './incidents.js';
import { addedOf, recordsOf, viewOf } from './release-views.js';
import { type Comparison, isHeadline, yearsToHold } from './hold-back.js';
import { DEFAULT_HOLDINGS_COALITION } from '../disclosure/global/coalitions.js';
import { nonceRow } from '../db/nonces.js';
import { isUniqueViolation } from '../db/errors.js';
import { commitPoint, workPoint } from '../test-hooks.js';
import { buildGlobalModel, type GlobalInput } from '../disclosure/global/model.js';
import type { Auth, ServiceContext } from './context.js';

export type ReleaseDimension =
  | 'year'
  | 'quarter'
  | 'region'
  | 'incidentType'
  | 'victimGender'
  | 'victimNationality'
  | 'victimAgeBand'
  | 'perpetratorType'
  | 'outcome';

export type { DataEntry, DpInfo, Manifest, ManifestCell } from '../schemas/manifest.js';
/** A signed release as served: the envelope of schemas/manifest.ts. */
export type Envelope = ReleaseEnvelope;

const DRAFT_TTL_S = 3600;
const DEFAULT_MIN_K = 5;

/** Organisations per coalition of the holdings rule (the operator's setting, else the default). */
const coalitionOf = (ctx: ServiceContext): number => ctx.policy?.holdingsCoalition ?? DEFAULT_HOLDINGS_COALITION;

export function minKOf(ctx: ServiceContext): number {
  return ctx.policy?.minK ?? DEFAULT_MIN_K;
}

export function domainOf(dim: ReleaseDimension, years: number[]): string[] {
  switch (dim) {
    case 'year':
      return years.map(String);
    case 'quarter':
      return [...codesOf(quarters), 'unknown'];
    case 'outcome':
      return [...codesOf(dimensions.outcome), 'not-applicable'];
    default:
      return [...codesOf(dimensions[dim])];
  }
}

function yearsOf(req: ReleaseRequest): number[] {
  return [...new Set('year' in req.filter ? [req.filter.year] : req.filter.years)].sort((a, b) => a - b);
}

interface LogEntry {
  logIndex: number;
  hash: string;
  manifest: Manifest;
}

const dpAmountOf = (req: ReleaseRequest) => (req.method !== 'dp' ? undefined : req.rho !== undefined ? { rho: req.rho } : { epsilon: req.epsilon! });

async function loadLog(ctx: ServiceContext): Promise<LogEntry[]> {
  return (await ctx.db.log.read()).map((r) => ({ logIndex: r.logIndex, hash: r.hash, manifest: JSON.parse(r.manifest) as Manifest }));
}

/** What a series has fixed by its first publication (a draft shown counts): method, k and p. */
function seriesTerms(log: readonly LogEntry[], series: string): { method: string; k?: number; protection?: number } | null {
  const first = log.find((e) => e.manifest.series === series);
  if (!first) return null;
  const m = first.manifest;
  return { method: m.method, k: m.k, protection: m.protection };
}

/** Checks everything that can refuse a request without counting; returns k and p. */
async function refuseEarly(
  ctx: ServiceContext,
  auth: Auth,
  req: ReleaseRequest,
  dryRun: boolean,
  log: readonly LogEntry[],
): Promise<{ k: number; protection: number }> {
  if (!ctx.keys.publishers.some((p) => p.keyId === auth.keyId)) throw new AppError('forbidden_role');
  if (await ctx.db.nonces.seen(nonceRow(auth).hash)) throw new AppError('replayed_nonce');
  if (req.method === 'dp' && dryRun)
    throw new AppError('invalid_body', 'A dry run is for suppression releases. / Una prueba es para publicaciones con supresión.');
  const terms = seriesTerms(log, req.series);
  if (terms && terms.method !== req.method) throw new AppError('series_method_mismatch');
  const minK = minKOf(ctx);
  if (req.method !== 'suppression') {
    await checkDpBudget(ctx.db, dpBoundsOf(ctx), dpAmountOf(req)!); // refused before anything is computed
    return { k: minK, protection: minK };
  }
  const asked = req.k;
  if (terms?.k !== undefined) {
    if (asked !== undefined && asked !== terms.k)
      throw new AppError(
        'series_k_fixed',
        `The series "${req.series}" is published with k = ${terms.k}, fixed by its first release. / La serie "${req.series}" se publica con k = ${terms.k}, fijado por su primera publicación.`,
      );
    return { k: terms.k, protection: terms.protection ?? terms.k };
  }
  const k = asked ?? minK;
  if (k < minK) throw new AppError('k_below_minimum', `This server publishes with k ≥ ${minK}. / Este servidor publica con k ≥ ${minK}.`);
  if (dryRun && k !== minK)
    throw new AppError(
      'k_below_minimum',
      `A dry run of a new series uses the server's k = ${minK}. / Una prueba de una serie nueva usa el k del servidor (${minK}).`,
    );
  return { k, protection: k };
}

interface DataState {
  facts: Map<string, ReportFacts>;
  versions: VersionRow[];
  current: Map<number, YearState>;
  /** Counted state of a recorded version (memoised). */
  at(year: number, version: number): YearState;
}

async function loadData(ctx: ServiceContext): Promise<DataState> {
  workPoint('count');
  const { facts, versions, current } = await countedNow(ctx);
  const memo = new Map<string, YearState>();
  const at = (year: number, version: number): YearState => {
    const key = `${year}@${version}`;
    let inc = memo.get(key);
    if (!inc) {
      const row = versions.find((v) => v.year === year && v.version === version);
      if (!row) throw new Error(`no data version ${key}`);
      inc = versionIncidents(facts, unpackIds(row.reports), unpackIds(row.representatives));
      memo.set(key, inc);
    }
    return inc;
  };
  return { facts, versions, current, at };
}

interface Chosen {
  year: number;
  version: number;
  since: Since | null;
  heldBack: boolean;
  fresh?: VersionRow;
  state: YearState;
}

/** The version of each year a publication counts: the latest recorded one if the data is unchanged, a new one otherwise (or the held one). */
function chooseVersions(data: DataState, years: number[], hold: ReadonlyMap<number, number>): Chosen[] {
  return years.map((year) => {
    const recorded = data.versions.filter((v) => v.year === year);
    const last = recorded[recorded.length - 1];
    const held = hold.get(year);
    if (held !== undefined)
      return { year, version: held, since: held > 1 ? (recorded[held - 1]!.since as Since) : null, heldBack: true, state: data.at(year, held) };
    const now = data.current.get(year) ?? { incidents: [], extra: [] };
    const digest = digestOf(now);
    if (last && last.digest === digest)
      return { year, version: last.version, since: (last.since as Since | null) ?? null, heldBack: false, state: data.at(year, last.version) };
    const version = (last?.version ?? 0) + 1;
    const since: Since | null = last ? sinceOf(data.at(year, last.version), now) : null;
    const fresh: VersionRow = {
      year,
      version,
      since,
      digest,
      reports: packIds(reportsOf(now)),
      representatives: packIds(now.incidents.map((i) => i.representative)),
    };
    return { year, version, since, heldBack: false, fresh, state: now };
  });
}

function newView(req: ReleaseRequest, chosen: Chosen[], k: number, protection: number, index: number): View {
  const years = chosen.map((c) => c.year);
  const dims = [...new Set(req.tables.flat())].filter((d) => d !== 'year') as ReleaseDimension[];
  return {
    index,
    series: req.series,
    tables: req.tables,
    years,
    versions: Object.fromEntries(chosen.map((c) => [String(c.year), c.version])),
    domains: Object.fromEntries(dims.map((d) => [d, domainOf(d, years)])),
    hierarchies: hierarchiesOf(req),
    k,
    protection,
  };
}

function hierarchiesOf(req: ReleaseRequest): Record<string, Record<string, string[]>> {
  if (!req.regionGroups || !req.tables.flat().includes('region')) return {};
  return { region: Object.fromEntries(regionGroups.filter((g) => g.code !== 'unknown').map((g) => [g.code, g.members])) };
}

/**
 * Whether an earlier entry published an exact count in 1..k−1: only then can this publication's k
 * make a figure the log fixes show below it (read from the log alone, before counting).
 */
function smallPublishedFigures(log: readonly LogEntry[], k: number): boolean {
  return log.some((e) => viewOf(e.manifest).cells!.some((c) => c.count !== null && c.count >= 1 && c.count < k));
}

/**
 * Refuses (`k_conflicts_with_log`) a publication whose own tables hold a quantity an earlier entry
 * published with a count in 1..k−1: the engine keeps every published quantity published, so the
 * figure would show below this k. Decided on the model alone (no linear program).
 */
function refuseKConflicts(input: GlobalInput, k: number): void {
  const model = buildGlobalModel(input);
  model.lt.cells.forEach((cell, i) => {
    if (model.published[model.ltToGlobal[i]!] && cell.value >= 1 && cell.value < k) throw new AppError('k_conflicts_with_log');
  });
}

async function protect(
  ctx: ServiceContext,
  data: DataState,
  log: LogEntry[],
  req: ReleaseRequest,
  chosen: Chosen[],
  k: number,
  protection: number,
  checkConflicts = false,
): Promise<GlobalProtected> {
  const stateOf = (year: number, version: number): YearState => chosen.find((c) => c.year === year && c.version === version)?.state ?? data.at(year, version);
  const versionsOf = (year: number): number[] =>
    [...new Set([...data.versions.filter((v) => v.year === year).map((v) => v.version), ...chosen.filter((c) => c.year === year).map((c) => c.version)])].sort(
      (a, b) => a - b,
    );
  const since = (year: number, version: number): Since => {
    const c = chosen.find((x) => x.year === year && x.version === version);
    if (c?.fresh) return c.fresh.since as Since;
    return data.versions.find((v) => v.year === year && v.version === version)!.since as Since;
  };
  const views = [...log.map((e) => viewOf(e.manifest)), newView(req, chosen, k, protection, log.length + 1)];
  const input: GlobalInput = {
    views,
    since,
    records: (y, v) => recordsOf(stateOf(y, v).incidents),
    added: (y, v) => {
      const vs = versionsOf(y);
      return recordsOf(addedOf(stateOf(y, vs[vs.indexOf(v) - 1]!).incidents, stateOf(y, v).incidents));
    },
    filed: (y, v) => recordsOf(filedOf(stateOf(y, v), data.facts)),
    minK: minKOf(ctx),
    minProtection: minKOf(ctx),
    coalition: coalitionOf(ctx),
  };
  if (checkConflicts) refuseKConflicts(input, k);
  try {
    workPoint('lp');
    return await protectInLog(input);
  } catch (e) {
    if (e instanceof UnprotectableError) throw new AppError('release_unprotectable');
    throw e;
  }
}

/**
 * Years to hold back (hold-back.ts), and at which version: decided from the headlines' changes,
 * not the pattern. The headlines are those the new publication would show (every year's total,
 * and per incident type where a table has both), each compared with every version of its year at
 * which any publication of the log showed it exactly, so the decision is the same for every series;
 * the total over the release's years, with the series' previous release. A year held publishes the
 * version the series' previous release used, or (a series new to that year) the latest version of
 * the year any suppression publication used.
 */
function heldYears(
  ctx: ServiceContext,
  data: DataState,
  log: readonly LogEntry[],
  req: ReleaseRequest,
  prev: Manifest | undefined,
  chosen: Chosen[],
  k: number,
  protection: number,
): Map<number, number> {
  // each state's reports once, however many headlines compare with it
  const memo = new Map<YearState, ReportFacts[]>();
  const reportsAt = (state: YearState): ReportFacts[] => {
    let r = memo.get(state);
    if (!r) memo.set(state, (r = reportsOf(state).map((id) => data.facts.get(id)!)));
    return r;
  };
  /**
   * (year, incident type) of a headline key; year "*" for the total over the release's years, which
   * over a single year is that year's figure (the same quantity, whichever table shows it).
   */
  const headlineOf = (key: Record<string, string>, m: { data: ReadonlyArray<{ year: number }> }) => ({
    year: key.year !== undefined && key.year !== '*' ? key.year : m.data.length === 1 ? String(m.data[0]!.year) : '*',
    type: key.incidentType ?? '*',
  });
  // What each entry showed exactly: a suppression entry its published cells; a DP entry only its
  // grand total, when kept exact (keepTotal), every other count being noisy.
  // (once per entry, however many headlines look at it)
  const exact = new Map(
    log.map((e) => {
      const m = e.manifest;
      const cells = m.tables.flatMap((tb) => tb.cells);
      return [
        m,
        m.method === 'dp' ? (m.dp?.keepTotal ? cells.filter((x) => Object.values(x.key).every((v) => v === '*')) : []) : cells.filter((x) => x.count !== null),
      ];
    }),
  );
  const exactCells = (m: Manifest) => exact.get(m)!;
  const comparisons: Comparison[] = [];
  const years = chosen.map((c) => c.year);
  // Every year's figures, whether or not a table has the year: a table without it still holds
  // each year's total as a quantity of the attacker's system (its sum over the years), which the
  // protection would hide for a small change.
  const types = new Set<string>(['*']);
  if (req.tables.some((dims) => dims.includes('incidentType'))) for (const t of domainOf('incidentType', years)) types.add(t);
  const known = knownYearFigures(log, exactCells, headlineOf);
  for (const c of chosen)
    for (const type of types) {
      // a year's figure: against every version of that year at which the log gives it exactly
      // (shown, or a shown sum over several years minus the other years' figures), in the band of
      // the strictest publication involved
      const at = known.get(`${c.year}|${type}`);
      if (!at) continue;
      const limit = Math.max(...at.values());
      for (const v of at.keys())
        if (v !== c.version)
          comparisons.push({
            key: { incidentType: type },
            years: [{ year: c.year, before: reportsAt(data.at(c.year, v)), after: reportsAt(c.state) }],
            limit,
          });
    }
  // the total over the release's years (per incident type too): against the series' previous release
  for (const t of prev?.tables ?? [])
    for (const cell of t.cells) {
      if (cell.count === null || !isHeadline(cell.key) || headlineOf(cell.key, prev!).year !== '*') continue;
      const ys = chosen.flatMap((c) => {
        const was = prev!.data.find((d) => d.year === c.year);
        return was && was.version !== c.version ? [{ year: c.year, before: reportsAt(data.at(c.year, was.version)), after: reportsAt(c.state) }] : [];
      });
      if (ys.length > 0) comparisons.push({ key: { incidentType: headlineOf(cell.key, prev!).type }, years: ys });
    }
  // ... and against every publication, of any series, that showed the sum over exactly these years
  const sameYears = (m: Manifest) => m.data.length === years.length && m.data.every((d) => years.includes(d.year));
  for (const e of years.length > 1 ? log : []) {
    if (!sameYears(e.manifest)) continue;
    for (const x of exactCells(e.manifest)) {
      if (!isHeadline(x.key) || headlineOf(x.key, e.manifest).year !== '*') continue;
      const ys = chosen.flatMap((c) => {
        const was = e.manifest.data.find((d) => d.year === c.year)!.version;
        return was !== c.version ? [{ year: c.year, before: reportsAt(data.at(c.year, was)), after: reportsAt(c.state) }] : [];
      });
      const limit = (e.manifest.k ?? 0) + (e.manifest.protection ?? 0);
      if (ys.length > 0) comparisons.push({ key: { incidentType: headlineOf(x.key, e.manifest).type }, years: ys, limit });
    }
  }
  const held = new Map<number, number>();
  for (const y of yearsToHold(comparisons, k + protection, coalitionOf(ctx))) {
    const version =
      prev?.data.find((d) => d.year === y)?.version ??
      Math.max(...log.flatMap((e) => (exactCells(e.manifest).length > 0 ? e.manifest.data.filter((d) => d.year === y).map((d) => d.version) : [])));
    // a year whose data is already at that version is not held back: nothing new would show
    if (version !== chosen.find((c) => c.year === y)!.version) held.set(y, version);
  }
  return held;
}

/**
 * The headline figures (a year's total, per incident type too) the log gives exactly: by
 * "year|type", each version at which it does, with the band (k + p) of the strictest publication
 * involved. Given when a publication showed it, or when a publication showed a sum over several
 * years (the total of a year-less table) and the log gives every other year's figure at the
 * versions of that sum (the sum minus them), repeated until nothing new follows.
 */
function knownYearFigures(
  log: readonly LogEntry[],
  exactCells: (m: Manifest) => ReadonlyArray<{ key: Record<string, string> }>,
  headlineOf: (key: Record<string, string>, m: Manifest) => { year: string; type: string },
): Map<string, Map<number, number>> {
  const known = new Map<string, Map<number, number>>();
  const note = (year: number, type: string, version: number, limit: number): boolean => {
    const id = `${year}|${type}`;
    let at = known.get(id);
    if (!at) known.set(id, (at = new Map()));
    const had = at.get(version);
    if (had !== undefined && had >= limit) return false;
    at.set(version, Math.max(had ?? 0, limit));
    return had === undefined;
  };
  const sums: Array<{ vector: ReadonlyArray<{ year: number; version: number }>; type: string; limit: number }> = [];
  for (const e of log) {
    const m = e.manifest;
    const limit = (m.k ?? 0) + (m.protection ?? 0);
    for (const x of exactCells(m)) {
      const h = headlineOf(x.key, m);
      if (!isHeadline({ ...x.key, year: h.year })) continue;
      if (h.year !== '*') note(Number(h.year), h.type, m.data.find((d) => d.year === Number(h.year))!.version, limit);
      else sums.push({ vector: m.data, type: h.type, limit });
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const sum of sums) {
      const unknown = sum.vector.filter((d) => known.get(`${d.year}|${sum.type}`)?.get(d.version) === undefined);
      if (unknown.length !== 1) continue;
      const limits = sum.vector.map((d) => known.get(`${d.year}|${sum.type}`)?.get(d.version) ?? 0);
      if (note(unknown[0]!.year, sum.type, unknown[0]!.version, Math.max(sum.limit, ...limits))) changed = true;
    }
  }
  return known;
}

export interface DraftResult {
  draftId: string;
  hash: string;
  manifest: Manifest;
  stats: unknown;
}
export interface DryRunResult {
  dryRun: true;
  series: string;
  k: number;
  tables: Array<{ dimensions: string[]; cells: number; hidden: number; hiddenCells: Array<Record<string, string>> }>;
  data: DataEntry[];
}

/** Computes a release and appends it to the log as a draft for the publisher to sign. */
export async function draftRelease(ctx: ServiceContext, auth: Auth, req: ReleaseRequest): Promise<DraftResult> {
  return (await compute(ctx, auth, req, false)) as DraftResult;
}

/** Which cells a release would hide, and nothing else: no counts, no log entry, no budget. */
export async function dryRunRelease(ctx: ServiceContext, auth: Auth, req: ReleaseRequest): Promise<DryRunResult> {
  return (await compute(ctx, auth, req, true)) as DryRunResult;
}

/**
 * Nonces of the release requests this process is computing, per Store: the same signed request
 * again while its original is still being computed is refused `replayed_nonce` before anything
 * is counted (the nonce is consumed only once the result is stored, so the read in refuseEarly
 * does not see a replay that races its original). Across replicas that read and the consuming
 * transaction still decide: one answer, the others refused, each computed once per replica.
 */
const computing = new WeakMap<object, Set<string>>();

async function compute(ctx: ServiceContext, auth: Auth, req: ReleaseRequest, dryRun: boolean): Promise<DraftResult | DryRunResult> {
  const hash = nonceRow(auth).hash;
  let inFlight = computing.get(ctx.db);
  if (!inFlight) computing.set(ctx.db, (inFlight = new Set()));
  if (inFlight.has(hash)) throw new AppError('replayed_nonce');
  inFlight.add(hash);
  try {
    return await computeOnce(ctx, auth, req, dryRun);
  } finally {
    inFlight.delete(hash);
  }
}

async function computeOnce(ctx: ServiceContext, auth: Auth, req: ReleaseRequest, dryRun: boolean): Promise<DraftResult | DryRunResult> {
  const log = await loadLog(ctx); // read once: the series' terms, then the model (a race is release_stale)
  const { k, protection } = await refuseEarly(ctx, auth, req, dryRun, log);
  const conflictsPossible = req.method === 'suppression' && smallPublishedFigures(log, k);
  const years = yearsOf(req);
  // A dry run leaves no trace and can be repeated, so it never looks at reports no publication has
  // used: each year at the latest version any log entry used (the patterns of newer data would say,
  // poll after poll, when a change or a first count is small, or whether a report joined an
  // incident). A year no publication has used is refused: a draft (logged) shows it.
  const publishedVersions = new Map<number, number>();
  for (const e of dryRun ? log : [])
    for (const d of e.manifest.data) if (years.includes(d.year)) publishedVersions.set(d.year, Math.max(publishedVersions.get(d.year) ?? 0, d.version));
  if (dryRun && years.some((y) => !publishedVersions.has(y))) throw new AppError('dry_run_unpublished_year');
  const data = await loadData(ctx);
  const previous = [...log].reverse().find((e) => e.manifest.series === req.series && e.manifest.method === req.method)?.manifest;
  // No refusal on how many incidents are counted: that answer would tell a small number without
  // a log entry. A small year is protected like any other (its small cells hidden).
  let chosen = dryRun ? chooseVersions(data, years, publishedVersions).map((c) => ({ ...c, heldBack: false })) : chooseVersions(data, years, new Map());

  // Hold-back: asked for ("auto"), and always for a DP release with an exact total — the total is
  // a headline, and its keepTotal check below would otherwise refuse exactly while its change is
  // small (an unlogged, repeatable answer).
  const holdBack = req.method === 'suppression' ? (req.holdBack ?? 'none') === 'auto' : req.keepTotal === true;
  if (!dryRun && holdBack) {
    const held = heldYears(ctx, data, log, req, previous, chosen, k, protection);
    if (held.size > 0) chosen = chooseVersions(data, years, held);
  }
  let result: GlobalProtected | undefined;
  let dpRun: Awaited<ReturnType<typeof dpRelease>> | undefined;
  if (req.method === 'suppression') {
    result = await protect(ctx, data, log, req, chosen, k, protection, conflictsPossible);
    // A figure an earlier entry published at a smaller k is fixed, and would show here below this
    // publication's own k: refused rather than shown (refuseKConflicts already refused it before the
    // linear programs; this check stays as the guarantee's last line).
    if (result.cells.some((c) => !c.suppressed && c.count !== null && c.count >= 1 && c.count < k)) throw new AppError('k_conflicts_with_log');
  }
  const dataEntries: DataEntry[] = chosen.map((c) => ({ year: c.year, version: c.version, since: c.since, heldBack: c.heldBack }));
  const tablesOf = (
    cells: Array<{ table: number; key: Record<string, string>; count: number | null; suppressed: boolean }>,
    extra: Partial<ManifestCell> = {},
  ) =>
    req.tables.map((dimensions, i) => ({
      dimensions,
      cells: cells.filter((c) => c.table === i).map((c) => ({ key: c.key, count: c.suppressed ? null : c.count, suppressed: c.suppressed, ...extra })),
    }));
  if (dryRun) {
    const tables = tablesOf(result!.cells);
    await ctx.db.signed(nonceRow(auth), async () => undefined); // the nonce, so the same request is not answered twice
    return {
      dryRun: true,
      series: req.series,
      k,
      data: dataEntries,
      tables: tables.map((t) => ({
        dimensions: t.dimensions,
        cells: t.cells.length,
        hidden: t.cells.filter((c) => c.suppressed).length,
        hiddenCells: t.cells.filter((c) => c.suppressed).map((c) => c.key),
      })),
    };
  }

  const domains: Record<string, string[]> = { year: years.map(String) };
  for (const d of new Set(req.tables.flat())) if (d !== 'year') domains[d] = domainOf(d as ReleaseDimension, years);
  // One random leaf per publication besides the counted reports: two publications over the same
  // reports (a quarantine lifted, a withdrawal replaced) never show equal roots, so a root never
  // says that two data versions hold the same reports. Inclusion proofs are unchanged.
  const leaves = [
    ...chosen.flatMap((c) => [...c.state.incidents.flatMap((i) => i.hashes), ...c.state.extra.map((r) => r.reportHash)]),
    randomBytes(32).toString('hex'),
  ];
  const lastSigned = await ctx.db.releases.latest(req.series);
  const sequence = (lastSigned?.sequence ?? 0) + 1;
  const lastEntry = log[log.length - 1];
  const manifest: Manifest = {
    type: 'contamos-release',
    formatVersion: 2,
    id: `${req.series}-${sequence}`,
    series: req.series,
    sequence,
    previousHash: lastSigned?.hash ?? null,
    publication: { index: log.length + 1, previousHash: lastEntry?.hash ?? null },
    publishedOn: new Date(ctx.now() * 1000).toISOString().slice(0, 10),
    taxonomyVersion: TAXONOMY_VERSION,
    request: req,
    method: req.method,
    data: dataEntries,
    hierarchies: hierarchiesOf(req),
    domains,
    merkle: { scheme: MERKLE_SCHEME, root: merkleRoot([...new Set(leaves)]) },
    tables: [],
  };
  let stats: unknown;
  if (req.method === 'suppression') {
    manifest.k = k;
    manifest.protection = protection;
    manifest.tables = tablesOf(result!.cells);
    // Only what the manifest and the log give may be shown: no count of sensitive quantities (it
    // would say which hidden cells are small), and none of the engine's work (LP solves, rounds,
    // method, time), which follows the true counts (how many are sensitive, how hard to protect).
    const { cells, modelCells, modelConstraints, known } = result!.stats;
    stats = { cells, hidden: result!.cells.filter((c) => c.suppressed).length, known, modelCells, modelConstraints };
  } else {
    // An exact total is a published count of the whole log: shown only where a suppression
    // publication of the same tables, protected against the log at the server's k, would show it.
    if (req.keepTotal) {
      const minK = minKOf(ctx);
      const asSuppression: ReleaseRequest = {
        series: req.series,
        filter: req.filter,
        tables: req.tables,
        regionGroups: req.regionGroups,
        method: 'suppression',
        holdBack: 'none',
      };
      const check = await protect(ctx, data, log, asSuppression, chosen, minK, minK);
      if (check.cells.some((c) => c.suppressed && Object.values(c.key).every((v) => v === '*'))) throw new AppError('dp_total_unprotected');
    }
    const counts = chosen.flatMap((c) => recordsOf(c.state.incidents).map((r) => ({ key: { ...r.key, year: String(c.year) }, count: r.count })));
    workPoint('lp');
    dpRun = await dpRelease({
      counts,
      domains,
      tables: req.tables,
      hierarchies: manifest.hierarchies,
      keepTotal: req.keepTotal,
      ...(req.rho !== undefined ? { rho: req.rho } : { epsilon: req.epsilon! }),
    });
    if (dpRun.stats.randomSource !== 'crypto') throw new Error('a DP release must use the cryptographic random source');
    manifest.tables = tablesOf(
      dpRun.cells.map((c) => ({ ...c, suppressed: false })),
      { errorMargin90: dpRun.errorMargin90 },
    );
    stats = { ...dpRun.stats, trace: undefined };
  }
  const draftId = randomUUID();
  assertShape(releaseManifest, manifest); // outside the transaction, which large tables would hold open
  try {
    const hash = await ctx.db.signed(nonceRow(auth), async (tx) => {
      if ((await tx.log.lastIndex()) !== log.length) throw new AppError('release_stale');
      for (const c of chosen) if (c.fresh) await tx.log.recordVersion(c.fresh);
      if (req.method === 'dp' && dpRun) {
        const ledger = await chargeDpBudget(tx, dpBoundsOf(ctx), dpAmountOf(req)!);
        const p = dpRun.params;
        manifest.dp = {
          mechanism: dpRun.mechanism,
          ...(p.exact.rho !== undefined ? { rho: p.exact.rho, sigma2: p.sigma2 } : { epsilon: p.exact.epsilon, scale: p.scale }),
          m: p.m,
          keepTotal: p.keepTotal,
          invariants: [...p.invariants],
          errorMargin90: dpRun.errorMargin90,
          ledger,
        };
      }
      if (manifest.dp) assertShape(dpInfo, manifest.dp); // the rest was checked above
      const h = hashCanonical(manifest);
      await tx.log.append({ logIndex: manifest.publication.index, hash: h, manifest: canonicalJson(manifest) });
      await tx.drafts.create({
        id: draftId,
        series: req.series,
        sequence,
        hash: h,
        manifest: canonicalJson(manifest),
        leaves: packLeaves(leaves),
        expiresAt: ctx.now() + DRAFT_TTL_S,
      });
      return h;
    });
    return { draftId, hash, manifest, stats };
  } catch (e) {
    // another publication took this log index, or recorded this data version, first
    if (isUniqueViolation(e)) throw new AppError('release_stale');
    throw e;
  }
}

/** A manifest that does not match its own published schema is never logged. */
function assertShape(schema: z.ZodType, value: unknown): void {
  const shape = schema.safeParse(value);
  if (!shape.success)
    throw new Error(`internal: the manifest does not match its schema (${shape.error.issues[0]?.path.join('.')}: ${shape.error.issues[0]?.message})`);
}

/** Stores a draft as a release once its publisher's signature verifies. */
export async function signRelease(ctx: ServiceContext, auth: Auth, draftId: string, signature: string): Promise<Envelope> {
  const publisher = ctx.keys.publishers.find((p) => p.keyId === auth.keyId);
  if (!publisher) throw new AppError('forbidden_role');
  try {
    return await ctx.db.signed(nonceRow(auth), async (tx) => {
      const draft = await tx.drafts.get(draftId);
      if (!draft || draft.expiresAt < ctx.now()) throw new AppError('draft_not_found');
      if (!verifyDetached(signature, draft.manifest, publisher.publicKey)) throw new AppError('release_signature_invalid');
      const manifest = JSON.parse(draft.manifest) as Manifest;
      const latest = await tx.releases.latest(draft.series);
      if ((latest?.hash ?? null) !== manifest.previousHash || (latest?.sequence ?? 0) + 1 !== draft.sequence) throw new AppError('release_stale');
      await tx.releases.create({
        id: manifest.id,
        series: draft.series,
        sequence: draft.sequence,
        hash: draft.hash,
        manifest: draft.manifest,
        signature,
        keyId: publisher.keyId,
        publishedOn: manifest.publishedOn,
        leaves: draft.leaves,
      });
      await tx.drafts.delete(draftId);
      await commitPoint('release');
      return { manifest, hash: draft.hash, signature: { keyId: publisher.keyId, alg: 'ed25519' as const, value: signature } };
    });
  } catch (e) {
    // another release of the series got this sequence number first (another replica, another publisher)
    if (isUniqueViolation(e)) throw new AppError('release_stale');
    throw e;
  }
}

export async function listReleases(ctx: ServiceContext) {
  const rows = await ctx.db.releases.list();
  return {
    items: rows.map(({ manifest, ...r }) => {
      const m = JSON.parse(manifest) as Manifest;
      return { ...r, index: m.publication.index, years: m.domains.year ?? [] };
    }),
  };
}

export async function getRelease(ctx: ServiceContext, id: string): Promise<Envelope> {
  const r = await ctx.db.releases.byId(id);
  if (!r) throw new AppError('release_not_found');
  return { manifest: JSON.parse(r.manifest) as Manifest, hash: r.hash, signature: { keyId: r.keyId, alg: 'ed25519', value: r.signature } };
}

/** The publication log: every manifest ever shown, signed or not, in index order. */
export async function listPublications(ctx: ServiceContext) {
  const [log, signed] = await Promise.all([ctx.db.log.read(), ctx.db.releases.hashes()]);
  const isSigned = new Set(signed);
  return {
    items: log.map((r) => {
      const m = JSON.parse(r.manifest) as Manifest;
      return {
        index: r.logIndex,
        id: m.id,
        series: m.series,
        sequence: m.sequence,
        kind: isSigned.has(r.hash) ? ('release' as const) : ('draft' as const),
        hash: r.hash,
      };
    }),
  };
}

export async function getPublication(
  ctx: ServiceContext,
  index: number,
): Promise<{ manifest: Manifest; hash: string; signature: Envelope['signature'] | null }> {
  const row = await ctx.db.log.entry(index);
  if (!row) throw new AppError('publication_not_found');
  const rel = await ctx.db.releases.byHash(row.hash);
  return { manifest: JSON.parse(row.manifest) as Manifest, hash: row.hash, signature: rel ? { keyId: rel.keyId, alg: 'ed25519', value: rel.signature } : null };
}

export function packLeaves(leavesHex: string[]): Uint8Array<ArrayBuffer> {
  const sorted = [...new Set(leavesHex)].sort();
  const out = new Uint8Array(new ArrayBuffer(sorted.length * 32));
  sorted.forEach((h, i) => out.set(fromHex(h), i * 32));
  return out;
}

export function unpackLeaves(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 32) out.push(toHex(bytes.subarray(i, i + 32)));
  return out;
}

export async function purgeExpiredDrafts(ctx: ServiceContext): Promise<number> {
  return ctx.db.drafts.purgeExpired(ctx.now());
}
