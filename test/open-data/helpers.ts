// Shared by the open-data tests: a server with two years of reports from two organisations, and
// the Frictionless validators (the specs' JSON Schema profiles as shipped in the `datapackage`
// npm package, checked with ajv; the Table Schema applied to the CSV by `tableschema`).
import { createRequire } from 'node:module';
import AjvModule from 'ajv-draft-04';
import { parse } from 'csv-parse/sync';
import type request from 'supertest';
import { enrolMember, newId, sampleReport, signed, type SigningKey, type TestApp } from '../helpers/app.js';

const require = createRequire(import.meta.url);

export async function seedTwoYears(t: TestApp): Promise<SigningKey[]> {
  const orgs = [await enrolMember(t), await enrolMember(t)];
  const regions = ['PE-LMA', 'PE-LMA', 'PE-CAL', 'PE-ARE', 'PE-CUS', 'PE-LOR', 'PE-LMA', 'PE-CAJ'];
  const types = ['homicide', 'disappearance', 'extortion', 'threat', 'homicide'];
  for (const year of [2023, 2024]) {
    for (let i = 0; i < (year === 2023 ? 40 : 31); i++) {
      const incidentType = types[(i * 3 + year) % types.length]!;
      const body = sampleReport(t, {
        year,
        region: regions[(i + year) % regions.length]!,
        incidentType,
        ...(incidentType === 'disappearance' ? { outcome: 'still-missing' } : {}),
      });
      const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, orgs[i % 2]!, body);
      if (res.status !== 201) throw new Error(`submit failed: ${res.status}`);
    }
    // one kidnapping in Puno each year: a small count that must be hidden
    const res = await signed(t.app, 'PUT', `/api/v1/reports/${newId()}`, orgs[0]!, sampleReport(t, { year, region: 'PE-PUN', incidentType: 'kidnapping' }));
    if (res.status !== 201) throw new Error(`submit failed: ${res.status}`);
  }
  return orgs;
}

/** ajv (draft-04, as the profiles are written) with the Frictionless v1 profile `name`. */
export function frictionlessValidator(profile: 'tabular-data-package' | 'data-package') {
  const schema = require(`datapackage/lib/profiles/${profile}.json`);
  const Ajv = (AjvModule as unknown as { default: typeof AjvModule }).default ?? AjvModule;
  const ajv = new (Ajv as unknown as new (o: object) => { compile(s: unknown): ((d: unknown) => boolean) & { errors?: unknown[] | null } })({
    allErrors: true,
    strict: false,
  });
  return ajv.compile(schema);
}

/** The rows of a CSV as the Table Schema reads them (types cast, constraints checked), by tableschema. */
export async function readWithSchema(csvText: string, schema: unknown): Promise<Array<Record<string, unknown>>> {
  const { Table } = require('tableschema');
  const records: string[][] = parse(csvText, { bom: true });
  const table = await Table.load(records, { schema, headers: 1 });
  return table.read({ keyed: true, cast: true });
}

export function parseCsv(text: string): Array<Record<string, string>> {
  return parse(text, { bom: true, columns: true });
}

/** A supertest parser that keeps a binary body (zip, PNG) as one Buffer. */
export const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
