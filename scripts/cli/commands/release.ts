// release.ts — `contamos release`: the publisher cuts a release.
//
// Guarantees: the dimensions asked for are checked here first (a bilingual message naming the bad
// one, nothing sent). The server computes the release (counts, suppression) and returns a DRAFT;
// this command checks the draft before signing it — it is exactly a release manifest of the server's
// zod schema (server/schemas/manifest.ts; no field the format lacks), it asks for exactly what was
// requested, chains
// to the latest published release of the series, and publishes no count in 1..k−1 — then SHOWS
// the publisher what would be published (release-preview.ts: figures published and hidden per
// table, headline figures, changes since the previous release, whether it becomes the home page's
// headline) and signs only after a "yes" at the terminal or `--yes`; without a terminal and
// without `--yes` nothing is signed. It signs the canonical manifest with the publisher's key ON
// THIS MACHINE (the private key never leaves it) and sends only the signature. An unsigned draft
// stays in the publication log as a draft (every manifest shown to a publisher does).
import { canonicalJson, signDetached } from '../../../crypto/index.js';
import { flag, intInRange, requireStr, str } from '../args.js';
import type { Command } from '../command.js';
import { CliError, EXIT_OK, EXIT_USAGE, println, usageError } from '../io.js';
import { loadSigningKey } from '../keyfile.js';
import { type Featured, previewLines } from '../release-preview.js';
import { releaseManifest, type Manifest, type ReleaseEnvelope } from '../../../server/schemas/manifest.js';
import { RELEASE_DIMENSIONS } from '../../../server/schemas/release.js';

interface DryRun {
  k: number;
  tables: Array<{ dimensions: string[]; cells: number; hidden: number; hiddenCells: Array<Record<string, string>> }>;
  data: Array<{ year: number; version: number; heldBack: boolean }>;
}

/** The dimensions a release table may use (the server's list). */
export { RELEASE_DIMENSIONS };

export function parseTables(spec: string): string[][] {
  const tables = spec
    .split(';')
    .map((t) =>
      t
        .split(/[,×x*]/)
        .map((d) => d.trim())
        .filter(Boolean),
    )
    .filter((t) => t.length > 0);
  if (tables.length === 0) throw usageError('--tables vacío', '--tables is empty');
  const known = new Map(RELEASE_DIMENSIONS.map((d) => [d.toLowerCase(), d] as const));
  return tables.map((dims, i) => {
    const out = dims.map((d) => {
      const canonical = known.get(d.toLowerCase());
      if (!canonical) {
        throw usageError(
          `dimensión desconocida "${d}" en la tabla ${i + 1} de --tables; use: ${RELEASE_DIMENSIONS.join(', ')}`,
          `unknown dimension "${d}" in table ${i + 1} of --tables; use: ${RELEASE_DIMENSIONS.join(', ')}`,
        );
      }
      return canonical;
    });
    const twice = out.find((d, j) => out.indexOf(d) !== j);
    if (twice) throw usageError(`la dimensión "${twice}" aparece dos veces en la tabla ${i + 1}`, `dimension "${twice}" appears twice in table ${i + 1}`);
    if (out.length > 4) throw usageError(`la tabla ${i + 1} tiene más de 4 dimensiones`, `table ${i + 1} has more than 4 dimensions`);
    return out;
  });
}

export function parseYears(spec: string): number[] {
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const m = /^\s*(\d{4})(?:\s*-\s*(\d{4}))?\s*$/.exec(part);
    if (!m) throw usageError(`año no válido: "${part}"`, `not a year: "${part}"`);
    const a = Number(m[1]);
    const b = Number(m[2] ?? m[1]);
    for (let y = Math.min(a, b); y <= Math.max(a, b); y++) out.add(y);
  }
  return [...out].sort();
}

