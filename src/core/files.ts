/**
 * Writes that never leave half a file where a good one stood: the data goes
 * to a temporary name beside the target (`<name>.tmp-<pid>-<thread>`), then
 * a rename puts it in place (atomic on one file system, POSIX rename(2)).
 */
import {
  closeSync,
  copyFileSync,
  ftruncateSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { threadId } from "node:worker_threads";
import { UserError } from "./errors.js";

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  // A folder where the file must go (a results folder with a folder named metrics.csv): the user's to move.
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError("E_OUTPUT_INVALID", `${path}: is a folder, where this file must be written; move it away`);
  }
  const tmp = `${path}.tmp-${process.pid}-${threadId}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Copies `from` to `to` through a temporary name and a rename, as writeFileAtomic writes. */
export function copyFileAtomic(from: string, to: string): void {
  if (statSync(to, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError("E_OUTPUT_INVALID", `${to}: is a folder, where this file must be written; move it away`);
  }
  const tmp = `${to}.tmp-${process.pid}-${threadId}`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}

/** Where a streamed file stood when a checkpoint was taken: its length and whether it had stopped growing. */
export interface StreamPosition {
  bytes: number;
  truncated: boolean;
}

/**
 * A file written piece by piece (a streamed recording), atomically: it grows
 * under `<name>.partial` and appears under its name only on `commit`.
 */
export interface StreamFile {
  readonly path: string;
  /** Appends text; past `maxBytes` the text is dropped and `truncated` is set (the file keeps whole pieces). */
  write(text: string): void;
  readonly bytes: number;
  readonly truncated: boolean;
  /** Where the file stands now, for a checkpoint to continue it from. */
  position(): StreamPosition;
  commit(): void;
  /** Removes the partial file (after a failure). */
  abort(): void;
  /** Closes the partial file and leaves it for a resume (after a stop). */
  close(): void;
}

/** The name a streamed file grows under until it is committed. */
export function partialPath(path: string): string {
  return `${path}.partial`;
}

/** Opens a new streamed file (a partial file left by an earlier attempt is started afresh). */
export function openStreamFile(path: string, maxBytes: number): StreamFile {
  return streamFile(path, maxBytes, undefined)!;
}

/**
 * Continues the partial file a stopped run left, cut back to the length its
 * checkpoint recorded (anything written after the checkpoint is written
 * again). Null when there is no partial file that long to continue.
 */
export function resumeStreamFile(path: string, maxBytes: number, at: StreamPosition): StreamFile | null {
  return streamFile(path, maxBytes, at);
}

function streamFile(path: string, maxBytes: number, resume: StreamPosition | undefined): StreamFile | null {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UserError("E_OUTPUT_INVALID", `${path}: is a folder, where this file must be written; move it away`);
  }
  const tmp = partialPath(path);
  let bytes = 0;
  let truncated = false;
  let fd: number;
  if (resume !== undefined) {
    const st = statSync(tmp, { throwIfNoEntry: false });
    if (st === undefined || !st.isFile() || st.size < resume.bytes) return null;
    fd = openSync(tmp, "r+");
    ftruncateSync(fd, resume.bytes);
    bytes = resume.bytes;
    truncated = resume.truncated;
  } else {
    fd = openSync(tmp, "w");
  }
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  return {
    path,
    get bytes() {
      return bytes;
    },
    get truncated() {
      return truncated;
    },
    position: () => ({ bytes, truncated }),
    write(text: string): void {
      if (truncated) return;
      const buf = Buffer.from(text, "utf8");
      if (bytes + buf.length > maxBytes) {
        truncated = true;
        return;
      }
      writeSync(fd, buf, 0, buf.length, bytes);
      bytes += buf.length;
    },
    commit(): void {
      close();
      renameSync(tmp, path);
    },
    abort(): void {
      close();
      rmSync(tmp, { force: true });
    },
    close,
  };
}
