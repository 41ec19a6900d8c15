// errors.ts — the one error type of the auditor's command line.
//
// Guarantees: a UsageError means the auditor was called wrongly (exit code 2, nothing audited);
// every other problem with the material becomes a finding instead.

/** A problem with how the auditor was called (exit code 2). */
export class UsageError extends Error {}
