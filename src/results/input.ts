/**
 * results/input — the one way ringbench reads a file it is given (results, `--noise`,
 * `--calibration`, a suite file): a regular file only, read with a size bound counted while
 * reading, and JSON without prototype keys. `st_size` is 0 for /dev/zero, a FIFO or a /proc file,
 * so a bound checked against it alone let `compare s1 /dev/zero` grow to gigabytes; the open is
 * non-blocking, so a FIFO with no writer is refused at once instead of hanging. A "__proto__",
 * "constructor" or "prototype" key is refused: no ringbench file has one, and objects indexed by
 * scenario id or metric name must not reach Object.prototype. Content hashes (sha256 of the bytes)
 * identify a run whatever its path, so the same run given twice is caught.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** Why a file could not be used, without its name: callers put the name and the flag in front. */
/** The most a matrix.json, fleet.json or probe.json may hold (they are a few KiB). */
export const MAX_FOLDER_JSON_BYTES = 16 * 2 ** 20;

export class InputFileError extends Error {
  override name = 'InputFileError';
}

const KIND: [(st: Stats) => boolean, string][] = [
  [(s) => s.isDirectory(), 'a directory'],
  [(s) => s.isFIFO(), 'a FIFO'],
  [(s) => s.isCharacterDevice(), 'a character device'],
  [(s) => s.isBlockDevice(), 'a block device'],
  [(s) => s.isSocket(), 'a socket'],
];

const mib = (n: number) => (n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(0)} MiB` : `${n} bytes`);

/** The bytes of a regular file of at most `maxBytes` (InputFileError otherwise). */
export function readInputBytes(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputFileError(code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code ?? (e as Error).message);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputFileError(`${KIND.find(([is]) => is(st))?.[1] ?? 'not a regular file'}, not a regular file: ringbench reads only regular files`);
    const tooLarge = (what: string) => new InputFileError(`${what} is larger than such a file can be (at most ${mib(maxBytes)})`);
    // st_size settles a regular file at once; the count below holds whatever it says
    if (st.size > maxBytes) throw tooLarge(mib(st.size));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooLarge(`more than ${mib(maxBytes)}`);
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** JSON.parse that refuses prototype keys (InputFileError naming the key). */
export function parseJsonData(text: string): unknown {
  return JSON.parse(text, function (key, value) {
    if (PROTOTYPE_KEYS.has(key)) throw new InputFileError(`holds a "${key}" key, which no ringbench file has`);
    return value;
  });
}

/** A regular file's JSON, bounded and without prototype keys; `parse` errors say "not JSON". */
export function readJsonInput(path: string, maxBytes: number): { data: unknown; hash: string } {
  const bytes = readInputBytes(path, maxBytes);
  let data: unknown;
  try {
    data = parseJsonData(bytes.toString('utf8'));
  } catch (e) {
    if (e instanceof InputFileError) throw e;
    throw new InputFileError(`not JSON (${(e as Error).message})`);
  }
  return { data, hash: contentHash(bytes) };
}

/** sha256 of a file's bytes, hex: what identifies one run across paths and copies. */
export function contentHash(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** readJsonInput's data, or undefined when the file is missing or unusable (an optional file of a
 *  saved folder: a kernel's or host's probe, a matrix.json). */
export function readJsonIfUsable(path: string, maxBytes = MAX_FOLDER_JSON_BYTES): unknown {
  try {
    return readJsonInput(path, maxBytes).data;
  } catch {
    return undefined;
  }
}
