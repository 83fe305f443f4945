/**
 * Writes that never leave half a file where a good one stood: the data goes
 * to a temporary name beside the target (`<name>.tmp-<pid>-<thread>`), then
 * a rename puts it in place (atomic on one file system, POSIX rename(2)).
 */
import { renameSync, writeFileSync } from "node:fs";
import { threadId } from "node:worker_threads";

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}-${threadId}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
