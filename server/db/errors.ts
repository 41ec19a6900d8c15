// Classifies database errors (Prisma codes and driver messages, never their data): unique
// violations (idempotency, replay, optimistic concurrency), and "the database is not reachable or
// not writable" (mapped to 503 by http/errors.ts).
export function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
}

/** A unique violation: Prisma's P2002, or a raw statement's (P2010) that the driver adapter classified so. */
export function isUniqueViolation(e: unknown): boolean {
  const code = errorCode(e);
  if (code === 'P2002') return true;
  if (code !== 'P2010') return false;
  const cause = (e as { meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } }).meta?.driverAdapterError?.cause;
  return cause?.kind === 'UniqueConstraintViolation';
}

const UNAVAILABLE_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const UNAVAILABLE_DRIVER =
  /SQLITE_(BUSY|LOCKED|READONLY|FULL|IOERR|CANTOPEN|CORRUPT)|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|57P01|57P02|57P03|08000|08003|08006|Connection terminated|connection timeout|Timed out fetching|database is locked|readonly database|disk is full|disk I\/O error|unable to open database|Transaction already closed|Transaction API error/i;

export function isUnavailable(e: unknown): boolean {
  const code = errorCode(e);
  if (code && UNAVAILABLE_PRISMA.has(code)) return true;
  const text = e instanceof Error ? `${e.name} ${e.message} ${String((e as { cause?: unknown }).cause ?? '')}` : String(e);
  return UNAVAILABLE_DRIVER.test(text) || (code !== undefined && UNAVAILABLE_DRIVER.test(code));
}
