/**
 * One lock file per unit (units/<learner>/<seed>/lock), created exclusively
 * (O_EXCL), holding the run id, host, process id and start time of whoever
 * runs the unit. A second run that wants a locked unit is refused with the
 * holder named; a lock left by a process that no longer runs on this host
 * (killed, crashed) is taken over. Per unit, never per folder, so shards of
 * one run can share a folder and a merge can read it while they run.
 */
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";

export interface LockHolder {
  runId: string;
  host: string;
  pid: number;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The holder of the lock at `path` without taking it (null when there is none or it cannot be read). */
export function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    if (typeof h.pid !== "number" || typeof h.host !== "string") return null;
    return { runId: String(h.runId), host: h.host, pid: h.pid, since: String(h.since) };
  } catch {
    return null;
  }
}

/**
 * Whether a holder may still hold its lock: a process on this host that
 * runs, or any process on another host (which this host cannot see).
 */
export function holderAlive(holder: LockHolder): boolean {
  return holder.host !== hostname() || holder.pid === process.pid || alive(holder.pid);
}

/** Takes the lock at `path`; returns null when taken, or the live holder that keeps it. */
export function acquireLock(path: string, runId: string): LockHolder | null {
  const me: LockHolder = { runId, host: hostname(), pid: process.pid, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(me)}\n`, { flag: "wx" });
      return null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = readHolder(path);
    // A lock from this host whose process is gone (or an unreadable one, cut off while written) is stale.
    const stale = holder === null || (holder.host === me.host && holder.pid !== process.pid && !alive(holder.pid));
    if (holder !== null && holder.host === me.host && holder.pid === process.pid) return null;
    if (!stale) return holder;
    try {
      unlinkSync(path);
    } catch {
      // another process took it over first: the next attempt sees its lock
    }
  }
  return readHolder(path);
}

/** Removes the lock if it is still this process's. */
export function releaseLock(path: string): void {
  const holder = readHolder(path);
  if (holder !== null && holder.pid === process.pid && holder.host === hostname()) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
}
