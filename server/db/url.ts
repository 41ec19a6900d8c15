// Parses DATABASE_URL: a postgres:// or postgresql:// URL selects PostgreSQL, anything else is a
// SQLite `file:` URL (the embedded default). Pure; no I/O.
export type Provider = 'sqlite' | 'postgres';

export const DEFAULT_DATABASE_URL = 'file:./data/contamos.db';

export function providerOf(url: string): Provider {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}

/** The file path of a SQLite URL (`file:./data/x.db` → `./data/x.db`). */
export function sqlitePath(url: string): string {
  const p = url.replace(/^file:/, '').replace(/\?.*$/, '');
  if (!p) throw new Error('empty SQLite path in DATABASE_URL');
  return p;
}
