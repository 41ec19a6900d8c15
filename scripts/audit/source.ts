// source.ts — reads the published material (the publication log, the signed releases and the key
// document), from a server or from a folder, and can keep a copy.
//
// Guarantees:
// - Server mode reads exactly the public URLs of docs/release-format.md: /.well-known/contamos.json,
//   /api/v1/publications and /api/v1/publications/:index for every listed index, /api/v1/releases
//   and /api/v1/releases/:id for every listed id. No credentials are sent.
// - Folder mode reads the same material in this layout (what `--download DIR` writes):
//     DIR/contamos.json              the key document
//     DIR/publications.json          the log listing
//     DIR/publications/<index>.json  one log entry each ({ manifest, hash, signature|null })
//     DIR/releases.json              the signed releases' listing (optional)
//     DIR/releases/<id>.json         one signed release each ({ manifest, hash, signature })
//   Entries are taken from the files present (a listed entry without a file is reported by the
//   chain check, a file without a listing line too).
// - `--download DIR` writes the bytes exactly as the server sent them, so a later `--dir DIR` audit
//   sees the very same material and hashes the very same manifests.
// - Nothing is trusted here: a file or answer that is not valid JSON or not of the expected shape
//   becomes a finding (source-*, publication-invalid), and what could be read is still passed on.
// - Each manifest's canonical JSON and its SHA-256 are computed once here, over the manifest exactly
//   as published; the other checks compare those.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson, sha256Hex } from '../../crypto/index.js';
import type { Findings } from './findings.js';
import {
  type LogEntryEnvelope,
  type LogListing,
  type Manifest,
  type ReleaseEnvelope,
  type ReleaseListing,
  type WellKnown,
  issuesOf,
  logEntrySchema,
  logListingSchema,
  parseManifest,
  releaseEnvelopeSchema,
  releaseListingSchema,
  wellKnownSchema,
} from './format.js';

/** What every published manifest (log entry or signed release) carries once read. */
interface Read {
  /** Where it came from: a file path or a URL. */
  origin: string;
  /** Present when the manifest has the documented version-2 shape. */
  manifest?: Manifest;
  /** canonicalJson of the manifest as published, and its SHA-256 (absent if not canonicalisable). */
  canonical?: string;
  computedHash?: string;
}

export interface LogEntry extends Read {
  /** Its place in the log, from the listing or the file name. */
  index: number;
  envelope?: LogEntryEnvelope;
}

export interface SignedRelease extends Read {
  /** The id it was published under: its id in the listing, or its file name without `.json`. */
  listedAs: string;
  envelope?: ReleaseEnvelope;
  /** `publication.index` as published, even when the manifest does not parse. */
  index?: number;
}

export interface Published {
  kind: 'server' | 'dir';
  location: string;
  wellKnown?: WellKnown;
  logListing?: LogListing;
  /** Log entries in index order. */
  entries: LogEntry[];
  releaseListing?: ReleaseListing;
  releases: SignedRelease[];
}

export type FetchLike = (
  url: string,
  init?: { headers?: Record<string, string>; signal?: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

export const WELL_KNOWN_PATH = '/.well-known/contamos.json';
export const PUBLICATIONS_PATH = '/api/v1/publications';
export const RELEASES_PATH = '/api/v1/releases';

function parseJson(
  text: string,
  origin: string,
  findings: Findings,
  code: 'source-invalid' | 'publication-invalid' | 'well-known-invalid',
): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    findings.add(code, { origin, problem: 'not JSON' });
    return { ok: false };
  }
}

function readManifest(into: Read, rawManifest: unknown, findings: Findings, label: string): void {
  try {
    into.canonical = canonicalJson(rawManifest);
    into.computedHash = sha256Hex(into.canonical);
  } catch (e) {
    findings.add(
      'publication-invalid',
      { origin: into.origin, problem: `manifest is not canonicalisable JSON (${e instanceof Error ? e.message : 'error'})` },
      label,
    );
  }
  const m = parseManifest(rawManifest);
  if (m.ok) into.manifest = m.manifest;
  else findings.add('publication-invalid', { origin: into.origin, problem: m.problem }, label);
}