export const releaseCommand: Command = {
  name: 'release',
  summary: 'publicar cifras protegidas / publish protected counts',
  help: `Uso / Usage: contamos release --key publisher.key.json --series NAME --years 2023[,2024|2020-2024]
                        --tables "year,region;year,incidentType" [--k 5] [--region-groups]
                        [--hold-back] [--dry-run] [--yes] [--json]

  Pide al servidor las cifras de una serie (por ejemplo "anual"), las revisa, las firma aquí con la
  clave de publicación y las publica. Ninguna cifra entre 1 y k−1 se publica.
  Asks the server for the counts of a series, checks them, signs them here with the publisher key
  and publishes them. No count between 1 and k−1 is published.

  --series NAME       serie (minúsculas, cifras, guiones) / series (lowercase, digits, dashes)
  --years Y           años / years: 2023, 2022,2023 or 2018-2024
  --tables SPEC       tablas separadas por ";" con dimensiones separadas por "," / tables separated by ";"
                      dimensiones / dimensions: year quarter region incidentType victimGender
                      victimNationality victimAgeBand perpetratorType outcome
  --k N               umbral (por defecto el mínimo del servidor, 5; fijo para la serie desde su primera
                      publicación) / threshold (default the server's minimum, 5; fixed for the series
                      by its first release)
  --hold-back         si los datos nuevos de un año cambian poco (menos de k + p) cifras principales que
                      la serie ya publicó, publicar ese año como la vez anterior hasta que el cambio
                      sea mayor / if a year's newest data change headline figures the series
                      published by little (less than k + p), publish that year as last time until
                      the change is larger
  --dry-run           solo mostrar qué celdas se ocultarían (no publica nada, no muestra cifras) /
                      only show which cells would be hidden (publishes nothing, shows no counts)
  --yes               firmar sin preguntar (sin esta opción se muestra una vista previa y se pide
                      confirmación; sin terminal no se firma nada) / sign without asking (without it a
                      preview is shown and confirmation asked; without a terminal nothing is signed)
  --region-groups     añadir los grupos de regiones (Lima y Callao, Costa, Sierra, Selva)
  --dp                privacidad diferencial en vez de supresión / differential privacy instead of suppression
  --rho X | --epsilon X      gasto de esta publicación (zCDP o DP pura, ε cuesta ε²/2 del presupuesto
                      único del servidor) / this release's budget (zCDP or pure DP; ε costs ε²/2 of
                      the server's single budget)
  --keep-total        publicar el total general exacto / publish the grand total exactly
  --json              imprimir la publicación firmada como JSON / print the signed release as JSON`,
  options: {
    series: { type: 'string' },
    years: { type: 'string' },
    tables: { type: 'string' },
    k: { type: 'string' },
    'region-groups': { type: 'boolean' },
    json: { type: 'boolean' },
    'hold-back': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean' },
    dp: { type: 'boolean' },
    rho: { type: 'string' },
    epsilon: { type: 'string' },
    'keep-total': { type: 'boolean' },
  },
  async run({ io, values, global, client }) {
    const { signer } = await loadSigningKey(io, global.keyFile, { role: 'publisher', command: 'release' });
    const years = parseYears(requireStr(values, 'years'));
    const k = str(values, 'k') ? intInRange(str(values, 'k')!, 'k', 2, 100) : undefined;
    const base = {
      series: requireStr(values, 'series'),
      filter: years.length === 1 ? { year: years[0]! } : { years },
      tables: parseTables(requireStr(values, 'tables')),
      regionGroups: flag(values, 'region-groups'),
    };
    let request: Record<string, unknown>;
    if (flag(values, 'dp')) {
      const unit = str(values, 'rho') !== undefined ? 'rho' : 'epsilon';
      const amount = str(values, unit);
      if (amount === undefined || (str(values, 'rho') !== undefined && str(values, 'epsilon') !== undefined)) {
        throw usageError('--dp necesita --rho o --epsilon (uno solo)', '--dp needs --rho or --epsilon (exactly one)');
      }
      request = { ...base, method: 'dp', [unit]: amount, keepTotal: flag(values, 'keep-total') };
    } else {
      request = { ...base, ...(k !== undefined ? { k } : {}), method: 'suppression', holdBack: flag(values, 'hold-back') ? 'auto' : 'none' };
    }
    const c = client();
    if (flag(values, 'dry-run')) {
      const dry = await c.request<DryRun>('POST', '/api/v1/releases/dry-run', { body: request, signer });
      if (flag(values, 'json')) {
        println(io.stdout, JSON.stringify(dry.body, null, 2));
        return EXIT_OK;
      }
      println(io.stdout, `Prueba (nada publicado) / Dry run (nothing published): serie ${String(request.series)}, k = ${dry.body.k}`);
      for (const d of dry.body.data) println(io.stdout, `  ${d.year}: datos versión / data version ${d.version}${d.heldBack ? ' (retenida / held back)' : ''}`);
      println(
        io.stdout,
        '  Una prueba usa solo los datos que ya usó una publicación; la publicación contará también los reportes nuevos.\n' +
          '  A dry run uses only data a publication already used; the release will also count newer reports.',
      );
      for (const t of dry.body.tables) {
        println(io.stdout, `  [${t.dimensions.join(' × ')}] ${t.hidden} de ${t.cells} celdas ocultas / of ${t.cells} cells hidden`);
        for (const key of t.hiddenCells.slice(0, 40))
          println(
            io.stdout,
            `    ${Object.entries(key)
              .map(([d, v]) => `${d}=${v === '*' ? 'total' : v}`)
              .join(', ')}`,
          );
        if (t.hiddenCells.length > 40) println(io.stdout, `    … ${t.hiddenCells.length - 40} más / more`);
      }
      return EXIT_OK;
    }
    const draft = await c.request<{ draftId: string; hash: string; manifest: Manifest }>('POST', '/api/v1/releases', { body: request, signer });
    // The draft must be exactly a manifest of the server's schema: nothing missing or malformed, and
    // nothing this tool does not know (the publisher would sign it unseen — a report count, say).
    const m = draft.body.manifest;
    const shape = releaseManifest.safeParse(m);
    if (!shape.success || canonicalJson(shape.data) !== canonicalJson(m)) {
      const why = shape.success
        ? 'it holds fields the manifest format does not have'
        : shape.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
            .join('; ');
      throw new CliError(
        'El borrador del servidor no es un manifiesto de publicación válido; no se firmó',
        `The server's draft is not a release manifest; it was not signed: ${why}`,
      );
    }
    const list = await c.request<{ items: Array<{ series: string; sequence: number; hash: string }> }>('GET', '/api/v1/releases');
    const latest = list.body.items.filter((x) => x.series === request.series).sort((a, b) => b.sequence - a.sequence)[0];
    const problems: string[] = [];
    if (canonicalJson(m.request) !== canonicalJson(request)) problems.push('the draft is not for the request sent');
    if ((latest?.hash ?? null) !== m.previousHash || (latest?.sequence ?? 0) + 1 !== m.sequence)
      problems.push('the draft does not chain to the latest release');
    const small = m.k === undefined ? [] : m.tables.flatMap((t) => t.cells).filter((x) => !x.suppressed && x.count !== null && x.count > 0 && x.count < m.k!);
    if (small.length) problems.push(`${small.length} published count(s) below k`);
    if (problems.length)
      throw new CliError(
        'El borrador del servidor no es aceptable; no se firmó',
        `The server's draft is not acceptable; it was not signed: ${problems.join('; ')}`,
      );
    const previous = m.sequence > 1 ? (await c.request<ReleaseEnvelope>('GET', `/api/v1/releases/${m.series}-${m.sequence - 1}`)).body.manifest : null;
    const featured = (await c.request<Featured>('GET', '/api/v1/featured')).body;
    const out = flag(values, 'json') ? io.stderr : io.stdout;
    for (const line of previewLines(m, previous, featured)) println(out, line);
    if (!flag(values, 'yes')) {
      if (!io.confirm) {
        throw new CliError(
          'No se firmó nada: no hay terminal para confirmar. Revise la vista previa y repita con --yes para firmar (el borrador queda en el registro como borrador)',
          'Nothing was signed: there is no terminal to confirm. Check the preview and run again with --yes to sign (the draft stays in the log as a draft)',
          EXIT_USAGE,
        );
      }
      if (!(await io.confirm(`¿Firmar y publicar ${m.id}? / Sign and publish ${m.id}? [s/y, N] `))) {
        throw new CliError(
          `No se firmó ni publicó ${m.id} (el borrador queda en el registro de publicaciones como borrador, como todo lo que se muestra a quien publica)`,
          `${m.id} was not signed or published (the draft stays in the publication log as a draft, like everything shown to a publisher)`,
        );
      }
    }
    const signature = signDetached(canonicalJson(m), signer.secretKey);
    const res = await c.request<ReleaseEnvelope>('POST', `/api/v1/releases/drafts/${draft.body.draftId}/signature`, { body: { signature }, signer });
    if (flag(values, 'json')) {
      println(io.stdout, JSON.stringify(res.body, null, 2));
      return EXIT_OK;
    }
    const cells = m.tables.flatMap((t) => t.cells);
    const suppressed = cells.filter((x) => x.suppressed).length;
    println(io.stdout, `Publicado / Published: ${m.id} (serie ${m.series}, n.º ${m.sequence})`);
    println(io.stdout, `  hash ${res.body.hash}`);
    println(
      io.stdout,
      m.k === undefined
        ? `  ${cells.length} celdas / cells, privacidad diferencial / differential privacy; presupuesto del servidor / server budget (rho): ${m.dp?.ledger.spentAfter ?? '?'} de / of ${m.dp?.ledger.total ?? '?'}`
        : `  ${cells.length} celdas / cells, ${suppressed} protegidas / suppressed, k = ${m.k}`,
    );
    for (const d of m.data ?? [])
      if (d.heldBack)
        println(
          io.stdout,
          `  ${d.year}: cambios recientes retenidos hasta poder publicarlos sin riesgo / recent changes held back until they can be published safely`,
        );
    println(io.stdout, `  ${c.server.href.replace(/\/$/, '')}/api/v1/releases/${m.id}.csv`);
    return EXIT_OK;
  },
};
