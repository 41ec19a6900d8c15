// zip.ts — one zip of every signed release: for each, its data package, tidy CSV, HXL CSV and the
// signed envelope (manifest, hash, signature), and a README with the licence and how to cite.
//
// Guarantees:
// - Each release's folder is what its own URLs serve (datapackage.json, data.csv, data-hxl.csv,
//   release.json = GET /api/v1/releases/{id}); its data package's relative `path` resolves
//   inside the folder, so the folder is a valid data package on its own.
// - The archive is deterministic: entries in release order, each dated by its release's
//   publication date (a zip stores local times; nothing of the request is written).
// - Built in memory with fflate (pure JavaScript, no native code, no dependencies), synchronously:
//   fflate's asynchronous mode starts a worker per file, which measured several times slower here
//   (npm run bench:open-data); the route keeps the archive until a release is added.
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { ReleaseEnvelope as Envelope } from '../schemas/manifest.js';
import { hxlCsv, tidyCsv } from './csv.js';
import { DATA_FILE, HXL_FILE, dataPackage } from './datapackage.js';
import { citationOf, licenceLine, type Terms } from './terms.js';

export const ZIP_ROOT = 'contamos-releases';

export function releasesZip(envelopes: Envelope[], terms: Terms): Uint8Array {
  const files: Zippable = {};
  const readme: string[] = [
    'Contamos — every signed release / todas las publicaciones firmadas',
    '',
    `Licence / Licencia: ${licenceLine(terms)}`,
    `Publisher / Publica: ${terms.coalition}`,
    '',
    'Each folder is a Frictionless Tabular Data Package (datapackage.json + data.csv);',
    'data-hxl.csv is the same table with HXL hashtags; release.json is the signed release.',
    'Cada carpeta es un paquete de datos (datapackage.json + data.csv); release.json es la publicación firmada.',
    '',
    'Sum only rows of one level (total, group, item) per dimension: a total row already contains its items.',
    'Sume solo filas de un mismo nivel por dimensión: una fila total ya contiene sus partes.',
    '',
    'How to cite / Cómo citar:',
  ];
  for (const env of envelopes) {
    const m = env.manifest;
    const [y, mo, d] = m.publishedOn.split('-').map(Number) as [number, number, number];
    const mtime = new Date(Date.UTC(y, mo - 1, d, 12));
    const opts = { mtime };
    files[`${ZIP_ROOT}/${m.id}/datapackage.json`] = [strToU8(JSON.stringify(dataPackage(env, terms), null, 2) + '\n'), opts];
    files[`${ZIP_ROOT}/${m.id}/${DATA_FILE}`] = [strToU8(tidyCsv(m)), opts];
    files[`${ZIP_ROOT}/${m.id}/${HXL_FILE}`] = [strToU8(hxlCsv(m)), opts];
    files[`${ZIP_ROOT}/${m.id}/release.json`] = [strToU8(JSON.stringify(env, null, 2) + '\n'), opts];
    readme.push(`  ${m.id}: ${citationOf(terms, { id: m.id, series: m.series, publishedOn: m.publishedOn, hash: env.hash })}`);
  }
  const newest =
    envelopes
      .map((e) => e.manifest.publishedOn)
      .sort()
      .at(-1) ?? '2026-01-01';
  const [y, mo, d] = newest.split('-').map(Number) as [number, number, number];
  files[`${ZIP_ROOT}/README.txt`] = [strToU8(readme.join('\r\n') + '\r\n'), { mtime: new Date(Date.UTC(y, mo - 1, d, 12)) }];
  return zipSync(files, { level: 6 });
}
