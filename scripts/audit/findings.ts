// findings.ts — what the auditor can find, with one stable code per kind of problem.
//
// Guarantees:
// - Every problem the auditor reports is a `Finding` with a code from FINDING_CODES; the code fixes
//   which check it belongs to and whether it is a failure or a warning. Codes never change meaning
//   (they are what scripts and the JSON report rely on); the wording lives in messages.ts.
// - A warning counts as a failure only under --strict (`Findings.failed(strict)`).
// - Findings carry parameters (cell names, numbers, table/column names), never a value read from
//   a database or log: inventory findings only say where and what kind ("REDACTED").

export type CheckId = 'source' | 'authenticity' | 'threshold' | 'intervals' | 'differencing' | 'privacy' | 'inclusion' | 'inventory';
export type Severity = 'fail' | 'warn';

export const CHECK_IDS: readonly CheckId[] = ['source', 'authenticity', 'threshold', 'intervals', 'differencing', 'privacy', 'inclusion', 'inventory'];

const f = (check: CheckId, severity: Severity = 'fail') => ({ check, severity });

export const FINDING_CODES = {
  // Reading the published material.
  'source-unreachable': f('source'),
  'source-invalid': f('source'),
  'well-known-invalid': f('source'),
  'release-invalid': f('source'),
  'listing-mismatch': f('source'),
  'listing-order': f('source', 'warn'),
  // 1. Authenticity: signatures and hash chain.
  'signature-unknown-key': f('authenticity'),
  'signature-invalid': f('authenticity'),
  'hash-mismatch': f('authenticity'),
  'id-mismatch': f('authenticity'),
  'chain-gap': f('authenticity'),
  'chain-fork': f('authenticity'),
  'chain-link': f('authenticity'),
  'chain-date-order': f('authenticity', 'warn'),
  // 2. Threshold.
  'threshold': f('threshold'),
  // 3. Intervals (and the table structure they rest on).
  'structure-invalid': f('intervals'),
  'structure-inconsistent': f('intervals'),
  'structure-incomplete': f('intervals', 'warn'),
  'method-not-audited': f('intervals', 'warn'),
  'interval-pinned': f('intervals'),
  'interval-small': f('intervals'),
  'interval-narrow': f('intervals', 'warn'),
  'interval-infeasible': f('intervals'),
  'interval-error': f('intervals'),
  // 4. Differencing.
  'differencing': f('differencing'),
  // Differential-privacy releases: consistency, noise scale, budget ledger.
  'dp-inconsistent': f('privacy'),
  'dp-parameters': f('privacy'),
  'dp-ledger': f('privacy'),
  // 5. Inclusion.
  'receipt-invalid': f('inclusion'),
  'receipt-key-missing': f('inclusion'),
  'inclusion-missing': f('inclusion'),
  'inclusion-leaf-mismatch': f('inclusion'),
  'inclusion-invalid': f('inclusion'),
  'inclusion-release-unverified': f('inclusion'),
  'inclusion-fetch-error': f('inclusion'),
  // 6. Inventory.
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
  /** The release concerned, when there is one. */
  release?: string;
  params: Params;
}

/** An ordered collection of findings. */
export class Findings {
  readonly list: Finding[] = [];

  add(code: FindingCode, params: Params = {}, release?: string): Finding {
    const { check, severity } = FINDING_CODES[code];
    const finding: Finding = release === undefined ? { code, check, severity, params } : { code, check, severity, release, params };
    this.list.push(finding);
    return finding;
  }

  of(check: CheckId): Finding[] {
    return this.list.filter((x) => x.check === check);
  }

  count(severity: Severity): number {
    return this.list.filter((x) => x.severity === severity).length;
  }

  /** True when the audit fails: any failure, or (strict) any warning. */
  failed(strict: boolean): boolean {
    return this.list.some((x) => x.severity === 'fail' || strict);
  }
}