/** Parses and shape-checks one log entry; records findings; always returns a LogEntry. */
export function readLogEntry(text: string, origin: string, index: number, findings: Findings): LogEntry {
  const entry: LogEntry = { origin, index };
  const label = `#${index}`;
  const json = parseJson(text, origin, findings, 'publication-invalid');
  if (!json.ok) return entry;
  const env = logEntrySchema.safeParse(json.value);
  if (!env.success) {
    findings.add('publication-invalid', { origin, problem: issuesOf(env.error) }, label);
    return entry;
  }
  entry.envelope = env.data;
  readManifest(entry, (json.value as { manifest: unknown }).manifest, findings, label);
  return entry;
}

/** Parses and shape-checks one signed release; records findings; always returns a SignedRelease. */
export function readRelease(text: string, origin: string, listedAs: string, findings: Findings): SignedRelease {
  const rel: SignedRelease = { origin, listedAs };
  const json = parseJson(text, origin, findings, 'publication-invalid');
  if (!json.ok) return rel;
  const env = releaseEnvelopeSchema.safeParse(json.value);
  if (!env.success) {
    findings.add('publication-invalid', { origin, problem: issuesOf(env.error) }, listedAs);
    return rel;
  }
  rel.envelope = env.data;
  const raw = (json.value as { manifest: { publication?: { index?: unknown } } }).manifest;
  if (Number.isInteger(raw.publication?.index)) rel.index = raw.publication!.index as number;
  readManifest(rel, raw, findings, listedAs);
  return rel;
}

function parseWith<T>(
  text: string,
  origin: string,
  findings: Findings,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: Parameters<typeof issuesOf>[0] } },
  code: 'source-invalid' | 'well-known-invalid',
): T | undefined {
  const json = parseJson(text, origin, findings, code);
  if (!json.ok) return undefined;
  const r = schema.safeParse(json.value);
  if (!r.success) {
    findings.add(code, { origin, problem: issuesOf(r.error) });
    return undefined;
  }
  return r.data;
}

/** A file name for a release id that cannot escape the folder. */
export function releaseFileName(id: string): string {
  return /^[A-Za-z0-9._-]{1,120}$/.test(id) && !id.startsWith('.') ? `${id}.json` : `${encodeURIComponent(id).replace(/^\./, '%2E')}.json`;
}

/** The release id a file name stands for (the inverse of releaseFileName). */
export function idFromFileName(file: string): string {
  const base = file.replace(/\.json$/, '');
  try {
    return decodeURIComponent(base);
  } catch {
    return base;
  }
}

export function loadFromDir(dir: string, findings: Findings): Published {
  const published: Published = { kind: 'dir', location: dir, entries: [], releases: [] };
  const file = (name: string) => path.join(dir, name);
  if (!existsSync(file('contamos.json'))) findings.add('source-invalid', { origin: file('contamos.json'), problem: 'missing' });
  else published.wellKnown = parseWith(readFileSync(file('contamos.json'), 'utf8'), file('contamos.json'), findings, wellKnownSchema, 'well-known-invalid');
  if (!existsSync(file('publications.json'))) findings.add('source-invalid', { origin: file('publications.json'), problem: 'missing' });
  else
    published.logListing = parseWith(readFileSync(file('publications.json'), 'utf8'), file('publications.json'), findings, logListingSchema, 'source-invalid');
  if (existsSync(file('releases.json')))
    published.releaseListing = parseWith(readFileSync(file('releases.json'), 'utf8'), file('releases.json'), findings, releaseListingSchema, 'source-invalid');

  const pubDir = file('publications');
  if (!existsSync(pubDir)) findings.add('source-invalid', { origin: pubDir, problem: 'missing' });
  else {
    const files = readdirSync(pubDir).filter((f) => f.endsWith('.json'));
    const indexed: Array<[number, string]> = [];
    for (const f of files) {
      const n = /^([1-9]\d{0,8})\.json$/.exec(f);
      if (!n) findings.add('source-invalid', { origin: path.join(pubDir, f), problem: 'a log entry file is named <index>.json' });
      else indexed.push([Number(n[1]), f]);
    }
    indexed.sort((a, b) => a[0] - b[0]);
    for (const [index, f] of indexed) published.entries.push(readLogEntry(readFileSync(path.join(pubDir, f), 'utf8'), path.join(pubDir, f), index, findings));
  }
  const relDir = file('releases');
  if (existsSync(relDir)) {
    for (const f of readdirSync(relDir)
      .filter((x) => x.endsWith('.json'))
      .sort()) {
      published.releases.push(readRelease(readFileSync(path.join(relDir, f), 'utf8'), path.join(relDir, f), idFromFileName(f), findings));
    }
  }
  return published;
}

