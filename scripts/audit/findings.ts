// findings.ts — what the auditor can find, with one stable code per kind of problem.
//
// Guarantees:
// - Every problem the auditor reports is a `Finding` with a code from FINDING_CODES; the code fixes
//   which check it belongs to and whether it is a failure or a warning. Codes never change meaning
//   (they are what scripts and the JSON report rely on); the wording lives in messages.ts.
// - A warning counts as a failure only under --strict (`Findings.failed(strict)`).
// - Findings carry parameters (cell names, numbers, table/column names), never a value read from
//   a database or log: inventory findings only say where and what kind ("REDACTED").

export type CheckId = 'source' | 'signatures' | 'chains' | 'versions' | 'threshold' | 'intervals' | 'changes' | 'privacy' | 'inclusion' | 'inventory';
export type Severity = 'fail' | 'warn';

/** The checks in the order of docs/release-format.md, "Guarantees a valid log keeps". */
export const CHECK_IDS: readonly CheckId[] = [
  'source',
  'signatures',
  'chains',
  'versions',
  'threshold',
  'intervals',
  'changes',
  'privacy',
  'inclusion',
  'inventory',
];

const f = (check: CheckId, severity: Severity = 'fail') => ({ check, severity });

export const FINDING_CODES = {
  // Reading the published material.
  'source-unreachable': f('source'),
  'source-invalid': f('source'),
  'well-known-invalid': f('source'),
  'publication-invalid': f('source'),
  // 1. Signatures.
  'signature-unknown-key': f('signatures'),
  'signature-invalid': f('signatures'),
  'signature-unpinned-key': f('signatures'),
  'publisher-key-unpinned': f('signatures', 'warn'),
  'hash-mismatch': f('signatures'),
  'release-log-mismatch': f('signatures'),
  'release-listing-mismatch': f('signatures'),
  // 2. Chains: the publication log and the series.
  'log-gap': f('chains'),
  'log-index': f('chains'),
  'log-link': f('chains'),
  'log-listing-mismatch': f('chains'),
  'id-mismatch': f('chains'),
  'chain-gap': f('chains'),
  'chain-fork': f('chains'),
  'chain-link': f('chains'),
  'chain-sequence': f('chains'),
  'chain-date-order': f('chains', 'warn'),
  // 3. Data versions and series parameters.
  'data-years': f('versions'),
  'version-gap': f('versions'),
  'version-since': f('versions'),
  'version-held-back-unmarked': f('versions', 'warn'),
  'series-parameters': f('versions'),
  'series-method': f('versions'),
  'k-below-minimum': f('versions'),
  // 4. Threshold.
  threshold: f('threshold'),
  // 5. Global intervals (and the table structure they rest on).
  'structure-invalid': f('intervals'),
  'structure-inconsistent': f('intervals'),
  'structure-incomplete': f('intervals', 'warn'),
  'interval-small': f('intervals'),
  'interval-pinned': f('intervals'),
  'interval-narrow': f('intervals', 'warn'),
  'hidden-small': f('intervals'),
  'interval-infeasible': f('intervals'),
  'interval-error': f('intervals'),
  // 6. Net changes between data versions.
  'change-small': f('changes'),
  // 7. Differential privacy: consistency, noise scale, the server's budget ledger.
  'dp-inconsistent': f('privacy'),
  'dp-parameters': f('privacy'),
  'dp-ledger': f('privacy'),
  'dp-invariant-unknown': f('privacy'),
  // 8. Inclusion.
  'receipt-invalid': f('inclusion'),
  'receipt-key-missing': f('inclusion'),
  'inclusion-missing': f('inclusion'),
  'inclusion-leaf-mismatch': f('inclusion'),
  'inclusion-invalid': f('inclusion'),
  'inclusion-release-unverified': f('inclusion'),
  'inclusion-fetch-error': f('inclusion'),
  // Data inventory.
  'inventory-ip-address': f('inventory'),
  'inventory-email': f('inventory'),
  'inventory-phone': f('inventory'),
  'inventory-user-agent': f('inventory'),
  'inventory-narrative': f('inventory'),
  'inventory-log-message': f('inventory', 'warn'),
  'inventory-column-name': f('inventory', 'warn'),
  'inventory-error': f('inventory'),
} as const satisfies Record<string, { check: CheckId; severity: Severity }>;

export type FindingCode = keyof typeof FINDING_CODES;

export type ParamValue = string | number | boolean | null | string[];
export type Params = Record<string, ParamValue>;

export interface Finding {
  code: FindingCode;
  check: CheckId;
  severity: Severity;
  /** The publication concerned, when there is one: its id, or `#index` for a log entry. */
  release?: string;
  params: Params;
}

/** Findings of one code kept in full; further ones are only counted (`Findings.omitted`). */
export const MAX_PER_CODE = 1000;

/** An ordered collection of findings; past MAX_PER_CODE of one code, only a count is kept. */
export class Findings {
  readonly list: Finding[] = [];
  /** Findings not kept, per code (they still count for the verdict and the totals). */
  readonly omitted = new Map<FindingCode, number>();
  private readonly perCode = new Map<FindingCode, number>();

  add(code: FindingCode, params: Params = {}, release?: string): Finding {
    const { check, severity } = FINDING_CODES[code];
    const finding: Finding = release === undefined ? { code, check, severity, params } : { code, check, severity, release, params };
    const n = (this.perCode.get(code) ?? 0) + 1;
    this.perCode.set(code, n);
    if (n > MAX_PER_CODE) this.omitted.set(code, (this.omitted.get(code) ?? 0) + 1);
    else this.list.push(finding);
    return finding;
  }

  /** How many findings of a code were added (kept or not). */
  total(code: FindingCode): number {
    return this.perCode.get(code) ?? 0;
  }

  /** The severities found for a check: 'fail', 'warn' or null when none. */
  worst(check: CheckId): Severity | null {
    let worst: Severity | null = null;
    for (const [code, n] of this.perCode) {
      if (n === 0 || FINDING_CODES[code].check !== check) continue;
      if (FINDING_CODES[code].severity === 'fail') return 'fail';
      worst = 'warn';
    }
    return worst;
  }

  count(severity: Severity): number {
    let n = 0;
    for (const [code, c] of this.perCode) if (FINDING_CODES[code].severity === severity) n += c;
    return n;
  }

  /** True when the audit fails: any failure, or (strict) any warning. */
  failed(strict: boolean): boolean {
    return this.count('fail') > 0 || (strict && this.count('warn') > 0);
  }
}
