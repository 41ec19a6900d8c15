// carry.ts — what one protection's final audit proved reachable, carried to the next protection of
// a log that extends it, when (and only when) that is sound.
//
// An audit's reach (AuditEngine.reachLo/reachHi) holds, for each quantity, values some table of the
// attacker's system can take under the audited pattern. A later publication adds quantities (new
// data versions, year sets, changes), relations and shown cells. The earlier reach still holds in
// the new system if every table x of the earlier system (pattern P) extends to a table of the new
// one (pattern Q): E(x) gives each quantity of both systems its value in x, each new count or year
// set the value of its analogue at the earlier version plus its true change (x(c@v′) + t(c@v) −
// t(c@v′)), and each new change its true value. `prepareCarry` checks, symbol by symbol, that E maps
// every table of the earlier system into the new one:
//   - a quantity of both systems has the same true value in both (a data version number reused
//     for other data is refused);
//   - every relation of the new system, written through E, is identically 0 or (up to sign) a
//     relation of the earlier system with a zero constant;
//   - every lower bound holds for every x (the analogue's bound in the earlier system plus the
//     shift is at least the quantity's bound);
//   - every cell the pattern Q shows (or the log fixes) is a constant under E (its analogue fixed
//     in P).
// A table the earlier audit found differs from the true one in one component of P only (each is
// solved alone, the rest at its true values), so where the last two fail for an analogue, only
// the reach of that analogue's component is dropped; otherwise `seed` notes each earlier reach,
// shifted, as reach of the new system. A wrong or stale carry therefore costs time, never
// soundness: nothing is noted that the checks above do not prove.
//
// Kept in memory only, for the last few protections (never written): per quantity, its true value,
// the reach and whether P hid it, and the relations — what the server holds anyway while it
// protects, kept until the next protection.
import type { AuditEngine } from '../interval-audit.js';
import { rawComponents } from '../components.js';
import type { Structure } from '../structure.js';
import type { GlobalModel } from './model.js';

/** The end state of one protection: enough to carry its reach to a log that extends it. */
export interface Carried {
  /** Identity of every quantity (kind, versions, coordinates). */
  readonly ids: string[];
  /** 1 where the final pattern left the quantity free (hidden and not fixed). */
  free: Uint8Array;
  /** Component of each free quantity under the final pattern (−1: fixed). */
  readonly component: Int32Array;
  /** True value of each quantity (a version recorded later under the same number must agree). */
  values: Float64Array;
  /** Lower bound of each quantity in the earlier system. */
  lower: Float64Array;
  reachLo: Float64Array;
  reachHi: Float64Array;
  /** Every relation, as a signature over identities (see `signature`). */
  readonly relations: Set<string>;
}

/** How many recent protections are kept (a dry run or a protection of a series alone may come between two of a log). */
const KEEP = 4;
const recent: Carried[] = [];

/** Forgets every carried state (tests). */
export function forgetCarried(): void {
  recent.length = 0;
}

const identity = (m: GlobalModel['meta'][number]): string =>
  `${m.kind}|${m.at}|${Object.keys(m.coords)
    .sort()
    .map((d) => `${d}=${m.coords[d]}`)
    .join(',')}`;