export interface ServerLoadOptions {
  download?: string;
  fetchImpl?: FetchLike;
  timeoutMs?: number;
}

/** Fetches a URL as text; throws on network errors. */
export async function fetchText(
  url: string,
  fetchImpl: FetchLike,
  timeoutMs: number,
  headers?: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const res = await fetchImpl(url, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, text: await res.text() };
}

export async function loadFromServer(server: string, findings: Findings, opts: ServerLoadOptions = {}): Promise<Published> {
  const fetchImpl: FetchLike = opts.fetchImpl ?? ((u, i) => fetch(u, i));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const base = server.replace(/\/+$/, '');
  const published: Published = { kind: 'server', location: base, entries: [], releases: [] };
  const save = (rel: string, text: string) => {
    if (!opts.download) return;
    const file = path.join(opts.download, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  const get = async (p: string): Promise<string | undefined> => {
    const url = base + p;
    try {
      const { status, text } = await fetchText(url, fetchImpl, timeoutMs);
      if (status !== 200) {
        findings.add('source-unreachable', { origin: url, problem: `HTTP ${status}` });
        return undefined;
      }
      return text;
    } catch (e) {
      findings.add('source-unreachable', { origin: url, problem: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  };

  const wkText = await get(WELL_KNOWN_PATH);
  if (wkText !== undefined) {
    save('contamos.json', wkText);
    published.wellKnown = parseWith(wkText, base + WELL_KNOWN_PATH, findings, wellKnownSchema, 'well-known-invalid');
  }

  const logText = await get(PUBLICATIONS_PATH);
  if (logText !== undefined) {
    save('publications.json', logText);
    published.logListing = parseWith(logText, base + PUBLICATIONS_PATH, findings, logListingSchema, 'source-invalid');
  }
  const seen = new Set<number>();
  for (const item of published.logListing?.items ?? []) {
    if (seen.has(item.index)) continue; // a repeated index is reported by the chain check
    seen.add(item.index);
    const p = `${PUBLICATIONS_PATH}/${item.index}`;
    const text = await get(p);
    if (text === undefined) continue;
    save(path.join('publications', `${item.index}.json`), text);
    published.entries.push(readLogEntry(text, base + p, item.index, findings));
  }
  published.entries.sort((a, b) => a.index - b.index);

  const relText = await get(RELEASES_PATH);
  if (relText !== undefined) {
    save('releases.json', relText);
    published.releaseListing = parseWith(relText, base + RELEASES_PATH, findings, releaseListingSchema, 'source-invalid');
  }
  const seenIds = new Set<string>();
  for (const item of published.releaseListing?.items ?? []) {
    if (seenIds.has(item.id)) continue;
    seenIds.add(item.id);
    const p = `${RELEASES_PATH}/${encodeURIComponent(item.id)}`;
    const text = await get(p);
    if (text === undefined) continue;
    save(path.join('releases', releaseFileName(item.id)), text);
    published.releases.push(readRelease(text, base + p, item.id, findings));
  }
  return published;
}
