// A publisher's mistake in a release request gets a message in Spanish and English that says what
// is wrong and what is allowed — not a raw schema path — from the server and from the CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signed, startTestApp, type TestApp } from '../helpers/app.js';
import { humanPath } from '../../scripts/cli/http.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp('sqlite');
});
afterAll(async () => {
  await t?.close();
});

describe('release request errors', () => {
  it('an unknown dimension: 400, the bilingual message lists the dimensions, nothing logged', async () => {
    for (const path of ['/api/v1/releases', '/api/v1/releases/dry-run']) {
      const res = await signed(t.app, 'POST', path, t.publisher, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'victimName']] });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_body');
      expect(res.body.error.issues).toEqual([
        { path: 'tables.0.1', message: expect.stringContaining('dimensión desconocida; use una de: year, quarter, region') },
      ]);
      expect(res.body.error.issues[0].message).toContain('/ unknown dimension; use one of: year, quarter, region');
      expect(res.body.error.issues[0].message).not.toMatch(/Invalid option/);
    }
    expect(await t.db.prisma.publication.count()).toBe(0);
  });

  it('a bad series name, a repeated dimension, too many dimensions: bilingual too', async () => {
    const res = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, {
      series: 'Anual 2023',
      filter: { year: 2023 },
      tables: [
        ['year', 'year'],
        ['year', 'region', 'incidentType', 'victimGender', 'outcome'],
      ],
    });
    expect(res.status).toBe(400);
    const messages = res.body.error.issues.map((i: { message: string }) => i.message).join('\n');
    expect(messages).toContain('minúsculas, cifras y guiones');
    expect(messages).toContain('lowercase letters, digits and dashes');
    expect(messages).toContain('a lo sumo 4 dimensiones por tabla / at most 4 dimensions per table');
    // (checked once the shape is right)
    const twice = await signed(t.app, 'POST', '/api/v1/releases', t.publisher, { series: 'anual', filter: { year: 2023 }, tables: [['year', 'year']] });
    expect(twice.status).toBe(400);
    expect(twice.body.error.issues[0]).toEqual({ path: 'tables.0', message: 'una dimensión aparece dos veces / a dimension appears twice' });
  });

  it('the CLI reads a table path as a person would', () => {
    expect(humanPath('tables.0.1')).toBe('tabla 1, dimensión 2 / table 1, dimension 2 (tables.0.1)');
    expect(humanPath('tables.2')).toBe('tabla 3 / table 3 (tables.2)');
    expect(humanPath('series')).toBe('series');
  });
});
