// store.ts — the one interface between the server and its database. Services, the HTTP layer and
// routes reach storage only through a `Store` (ServiceContext.db); nothing outside server/db/
// imports the Prisma client or writes SQL (test/db/store-boundary.test.ts scans for it). Two
// implementations: sqlite-store.ts (prepared statements and a writer thread for intake and
// member look-ups, Prisma for the rest) and postgres-store.ts (a plain pg pool for the three queries
// of every submission, pg-intake.ts; Prisma for the rest). test/db/store-contract.test.ts runs the same cases on both.
//
// Guarantees every implementation gives:
// - Intake (`intake.submit`) runs the steps of intake.ts, in that order, all or nothing: consume
//   the nonce (else `replayed_nonce`), re-check the member (absent or revoked: `key_revoked`),
//   decide idempotency on the id (another member's: `report_id_taken`; the same hash: stored
//   already, `{ created: false }`; another hash: `report_conflict`), apply `supersedes` (an own
//   active report becomes superseded; an own inactive one: `report_not_active`; none:
//   `report_not_found`), insert. A refusal stores nothing (the nonce included); `{ created: false }`
//   keeps the nonce consumed. It resolves only once the write is durable; two submissions of one
//   id racing (two replicas) end as if they had come one after the other. It never signs anything:
//   the receipt is signed by the caller (services/reports.ts).
// - A signed request's nonce is consumed only by the Store: by the intake, or by `signed`, which
//   runs the request's work in one transaction after consuming it (a replay: AppError
//   `replayed_nonce`; any error thrown by `work` rolls everything back, the nonce included).
// - Rate windows count per bucket and refuse nothing themselves; `charge` charges nothing and
//   says so (null) when the nonce was already consumed. An intake given an IntakeCharge charges
//   its windows and refuses beyond their limits by the rules of intake-charge.ts, in the same call
//   (one round trip on PostgreSQL).
// - Reads return plain data (no ORM objects); nothing here decides what is counted or shown.
import type { Provider } from './url.js';
import type { ReportRow, WriteOutcome } from './report-row.js';

export type { Provider } from './url.js';
export type { ReportRow, RefusalCode, WriteOutcome } from './report-row.js';

/** A consumed nonce as stored: sha256(keyId, nonce) and when it may be purged (db/nonces.ts). */
export interface NonceRow {
  hash: string;
  expiresAt: number;
}

export interface MemberKey {
  publicKey: string;
  revoked: boolean;
}

export interface MemberStore {
  /** The key and revocation state of `keyId` (authentication, on every signed member request). */
  key(keyId: string): Promise<MemberKey | null>;
  /** Every member's [keyId, publicKey] (http/known-credentials.ts). */
  allKeys(): Promise<Array<[string, string]>>;
  isEnrolled(publicKey: string): Promise<boolean>;
  create(keyId: string, publicKey: string): Promise<void>;
  /**
   * Puts `keyId`'s organisation (all its keys) into `sameAs`'s: afterwards every one of them names
   * `sameAs`'s organisation. false when either key id is unknown (nothing changed).
   */
  joinOrganisation(keyId: string, sameAs: string): Promise<boolean>;
  /** [keyId, organisation] of every key that shares an organisation (the others are their own). */
  organisations(): Promise<Array<[string, string]>>;
  /** false when no member has this key id. */
  revoke(keyId: string): Promise<boolean>;
  /** false when no member has this key id. */
  setQuarantined(keyId: string, quarantined: boolean): Promise<boolean>;
  /** Key ids of members whose reports do not count (revoked or quarantined). */
  excluded(): Promise<string[]>;
}

export interface InviteStore {
  /** `organisation`: the key id of an enrolled organisation the new key will join, or none. */
  create(tokenHash: string, expiresAt: number, organisation?: string | null): Promise<void>;
  /** The organisation an invite was made for (a key id), or null (none, or no such invite). */
  organisation(tokenHash: string): Promise<string | null>;
  /** The invite's expiry, or null when there is none. */
  expiry(tokenHash: string): Promise<number | null>;
  /** Deletes the invite if it is still valid at `now`; false when it was not. */
  use(tokenHash: string, now: number): Promise<boolean>;
  purgeExpired(now: number): Promise<number>;
}

