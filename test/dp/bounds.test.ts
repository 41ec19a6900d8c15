// What a DP request may ask for and what it costs (server/dp/bounds.ts), the request schema that
// applies it to numbers and strings alike, and the operator's bounds checked at start
// (server/config.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { DEFAULT_DP_BOUNDS, DP_MAX_RHO_CEILING, readDpBounds, readPrivacyAmount, requestProblem, rhoCharge } from '../../server/dp/bounds.js';
import { formatDecimal } from '../../server/dp/rational.js';
import { releaseRequest } from '../../server/schemas/release.js';

const dp = (amount: Record<string, unknown>) => releaseRequest.safeParse({ series: 's', method: 'dp', filter: { year: 2023 }, tables: [['year']], ...amount });

describe('a request’s rho or epsilon', () => {
  it('is read exactly, as a number or a string of the same value', () => {
    expect(formatDecimal(rhoCharge({ rho: 0.1 }))).toBe('0.1');
    expect(formatDecimal(rhoCharge({ rho: '0.1' }))).toBe('0.1');
    expect(formatDecimal(rhoCharge({ rho: '1/3' }))).toBe('1/3');
    expect(formatDecimal(rhoCharge({ epsilon: 1 }))).toBe('0.5'); // epsilon²/2
    expect(formatDecimal(rhoCharge({ epsilon: '0.3' }))).toBe('0.045');
    expect(formatDecimal(rhoCharge({ epsilon: '2/3' }))).toBe('2/9');
  });

  it('is refused beyond the ceiling, whatever its spelling', () => {
    for (const x of [1000000, '1000000', 2.0000001, '2.0000001', '2000001/1000000', 1e21]) {
      expect(requestProblem('rho', x), String(x)).toMatch(/at most 2/);
      expect(dp({ rho: x }).success, String(x)).toBe(false);
    }
    for (const x of [2.01, '2.01', '201/100', 1000]) expect(dp({ epsilon: x }).success, String(x)).toBe(false);
    expect(dp({ rho: DP_MAX_RHO_CEILING }).success).toBe(true);
    expect(dp({ rho: 2 }).success).toBe(true);
    expect(dp({ epsilon: 2 }).success).toBe(true); // 2²/2 = 2
  });

  it('is refused when malformed, not positive or absurdly small', () => {
    for (const x of [
      '1e6',
      '1E-3',
      '+1',
      '-1',
      ' 1',
      '1 ',
      '01',
      '1.',
      '.5',
      '1/0',
      '1/-2',
      '0x1',
      'Infinity',
      'NaN',
      '',
      '٣',
      '1/2/3',
      '9'.repeat(41),
      0,
      -0,
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1e-7,
      '0.0000009',
      null,
      true,
      [],
      {},
    ]) {
      expect(readPrivacyAmount(x).ok, JSON.stringify(x)).toBe(false);
      expect(dp({ rho: x }).success, JSON.stringify(x)).toBe(false);
    }
    expect(readPrivacyAmount('0.000001').ok).toBe(true);
  });

  it('property: a number and its decimal string are accepted or refused together, and cost the same', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-8, max: 1e4, noNaN: true }), fc.constantFrom('rho', 'epsilon' as const), (x, unit) => {
        const s = String(x);
        fc.pre(/^\d+(\.\d+)?$/.test(s) && s.length <= 40);
        const asNumber = dp({ [unit]: x }).success;
        expect(dp({ [unit]: s }).success).toBe(asNumber);
        if (asNumber) expect(rhoCharge({ [unit]: x } as never)).toEqual(rhoCharge({ [unit]: s } as never));
      }),
      { numRuns: 300 },
    );
  });

  it('the per-series budget of version 1 is not part of the request any more', () => {
    expect(dp({ rho: '0.5' }).success).toBe(true);
    expect(dp({ rho: '0.5', seriesBudget: { rho: '1' } }).success).toBe(false);
  });
});

describe('the operator’s bounds', () => {
  it('default to a total of 2 and 0.5 per release, and are checked at start', () => {
    expect(DEFAULT_DP_BOUNDS).toEqual({ totalRho: '2', maxRho: '0.5' });
    expect(loadConfig({}).dpBounds).toEqual({ totalRho: '2', maxRho: '0.5' });
    expect(loadConfig({ CONTAMOS_DP_TOTAL_RHO: '10', CONTAMOS_DP_MAX_RHO: '1/4' }).dpBounds).toEqual({ totalRho: '10', maxRho: '0.25' });
  });

  it('refuse to start with bounds they cannot honour', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ CONTAMOS_DP_TOTAL_RHO: '1', CONTAMOS_DP_MAX_RHO: '1.5' }, /CONTAMOS_DP_MAX_RHO must not be larger than CONTAMOS_DP_TOTAL_RHO/],
      [{ CONTAMOS_DP_TOTAL_RHO: '50', CONTAMOS_DP_MAX_RHO: '3' }, /CONTAMOS_DP_MAX_RHO must be at most 2/],
      [{ CONTAMOS_DP_TOTAL_RHO: '1000' }, /CONTAMOS_DP_TOTAL_RHO must be at most 100/],
      [{ CONTAMOS_DP_TOTAL_RHO: '0' }, /CONTAMOS_DP_TOTAL_RHO must be at least/],
      [{ CONTAMOS_DP_MAX_RHO: 'abc' }, /CONTAMOS_DP_MAX_RHO must be a decimal/],
      [{ CONTAMOS_DP_TOTAL_RHO: '1e3' }, /CONTAMOS_DP_TOTAL_RHO must be a decimal/],
    ];
    for (const [env, message] of bad) expect(() => loadConfig(env), JSON.stringify(env)).toThrow(message);
    expect(() => readDpBounds('1', '2')).toThrow(RangeError);
  });
});
