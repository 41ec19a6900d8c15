// Argument parsing: values that begin with "-" (invite tokens, narratives) are accepted; a missing
// value before another option is still refused as wrong usage.
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../scripts/cli/args.js';
import { CliError } from '../../scripts/cli/io.js';

const opts = { invite: { type: 'string' as const }, narrative: { type: 'string' as const }, json: { type: 'boolean' as const } };

describe('parseCommandArgs', () => {
  it('takes a value that starts with a dash', () => {
    const v = parseCommandArgs(['--invite', '-AbC_dEf-123', '--narrative', '- ella dijo', '--key', 'k.json'], opts);
    expect(v).toMatchObject({ invite: '-AbC_dEf-123', narrative: '- ella dijo', key: 'k.json' });
  });

  it('still refuses a missing value, an unknown option and a stray argument (exit code 2)', () => {
    for (const argv of [['--invite', '--key', 'k'], ['--colour'], ['stray']]) {
      let err: unknown;
      try {
        parseCommandArgs(argv, opts);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(2);
    }
  });
});