export interface OwnReport {
  id: string;
  status: string;
  reportHash: string;
  supersedes: string | null;
}
export interface OwnReportListed extends OwnReport {
  year: number;
  incidentType: string;
  region: string;
}
/** A report's countable fields and id, as the conflict list shows them (never its member). */
export interface CountedReport {
  id: string;
  dedupeTag: string | null;
  year: number;
  quarter: number | null;
  region: string;
  incidentType: string;
  victimGender: string;
  victimNationality: string;
  victimAgeBand: string;
  perpetratorType: string;
  outcome: string | null;
}
export type StewardReport = CountedReport & { status: string; sealedNarrative: string; supersedes: string | null };

/** Columns of one counted dimension in the facts read, and how a NULL is spelled. */
export interface FactKeyColumn {
  column: string;
  nullAs?: string;
}

export interface ReportStore {
  own(keyId: string, id: string): Promise<OwnReport | null>;
  /** The id of the report that supersedes `id`, if any. */
  supersededBy(id: string): Promise<string | null>;
  /** A member's own reports, by id after `cursor`, at most `take`. */
  listOwn(keyId: string, cursor: string | undefined, take: number): Promise<OwnReportListed[]>;
  withdraw(id: string): Promise<void>;
  /** Every report, by id after `cursor`, at most `take` (the steward's download). */
  page(cursor: string | undefined, take: number): Promise<StewardReport[]>;
  /**
   * Every report (any status) as an array [id, memberKeyId, dedupeTag, reportHash, status, year,
   * key], key being the `columns` joined by '|' (NULLs spelled as given), in one consistent read,
   * each handed to `onRow` (synchronously; SQLite streams them, so no million-row array is held).
   */
  factRows(columns: readonly FactKeyColumn[], onRow: (row: unknown[]) => void): Promise<void>;
}

export interface ConflictStore {
  /** Dedupe tags after `after` whose active reports disagree on a countable field (any member), in order. */
  candidateTags(after: string | undefined, limit: number): Promise<string[]>;
  /** Those of `tags` whose active reports of counted members still disagree. */
  confirmTags(tags: string[]): Promise<string[]>;
  /** Active reports of counted members under `tags`, by tag then id. */
  countedUnder(tags: string[]): Promise<CountedReport[]>;
  /** Whether `reportId` is an active report under `tag` of a counted member. */
  isCountedUnder(reportId: string, tag: string): Promise<boolean>;
  /** Of `ids`, those that are active reports of counted members, with their tags. */
  countedTags(ids: string[]): Promise<Array<{ id: string; dedupeTag: string | null }>>;
  /** The steward's choices (all, or of `tags`). */
  choices(tags?: string[]): Promise<Array<{ tag: string; reportId: string }>>;
  setChoice(tag: string, reportId: string): Promise<void>;
}

export interface ReleaseRow {
  id: string;
  series: string;
  sequence: number;
  hash: string;
  manifest: string;
  signature: string;
  keyId: string;
  publishedOn: string;
  leaves: Uint8Array;
}
export interface DraftRow {
  id: string;
  series: string;
  sequence: number;
  hash: string;
  manifest: string;
  leaves: Uint8Array;
  expiresAt: number;
}

export interface ReleaseStore {
  /** The newest signed release of `series`. */
  latest(series: string): Promise<{ id: string; hash: string; sequence: number } | null>;
  /** The first release of every series. */
  firsts(): Promise<Array<{ series: string; manifest: string }>>;
  /** Every release, by series then sequence (no leaves). */
  list(): Promise<Array<Omit<ReleaseRow, 'leaves' | 'signature' | 'keyId'>>>;
  /** A release without its leaves (they can be megabytes). */
  byId(id: string): Promise<Omit<ReleaseRow, 'leaves'> | null>;
  /** A release's hash, manifest and packed Merkle leaves (inclusion proofs). */
  leaves(id: string): Promise<{ hash: string; manifest: string; leaves: Uint8Array } | null>;
  byHash(hash: string): Promise<{ signature: string; keyId: string } | null>;
  hashes(): Promise<string[]>;
  /** Fails with a unique violation when the series' sequence or the hash is taken. */
  create(row: ReleaseRow): Promise<void>;
}

