/**
 * Bounded, typed reads of user-named files. A file is read only when it is a
 * regular file (not a FIFO, a device such as /dev/zero, a socket or a
 * folder) and no larger than a limit the caller states, so a wrong path can
 * neither hang the process (a FIFO with no writer) nor fill memory (a device
 * that never ends). The type and size come from `fstat` on the opened
 * descriptor, not from a `stat` of the path beforehand, so the file checked
 * is the file read. The open is non-blocking: opening a FIFO for reading
 * would otherwise wait for a writer before `fstat` could refuse it.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { type ErrorCode, UserError } from "./errors.js";

/** Size limits by kind of file, in bytes; a file past its limit is refused before it is read. */
export const READ_LIMITS = {
  /** A scenario is hand-written JSON: the largest bundled one is under 4 KB. */
  scenario: 16 * 1024 * 1024,
  /** Results files (metrics.csv, summary.json, spikes.csv, ...) that `report` reads back; below V8's longest string. */
  results: 256 * 1024 * 1024,
  /** An IDX dataset file as stored (compressed or not). MNIST's largest is 47 MB uncompressed. */
  idx: 2 * 1024 * 1024 * 1024 - 1,
  /** A `.nir` file (HDF5) a "nir" learner evaluates: a trained network's weights, far below this. */
  nir: 1024 * 1024 * 1024,
} as const;

export interface ReadOptions {
  /** What the file is, for messages: "scenario file", "IDX file". */
  what: string;
  maxBytes: number;
  /** Error code when the file is missing (default E_FILE_NOT_FOUND). */
  missingCode?: ErrorCode;
}

/** What a file system entry that is not a regular file is, for messages: "a directory", "a FIFO (named pipe)". */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let k = 0;
  while (v >= 1024 && k < units.length - 1) {
    v /= 1024;
    k++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[k]}`;
}

/** Reads a regular file of at most `maxBytes` bytes whole; a UserError names the file and the reason otherwise. */
export function readRegularFile(file: string, opts: ReadOptions): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO opens at once instead of waiting for a writer (Windows has no such flag and no FIFOs).
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(opts.missingCode ?? "E_FILE_NOT_FOUND", `${file}: no such ${opts.what}`);
    if (code === "EISDIR") throw new UserError("E_FILE_UNREADABLE", `${file}: is a directory, expected a ${opts.what}`);
    throw new UserError("E_FILE_UNREADABLE", `${file}: cannot open ${opts.what} (${code ?? String(e)})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new UserError("E_FILE_UNREADABLE", `${file}: is ${kindOf(st)}, expected a ${opts.what} (a regular file)`);
    }
    if (st.size > opts.maxBytes) {
      throw new UserError(
        "E_FILE_TOO_LARGE",
        `${file}: the ${opts.what} is ${formatBytes(st.size)}, more than the ${formatBytes(opts.maxBytes)} a ${opts.what} may have`,
      );
    }
    // Read what fstat promised and no more: a file that grows meanwhile is cut at its size when opened.
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === st.size ? buf : buf.subarray(0, off);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError("E_FILE_UNREADABLE", `${file}: cannot read ${opts.what} (${code ?? String(e)})`);
  } finally {
    closeSync(fd);
  }
}

/** `readRegularFile` decoded as UTF-8 text. */
export function readRegularTextFile(file: string, opts: ReadOptions): string {
  return readRegularFile(file, opts).toString("utf8");
}
