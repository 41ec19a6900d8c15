// source.ts — reads the published material, from a server or from a folder, and can keep a copy.
//
// Guarantees:
// - Server mode reads exactly the public URLs of docs/release-format.md: /.well-known/contamos.json,
//   /api/v1/releases and /api/v1/releases/:id for every listed id. No credentials are sent.
// - Folder mode reads `contamos.json` (the well-known document), `releases/*.json` (one envelope
//   each) and, when present, `releases.json` (the listing).
// - `--download DIR` writes the bytes exactly as the server sent them, in the folder layout, so
//   that a later `--dir DIR` audit sees the very same material (and hashes the same manifests).
// - Nothing is trusted here: a file or answer that is not valid JSON or not of the expected shape
//   becomes a finding (source-*/release-invalid), and the release is still passed on so the
//   authenticity check can say what it can about it.
import { mkdirSync, readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Envelope, type Listing, type Manifest, type WellKnown, envelopeSchema, issuesOf, listingSchema, manifestSchema, wellKnownSchema } from './format.js';
import type { Findings } from './findings.js';

export interface LoadedRelease {
  /** Where it came from: a file path or a URL. */
  origin: string;
  /** The best-known id: the manifest's, else the listed id, else the file name. */
  id: string;
  /** The id it was published under: its id in the listing, or its file name without `.json`. */
  listedAs: string;
  /** The parsed JSON of the envelope, exactly as published. */
  raw: unknown;
  envelope?: Envelope;
  /** Present when the manifest has the documented shape. */
  manifest?: Manifest;
}

export interface Published {
  kind: 'server' | 'dir';
  location: string;
  wellKnown?: WellKnown;
  listing?: Listing;
  releases: LoadedRelease[];
}

export type FetchLike = (url: string, init?: { headers?: Record<string, string>; signal?: AbortSignal }) => Promise<{ status: number; text(): Promise<string> }>;

export const WELL_KNOWN_PATH = '/.well-known/contamos.json';
export const RELEASES_PATH = '/api/v1/releases';

/** Parses and shape-checks one envelope; records findings; always returns a LoadedRelease. */
export function readEnvelope(text: string, origin: string, fallbackId: string, findings: Findings): LoadedRelease {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    findings.add('release-invalid', { origin, problem: 'not JSON' }, fallbackId);
    return { origin, id: fallbackId, listedAs: fallbackId, raw: null };
  }
  const env = envelopeSchema.safeParse(raw);
  if (!env.success) {
    findings.add('release-invalid', { origin, problem: issuesOf(env.error) }, fallbackId);
    return { origin, id: fallbackId, listedAs: fallbackId, raw };
  }
  const rawManifest = (raw as { manifest: unknown }).manifest;
  const idOf = (rawManifest as { id?: unknown }).id;
  const id = typeof idOf === 'string' && idOf.length > 0 ? idOf : fallbackId;
  const loaded: LoadedRelease = { origin, id, listedAs: fallbackId, raw, envelope: env.data };
  const man = manifestSchema.safeParse(rawManifest);
  if (!man.success) findings.add('release-invalid', { origin, problem: issuesOf(man.error) }, id);
  else loaded.manifest = man.data;
  return loaded;
}

function parseWellKnown(text: string, origin: string, findings: Findings): WellKnown | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    findings.add('well-known-invalid', { origin, problem: 'not JSON' });
    return undefined;
  }
  const r = wellKnownSchema.safeParse(raw);
  if (!r.success) {
    findings.add('well-known-invalid', { origin, problem: issuesOf(r.error) });
    return undefined;
  }
  return r.data;
}

function parseListing(text: string, origin: string, findings: Findings): Listing | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    findings.add('source-invalid', { origin, problem: 'not JSON' });
    return undefined;
  }
  const r = listingSchema.safeParse(raw);
  if (!r.success) {
    findings.add('source-invalid', { origin, problem: issuesOf(r.error) });
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
  const published: Published = { kind: 'dir', location: dir, releases: [] };
  const wkFile = path.join(dir, 'contamos.json');
  if (!existsSync(wkFile)) findings.add('source-invalid', { origin: wkFile, problem: 'missing' });
  else {
    const wk = parseWellKnown(readFileSync(wkFile, 'utf8'), wkFile, findings);
    if (wk) published.wellKnown = wk;
  }
  const listingFile = path.join(dir, 'releases.json');
  if (existsSync(listingFile)) {
    const listing = parseListing(readFileSync(listingFile, 'utf8'), listingFile, findings);
    if (listing) published.listing = listing;
  }
  const relDir = path.join(dir, 'releases');
  if (!existsSync(relDir)) {
    findings.add('source-invalid', { origin: relDir, problem: 'missing' });
    return published;
  }
  const files = readdirSync(relDir).filter((f) => f.endsWith('.json')).sort();
  for (const f of files) {
    const file = path.join(relDir, f);
    published.releases.push(readEnvelope(readFileSync(file, 'utf8'), file, idFromFileName(f), findings));
  }
  return published;
}

export interface ServerLoadOptions {
  download?: string;
  fetchImpl?: FetchLike;
  timeoutMs?: number;
}

/** Fetches a URL as text; throws on network errors. */
export async function fetchText(url: string, fetchImpl: FetchLike, timeoutMs: number, headers?: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetchImpl(url, { headers: { accept: 'application/json', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, text: await res.text() };
}

export async function loadFromServer(server: string, findings: Findings, opts: ServerLoadOptions = {}): Promise<Published> {
  const fetchImpl: FetchLike = opts.fetchImpl ?? ((u, i) => fetch(u, i));
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const base = server.replace(/\/+$/, '');
  const published: Published = { kind: 'server', location: base, releases: [] };
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
  if (wkText === undefined) return published;
  save('contamos.json', wkText);
  const wk = parseWellKnown(wkText, base + WELL_KNOWN_PATH, findings);
  if (wk) published.wellKnown = wk;

  const listText = await get(RELEASES_PATH);
  if (listText === undefined) return published;
  save('releases.json', listText);
  const listing = parseListing(listText, base + RELEASES_PATH, findings);
  if (!listing) return published;
  published.listing = listing;

  for (const item of listing.items) {
    const p = `${RELEASES_PATH}/${encodeURIComponent(item.id)}`;
    const text = await get(p);
    if (text === undefined) continue;
    save(path.join('releases', releaseFileName(item.id)), text);
    published.releases.push(readEnvelope(text, base + p, item.id, findings));
  }
  return published;
}