export interface DraftStore {
  create(row: DraftRow): Promise<void>;
  get(id: string): Promise<DraftRow | null>;
  delete(id: string): Promise<void>;
  purgeExpired(now: number): Promise<number>;
}

export interface LogRow {
  logIndex: number;
  hash: string;
  manifest: string;
}
export interface VersionRow {
  year: number;
  version: number;
  since: string | null;
  digest: string;
  reports: Uint8Array;
  representatives: Uint8Array;
}

/** The publication log and the data versions: append-only (the database refuses updates and deletes). */
export interface PublicationLogStore {
  read(): Promise<LogRow[]>;
  entry(logIndex: number): Promise<LogRow | null>;
  lastIndex(): Promise<number>;
  /** Fails with a unique violation when the index is taken. */
  append(row: LogRow): Promise<void>;
  versions(): Promise<VersionRow[]>;
  /** Fails with a unique violation when (year, version) is taken. */
  recordVersion(row: VersionRow): Promise<void>;
}

export interface DpLedgerRow {
  sequence: number;
  total: string;
  spentBefore: string;
  charged: string;
  spentAfter: string;
}
export interface DpLedgerStore {
  last(): Promise<DpLedgerRow | null>;
  /** Fails with a unique violation when `sequence` is taken (another charge won). */
  append(row: DpLedgerRow): Promise<void>;
}

export interface FeaturedStore {
  get(slot: string): Promise<string | null>;
  set(slot: string, series: string): Promise<void>;
}

export interface SecretStore {
  /** Inserts `fresh` under `name` unless a value is there; returns the stored value. */
  getOrCreate(name: string, fresh: string): Promise<string | null>;
}

/** What a transaction (and the store outside one) can read and write. */
export interface StoreData {
  members: MemberStore;
  invites: InviteStore;
  reports: ReportStore;
  conflicts: ConflictStore;
  releases: ReleaseStore;
  drafts: DraftStore;
  log: PublicationLogStore;
  dp: DpLedgerStore;
  featured: FeaturedStore;
  secrets: SecretStore;
}
export type StoreTx = StoreData;

/** One rate window a submission is charged to, and the count beyond which it is refused. */
export interface IntakeLimit extends RateBucket {
  limit: number;
}
/** The windows an intake charges (intake-charge.ts): the credential's minute, and its day of new reports if bounded. */
export interface IntakeCharge {
  minute: IntakeLimit;
  day?: IntakeLimit;
}
export type LimitCode = 'rate_limited' | 'daily_limit_reached';
export type IntakeOutcome = WriteOutcome | { error: LimitCode };

export interface IntakeStore {
  /**
   * See the header and intake.ts; with `charge`, the submission is first charged to its rate
   * windows and may be refused by them, by the rules of intake-charge.ts, in the same call.
   */
  submit(nonce: NonceRow, row: ReportRow, charge?: IntakeCharge): Promise<IntakeOutcome>;
}

export interface NonceStore {
  /** Whether the nonce was already consumed (read only). */
  seen(hash: string): Promise<boolean>;
  purgeExpired(now: number): Promise<number>;
}

export interface RateBucket {
  bucket: string;
  expiresAt: number;
}
export interface RateWindowStore {
  /**
   * +1 on each bucket unless the nonce was consumed or charged already (then null, nothing
   * charged); the nonce is remembered as charged until it expires, so a copy of a request refused
   * after its charge (which consumes no nonce) is never charged again.
   */
  charge(nonce: NonceRow, buckets: RateBucket[]): Promise<Map<string, number> | null>;
  /** −1 on the bucket (never below 0). */
  refund(bucket: string): Promise<void>;
  purgeExpired(now: number): Promise<number>;
}

export interface Store extends StoreData {
  readonly provider: Provider;
  intake: IntakeStore;
  nonces: NonceStore;
  rateWindows: RateWindowStore;
  /** Runs `work` in one transaction that first consumes `nonce` (see header). */
  signed<T>(nonce: NonceRow, work: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Runs `work` in one transaction (enrolment, which has no nonce). */
  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Mixes the stored order of reports and members (PostgreSQL: mix-stored-order.ts; a no-op on SQLite). */
  mixStoredOrder(): Promise<{ reports: number; members: number }>;
  /** Rejects when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