/** A relation total − Σ parts = 0 as sorted (identity, coefficient) terms, first coefficient positive. */
function signature(terms: Map<string, number>): string {
  const list = [...terms].filter(([, c]) => c !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const sign = list.length > 0 && list[0]![1] < 0 ? -1 : 1;
  return list.map(([id, c]) => `${id}:${sign * c}`).join(';');
}

function relationTerms(s: Structure, r: number, name: (cell: number) => string): Map<string, number> {
  const terms = new Map<string, number>();
  for (let p = s.conStart[r]!; p < s.conStart[r + 1]!; p++) {
    const id = name(s.conCells[p]!);
    terms.set(id, (terms.get(id) ?? 0) + (p === s.conStart[r] ? 1 : -1));
  }
  return terms;
}

/**
 * Records the end state of a protection: its model, the quantities its final pattern left free
 * (hidden and not fixed), and its engine's reach per quantity (Infinity / −Infinity: none known).
 * Identities, relations and components are worked out only when a later protection asks.
 */
export function rememberCarried(model: GlobalModel, free: Uint8Array, reachLo: Float64Array, reachHi: Float64Array): void {
  const { s, meta } = model; // (not the model: its linked tables are not needed, nor kept)
  const freeCopy = Uint8Array.from(free);
  let ids: string[] | undefined;
  let relations: Set<string> | undefined;
  let component: Int32Array | undefined;
  recent.unshift({
    get ids() {
      ids ??= meta.map(identity);
      return ids;
    },
    get relations() {
      if (!relations) {
        const names = this.ids;
        relations = new Set<string>();
        for (let r = 0; r < s.m; r++) relations.add(signature(relationTerms(s, r, (c) => names[c]!)));
      }
      return relations;
    },
    get component() {
      if (!component) {
        const out = new Int32Array(s.n).fill(-1);
        rawComponents(s, freeCopy).forEach((comp, k) => {
          for (const cell of comp.cells) out[cell] = k;
        });
        component = out;
      }
      return component;
    },
    free: freeCopy,
    values: s.values,
    lower: s.lower,
    reachLo: Float64Array.from(reachLo),
    reachHi: Float64Array.from(reachHi),
  });
  recent.length = Math.min(recent.length, KEEP);
}

/** Versions of each year among `ats` (each "y@v", "y@v+y@v…" or "V>W"). */
function versionsByYear(ats: Iterable<string>): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const at of ats)
    for (const part of at.split(/[+>]/)) {
      const [y, v] = part.split('@').map(Number) as [number, number];
      let l = out.get(y);
      if (!l) out.set(y, (l = []));
      if (!l.includes(v)) l.push(v);
    }
  return out;
}

/** The largest of `versions` below `v` (undefined: none). */
function nearestBelow(versions: readonly number[] | undefined, v: number): number | undefined {
  let best: number | undefined;
  for (const w of versions ?? []) if (w < v && (best === undefined || w > best)) best = w;
  return best;
}

/** `at` ("y@v" or "y@v+y@v…") with each version replaced by `to(y, v)`; null where that is undefined. */
function mapVersions(at: string, to: (y: number, v: number) => number | undefined): string | null {
  const parts: string[] = [];
  for (const part of at.split('+')) {
    const [y, v] = part.split('@').map(Number) as [number, number];
    const w = to(y, v);
    if (w === undefined) return null;
    parts.push(`${y}@${w}`);
  }
  return parts.join('+');
}

/** Identities of a model's quantities, and each identity's index. */
function identities(model: GlobalModel): { ids: string[]; index: Map<string, number> } {
  const ids = model.meta.map(identity);
  const index = new Map<string, number>();
  ids.forEach((id, i) => index.set(id, i));
  return { ids, index };
}

/**
 * For each count or year-set quantity of `model` at a data version newer than another version of
 * its year in the same model: the same quantity at the nearest earlier version (−1: none).
 */
export function previousVersions(model: GlobalModel): Int32Array {
  const { ids, index } = identities(model);
  const versions = versionsByYear(model.meta.filter((m) => m.kind === 'count').map((m) => m.at));
  const out = new Int32Array(ids.length).fill(-1);
  model.meta.forEach((m, i) => {
    if (m.kind !== 'count' && m.kind !== 'yearset') return;
    const at = mapVersions(m.at, (y, v) => nearestBelow(versions.get(y), v) ?? v);
    if (at !== null && at !== m.at) out[i] = index.get(identity({ ...m, at })) ?? -1;
  });
  return out;
}

/** A carry found sound for a new model's relations and bounds; `seed` also checks the pattern. */
export interface PreparedCarry {
  /** Notes the carried reach in `engine` if the pattern `suppressed` (with `locked` fixed) keeps it sound; how many quantities got one. */
  seed(engine: AuditEngine, suppressed: Uint8Array, locked: Uint8Array): number;
}

/** The most recent carried state that is sound for `model`'s relations and bounds, or null. */
export function prepareCarry(model: GlobalModel): PreparedCarry | null {
  const own = identities(model);
  for (const c of recent) {
    const p = prepareOne(c, model, own.ids, own.index);
    if (p) return p;
  }
  return null;
}

