// args.ts — command-line parsing shared by every command (node:util parseArgs, strict).
//
// Guarantees:
// - Unknown flags, missing values and stray positional arguments are refused with a bilingual
//   usage error (exit code 2) naming the flag, before any command does anything; a command that
//   takes positional arguments (`quarantine KEYID`) gets exactly as many as it names.
// - The global options (--server, --key, --retries, --help) mean the same in every command;
//   --server defaults to $CONTAMOS_SERVER, then http://127.0.0.1:8080, and must be an http(s) URL.
// - Paths given on the command line are resolved against the caller's working folder (io.cwd).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type CliIo, usageError } from './io.js';

export type OptionSpec = { type: 'string' | 'boolean'; short?: string };
export type OptionSpecs = Record<string, OptionSpec>;
export type Values = Record<string, string | boolean | undefined>;

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
export const DEFAULT_RETRIES = 3;

export const GLOBAL_OPTIONS: OptionSpecs = {
  server: { type: 'string' },
  key: { type: 'string' },
  retries: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const GLOBAL_HELP = `Opciones generales / Global options:
  --server URL     servidor Contamos / Contamos server
                   (por defecto / default: $CONTAMOS_SERVER o/or ${DEFAULT_SERVER})
  --key FILE       archivo de clave con el que se firma / key file to sign with
  --retries N      reintentos ante fallos de red / retries on network failures (default ${DEFAULT_RETRIES})
  -h, --help       esta ayuda / this help`;

export interface GlobalOptions {
  server: URL;
  keyFile?: string;
  retries: number;
}

/** Parses `argv` for a command with its own options plus the global ones (no positional argument). */
export function parseCommandArgs(argv: string[], options: OptionSpecs): Values {
  return parseCommandLine(argv, options, false).values;
}

/**
 * Parses `argv` for a command with its own options plus the global ones; positional arguments are
 * refused unless `allowPositionals` (then `checkPositionals` checks how many came).
 */
export function parseCommandLine(argv: string[], options: OptionSpecs, allowPositionals: boolean): { values: Values; positionals: string[] } {
  const all = { ...GLOBAL_OPTIONS, ...options };
  try {
    const { values, positionals } = parseArgs({ args: joinDashValues(argv, all), options: all, strict: true, allowPositionals });
    return { values: values as Values, positionals };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: string }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw usageError('Opción desconocida', 'Unknown option', [msg, 'Use --help para ver las opciones / Use --help to see the options.']);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw usageError('Argumento inesperado', 'Unexpected argument', [msg, 'Use --help para ver las opciones / Use --help to see the options.']);
    }
    throw usageError('Opciones no válidas', 'Invalid options', [msg]);
  }
}

/**
 * `--invite -Xy…` → `--invite=-Xy…`: invite tokens (base64url) and narratives may begin with "-",
 * which strict parseArgs would refuse as ambiguous. A following token that is itself one of the
 * known options is left alone (so a forgotten value is still reported).
 */
function joinDashValues(argv: string[], options: OptionSpecs): string[] {
  const out: string[] = [];
  const isKnown = (tok: string) => {
    const name = tok.replace(/^--?/, '').split('=')[0]!;
    return tok.startsWith('--') ? name in options : Object.values(options).some((o) => o.short === name);
  };
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    const next = argv[i + 1];
    const name = tok.startsWith('--') && !tok.includes('=') ? tok.slice(2) : undefined;
    if (name && options[name]?.type === 'string' && next?.startsWith('-') && next !== '--' && !isKnown(next)) {
      out.push(`${tok}=${next}`);
      i++;
    } else out.push(tok);
  }
  return out;
}

/** Refuses a missing or extra positional argument: `names` are those the command takes, in order. */
export function checkPositionals(positionals: string[], names: readonly string[]): void {
  if (positionals.length < names.length) {
    const missing = names
      .slice(positionals.length)
      .map((n) => `<${n}>`)
      .join(' ');
    throw usageError(`Falta el argumento ${missing}`, `Missing argument ${missing}`, ['Use --help para ver el uso / Use --help to see the usage.']);
  }
  if (positionals.length > names.length) {
    const extra = positionals.slice(names.length).join(' ');
    throw usageError('Argumento inesperado', 'Unexpected argument', [`"${extra}"`, 'Use --help para ver el uso / Use --help to see the usage.']);
  }
}

export function resolvePath(io: CliIo, p: string): string {
  return path.resolve(io.cwd ?? process.cwd(), p);
}

export function globalOptions(io: CliIo, values: Values): GlobalOptions {
  const raw = str(values, 'server') ?? io.env.CONTAMOS_SERVER ?? DEFAULT_SERVER;
  let server: URL;
  try {
    server = new URL(raw);
  } catch {
    throw usageError(`La dirección del servidor no es válida: ${raw}`, `The server address is not valid: ${raw}`, [
      'Ejemplo / Example: --server https://contamos.example.org',
    ]);
  }
  if (server.protocol !== 'http:' && server.protocol !== 'https:') {
    throw usageError(`La dirección del servidor debe empezar por https:// o http://: ${raw}`, `The server address must start with https:// or http://: ${raw}`);
  }
  if (server.username || server.password) {
    throw usageError('La dirección del servidor no debe llevar usuario ni contraseña', 'The server address must not carry a user name or password');
  }
  const retriesRaw = str(values, 'retries');
  const retries = retriesRaw === undefined ? DEFAULT_RETRIES : intInRange(retriesRaw, 'retries', 0, 20);
  const key = str(values, 'key');
  return { server, retries, ...(key !== undefined ? { keyFile: resolvePath(io, key) } : {}) };
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

export function requireStr(values: Values, name: string): string {
  const v = str(values, name);
  if (v === undefined || v.length === 0) {
    throw usageError(`Falta la opción --${name}`, `Missing option --${name}`, ['Use --help para ver las opciones / Use --help to see the options.']);
  }
  return v;
}

export function intInRange(raw: string, name: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(raw.trim())) {
    throw usageError(`--${name} debe ser un número entero: ${raw}`, `--${name} must be a whole number: ${raw}`);
  }
  const n = Number(raw.trim());
  if (n < min || n > max) {
    throw usageError(`--${name} debe estar entre ${min} y ${max}`, `--${name} must be between ${min} and ${max}`);
  }
  return n;
}

/** True for a server on this machine (plain http is acceptable there). */
export function isLoopback(url: URL): boolean {
  const h = url.hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}
