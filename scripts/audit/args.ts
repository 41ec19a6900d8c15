// args.ts — the auditor's command line.
//
// Guarantees:
// - Unknown flags, missing values, stray arguments and contradictory combinations are refused
//   with a UsageError (exit code 2) before anything is read or fetched.
// - `--logs` takes one or more files (until the next flag) and may be repeated; `--publisher-key`
//   may be repeated (each one a key file, a file with a base64 key, or the base64 key itself).
// - Paths are taken as given (relative to the working folder); URLs must be http(s) for
//   --server and file: or postgres(ql):// for --database.
import type { AuditOptions } from './audit.js';
import { UsageError } from './errors.js';

export interface CliOptions extends AuditOptions {
  /** A file for the JSON report, or "-" for the JSON report on stdout instead of the text. */
  json?: string;
  explain: boolean;
  help: boolean;
}

const STRING_FLAGS = new Set(['server', 'dir', 'download', 'json', 'lang', 'receipts', 'proofs', 'key', 'release', 'database', 'narrowest', 'min-k']);
const BOOLEAN_FLAGS = new Set(['strict', 'exact', 'explain', 'help']);

export const USAGE = `Uso / usage:
  npm run audit -- (--server URL | --dir DIR) [opciones/options]
  npm run audit -- --database URL [--logs FILE…]
  npm run audit -- --explain [--lang en]

  --server URL            servidor Contamos: lee /.well-known/contamos.json, el registro
                          /api/v1/publications y las publicaciones firmadas /api/v1/releases
  --dir DIR               carpeta descargada: DIR/contamos.json, DIR/publications.json,
                          DIR/publications/<n>.json, DIR/releases.json, DIR/releases/<id>.json
  --download DIR          con --server: guarda todo lo leído en DIR (el formato de --dir)
  --publisher-key CLAVE   clave de publicación esperada (archivo de clave, archivo con la clave
                          en base64, o la clave en base64); se puede repetir. Con ella las firmas
                          se comprueban solo con estas claves, no con las que anuncia el servidor
  --min-k N               umbral mínimo k que se exige (por defecto 5, el del servidor)
  --json FILE             escribe el informe JSON en FILE («-»: en la salida, en vez del texto)
  --lang es|en            idioma del informe (por defecto es)
  --strict                los avisos también hacen fallar la auditoría
  --exact                 calcula el mínimo y el máximo exactos de cada cifra (más lento)
  --narrowest N           cuántos rangos más estrechos listar (por defecto 10)
  --receipts FILE         recibos (JSON por línea: reportId, reportHash, keyId, signature)
  --proofs FILE           pruebas (JSON por línea: releaseId, reportId, proof)
  --key FILE              o bien: clave de organización miembro, para pedir las pruebas al servidor
  --release ID            publicación cuyas pruebas se verifican (obligatoria con --key)
  --database URL          file:ruta.db (SQLite) o postgresql://… (solo lectura)
  --logs FILE…            registros del servidor a revisar
  --explain               explica el modelo y cada comprobación en lenguaje llano
  -h, --help              esta ayuda

  Salida / exit: 0 aprobada/passed, 1 fallas/failures, 2 uso incorrecto/usage error.`;

export function parseCli(argv: readonly string[]): CliOptions {
  const opts: CliOptions = { lang: 'es', strict: false, exact: false, narrowest: 10, minK: 5, publisherKeys: [], logs: [], explain: false, help: false };
  const strings: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      opts.help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument: ${arg}`);
    let name = arg.slice(2);
    let inline: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      inline = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (name === 'logs') {
      const files: string[] = inline !== undefined ? [inline] : [];
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) files.push(argv[++i]!);
      if (files.length === 0) throw new UsageError('--logs needs at least one file');
      opts.logs.push(...files);
      continue;
    }
    if (name === 'publisher-key') {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError('--publisher-key needs a value');
      opts.publisherKeys.push(value);
      continue;
    }
    if (BOOLEAN_FLAGS.has(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      (opts as unknown as Record<string, boolean>)[name] = true;
      continue;
    }
    if (!STRING_FLAGS.has(name)) throw new UsageError(`unknown option: --${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (Object.hasOwn(strings, name)) throw new UsageError(`--${name} given twice`);
    strings[name] = value;
  }

  if (strings.lang !== undefined) {
    if (strings.lang !== 'es' && strings.lang !== 'en') throw new UsageError('--lang must be es or en');
    opts.lang = strings.lang;
  }
  if (strings.narrowest !== undefined) {
    const n = Number(strings.narrowest);
    if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new UsageError('--narrowest must be a whole number');
    opts.narrowest = n;
  }
  if (strings['min-k'] !== undefined) {
    const n = Number(strings['min-k']);
    if (!Number.isInteger(n) || n < 2 || n > 1000) throw new UsageError('--min-k must be a whole number from 2 to 1000');
    opts.minK = n;
  }
  for (const k of ['server', 'dir', 'download', 'json', 'receipts', 'proofs', 'key', 'release', 'database'] as const) {
    if (strings[k] !== undefined) opts[k] = strings[k];
  }
  if (opts.help) return opts;

  if (opts.server && opts.dir) throw new UsageError('use --server or --dir, not both');
  if (opts.server && !/^https?:\/\/[^/]/i.test(opts.server)) throw new UsageError('--server must be an http(s) URL');
  if (opts.download && !opts.server) throw new UsageError('--download needs --server');
  if (opts.json === '-' && opts.explain && (opts.server || opts.dir || opts.database || opts.logs.length)) {
    throw new UsageError('--json - prints the JSON report alone: run --explain separately');
  }
  if (opts.publisherKeys.length && !opts.server && !opts.dir) throw new UsageError('--publisher-key needs the published material: --server or --dir');
  if (opts.proofs && opts.key) throw new UsageError('use --proofs or --key, not both');
  if (opts.receipts && !opts.server && !opts.dir) throw new UsageError('--receipts needs the releases: --server or --dir');
  if (opts.receipts && !opts.proofs && !opts.key) throw new UsageError('--receipts needs --proofs FILE or --key FILE');
  if ((opts.proofs || opts.key) && !opts.receipts) throw new UsageError('--proofs/--key need --receipts');
  if (opts.key && !opts.server) throw new UsageError('--key fetches proofs from a server: it needs --server');
  if (opts.key && !opts.release) throw new UsageError('--key needs --release ID');
  if (opts.database && !/^(file:|postgres(ql)?:\/\/)/i.test(opts.database)) throw new UsageError('--database must be a file: or postgresql:// URL');
  if (!opts.server && !opts.dir && !opts.database && opts.logs.length === 0 && !opts.explain) {
    throw new UsageError('nothing to audit: give --server, --dir, --database or --logs (or --explain)');
  }
  return opts;
}
