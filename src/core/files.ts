/**
 * Writes that never leave half a file where a good one stood: the data goes
 * to a temporary name beside the target (`<name>.tmp-<pid>-<thread>`), then
 * a rename puts it in place (atomic on one file system, POSIX rename(2)).
 */
import { renameSync, statSync, writeFileSync } from "node:fs";
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
