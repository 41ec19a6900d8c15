// The operator's CONTAMOS_HOLDINGS_COALITION (server/config.ts → the services' policy): pairs by
// default, one organisation at a time when set to 1, anything else refused at start (a typo must
// not silently weaken the holdings rule).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { DEFAULT_HOLDINGS_COALITION } from '../../server/disclosure/global/coalitions.js';
import { startServer } from '../../server/main.js';

describe('CONTAMOS_HOLDINGS_COALITION', () => {
  it('is 2 (pairs too) by default, 1 when set, and refuses anything else', () => {
    expect(DEFAULT_HOLDINGS_COALITION).toBe(2);
    expect(loadConfig({}).CONTAMOS_HOLDINGS_COALITION).toBe(2);
    expect(loadConfig({ CONTAMOS_HOLDINGS_COALITION: '1' }).CONTAMOS_HOLDINGS_COALITION).toBe(1);
    for (const bad of ['0', '3', 'x', '1.5', '-1']) expect(() => loadConfig({ CONTAMOS_HOLDINGS_COALITION: bad }), bad).toThrow(/CONTAMOS_HOLDINGS_COALITION/);
  });

  it("reaches the release service's policy when the server starts", async () => {
    for (const [value, want] of [
      [undefined, 2],
      ['1', 1],
    ] as const) {
      const dir = mkdtempSync(path.join(tmpdir(), 'contamos-coalition-'));
      const running = await startServer(
        loadConfig({
          PORT: '0',
          HOST: '127.0.0.1',
          DATABASE_URL: `file:${path.join(dir, 'test.db')}`,
          CONTAMOS_HOME: path.join(dir, 'home'),
          LOG_LEVEL: 'silent',
          ...(value ? { CONTAMOS_HOLDINGS_COALITION: value } : {}),
        }),
      );
      try {
        expect(running.ctx.policy?.holdingsCoalition).toBe(want);
      } finally {
        await running.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
