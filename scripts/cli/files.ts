// files.ts — careful file writing for secrets and records.
//
// Guarantees:
// - `writeNewPrivateFile` creates a file with mode 0600 and refuses to replace an existing one
//   (O_EXCL), so a key is never overwritten by mistake.
// - `replacePrivateFile` writes a temporary 0600 file beside the target, fsyncs it and renames it
//   over the target: a reader sees the old content or the new, never half of it.
// - `appendLineDurably` appends one line and fsyncs before returning, so a record written before a
//   crash or Ctrl-C is on disk; after a torn last line it starts a new line first. Files it
//   creates are 0600.
import { closeSync, constants, existsSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliError } from './io.js';

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function fsError(e: unknown, file: string, what: { es: string; en: string }): CliError {
  const code = (e as { code?: string }).code ?? 'error';
  if (code === 'EEXIST') {
    return new CliError(`El archivo ya existe y no se sobrescribe: ${file}`, `The file already exists and will not be overwritten: ${file}`);
  }
  if (code === 'ENOENT') {
    return new CliError(`No existe la carpeta de destino: ${path.dirname(file)}`, `The destination folder does not exist: ${path.dirname(file)}`);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new CliError(`Sin permiso para escribir ${file}`, `No permission to write ${file}`);
  }
  return new CliError(`${what.es}: ${file} (${code})`, `${what.en}: ${file} (${code})`);
}

/** Creates `file` (mode 0600) with `text`; refuses if it exists. */
export function writeNewPrivateFile(file: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    throw fsError(e, file, { es: 'No se pudo crear el archivo', en: 'Could not create the file' });
  }
  try {
    writeAll(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `file` atomically with `text` (mode 0600). With `mustNotExist`, refuses an existing file. */
export function replacePrivateFile(file: string, text: string, opts: { mustNotExist?: boolean } = {}): void {
  if (opts.mustNotExist && existsSync(file)) throw fsError({ code: 'EEXIST' }, file, { es: '', en: '' });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  writeNewPrivateFile(tmp, text);
  try {
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw fsError(e, file, { es: 'No se pudo escribir el archivo', en: 'Could not write the file' });
  }
}

/** An open 0600 file for streaming output into a temporary name, renamed into place on commit. */
export class PrivateFileWriter {
  private fd: number;
  private readonly tmp: string;
  constructor(private readonly file: string) {
    this.tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      this.fd = openSync(this.tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    } catch (e) {
      throw fsError(e, file, { es: 'No se pudo crear el archivo', en: 'Could not create the file' });
    }
  }
  write(text: string): void {
    writeAll(this.fd, text);
  }
  commit(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
    renameSync(this.tmp, this.file);
  }
  abort(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.tmp, { force: true });
  }
}

/** Appends `line` + "\n" to `file` and fsyncs it (creating the file 0600 if needed). */
export function appendLineDurably(file: string, line: string): void {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND, 0o600);
  } catch (e) {
    throw fsError(e, file, { es: 'No se pudo abrir el archivo para añadir', en: 'Could not open the file for appending' });
  }
  try {
    // After a torn write (crash mid-line) the file may not end with a newline: start a fresh line
    // so this record is not glued to the torn one.
    writeAll(fd, (endsMidLine(fd) ? '\n' : '') + line + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function endsMidLine(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  return readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
}

/**
 * Reads a text file that must be UTF-8 (a leading BOM is removed). A file in another encoding
 * (e.g. Latin-1 / Windows-1252 from an old spreadsheet) is refused with advice, rather than
 * silently turning accented letters into "�".
 */
export function readUtf8File(file: string, what: { es: string; en: string }): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new CliError(`No existe ${what.es}: ${file}`, `${what.en} not found: ${file}`);
    throw new CliError(`No se pudo leer ${what.es}: ${file}`, `Could not read ${what.en}: ${file}`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${what.es} no está en UTF-8: ${file}`, `${what.en} is not UTF-8: ${file}`, 1, [
      'Guárdelo como "CSV UTF-8" o "texto UTF-8" / Save it as "CSV UTF-8" or "UTF-8 text".',
    ]);
  }
  return text;
}