function prepareOne(c: Carried, model: GlobalModel, ids: readonly string[], here: ReadonlyMap<string, number>): PreparedCarry | null {
  const { s, meta } = model;
  const index = new Map<string, number>();
  c.ids.forEach((id, j) => index.set(id, j));
  // Each version of the new system as the earlier system knows it: itself, or the nearest below.
  const oldVersions = versionsByYear(c.ids.map((id) => id.split('|')[1]!));
  const earlier = (y: number, v: number): number | undefined => {
    const l = oldVersions.get(y);
    return !l || l.includes(v) ? v : nearestBelow(l, v);
  };
  // E: each new quantity is sym[i] (an earlier quantity, or −1) plus shift[i].
  const sym = new Int32Array(s.n).fill(-1);
  const shift = new Float64Array(s.n);
  for (let i = 0; i < s.n; i++) {
    const m = meta[i]!;
    const same = index.get(ids[i]!);
    if (same !== undefined) {
      // The same quantity must have the same true value (a draft's data version never recorded,
      // and the number reused for other data, would not).
      if (c.values[same] !== s.values[i]) return null;
      sym[i] = same;
      continue;
    }
    shift[i] = s.values[i]!;
    if (m.kind !== 'count' && m.kind !== 'yearset') continue; // a new change: its true value
    const at = mapVersions(m.at, earlier);
    if (at === null) continue;
    const analogue = identity({ ...m, at });
    const j = index.get(analogue);
    const jHere = here.get(analogue);
    if (j === undefined || jHere === undefined) continue;
    sym[i] = j;
    shift[i] = s.values[i]! - s.values[jHere]!;
  }
  // Relations: each, through E, is 0 or an earlier relation (constant 0).
  for (let r = 0; r < s.m; r++) {
    const terms = new Map<string, number>();
    let constant = 0;
    for (let p = s.conStart[r]!; p < s.conStart[r + 1]!; p++) {
      const cell = s.conCells[p]!;
      const coef = p === s.conStart[r] ? 1 : -1;
      constant += coef * shift[cell]!;
      if (sym[cell]! >= 0) {
        const id = c.ids[sym[cell]!]!;
        terms.set(id, (terms.get(id) ?? 0) + coef);
      }
    }
    if (Math.abs(constant) > 1e-9) return null;
    const sig = signature(terms);
    if (sig !== '' && !c.relations.has(sig)) return null;
  }
  // Lower bounds: x_j ≥ lower(j) in every earlier table (j's bound THERE), so E(x)_i ≥ lower(j) +
  // shift; where that may fall below the bound of i (a count that went down, or a change whose
  // version was "changes" there and "additions" here), the tables of j's component do not all
  // extend: its reach is not carried. (A fixed j is its true value: E(x)_i is i's.)
  const lowBroken = new Set<number>();
  for (let i = 0; i < s.n; i++) {
    const low = s.lower[i]!;
    if (low === -Infinity) continue;
    const j = sym[i]!;
    if (j < 0) {
      if (shift[i]! < low - 1e-9) return null;
      continue;
    }
    if (!c.free[j]) continue;
    if (c.lower[j]! + shift[i]! < low - 1e-9) lowBroken.add(c.component[j]!);
  }
  return {
    seed(engine, suppressed, locked) {
      // A table of the earlier system differs from the true one in one component only (each
      // component is solved alone, the others at their true values), so its reach carries unless
      // a quantity Q shows (or the log fixes) has its analogue in that component: then E does not
      // keep it constant, and that component's reach is dropped.
      const broken = new Set<number>(lowBroken);
      for (let i = 0; i < s.n; i++) {
        if (suppressed[i] && !locked[i]) continue;
        const j = sym[i]!;
        if (j >= 0 && c.free[j]) broken.add(c.component[j]!);
      }
      let seeded = 0;
      for (let i = 0; i < s.n; i++) {
        const j = sym[i]!;
        if (j < 0 || !c.free[j] || broken.has(c.component[j]!)) continue;
        const lo = c.reachLo[j]!;
        const hi = c.reachHi[j]!;
        if (!(lo <= hi)) continue;
        engine.noteReach(i, lo + shift[i]!);
        engine.noteReach(i, hi + shift[i]!);
        seeded++;
      }
      return seeded;
    },
  };
}
