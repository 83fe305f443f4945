/**
 * One lock file per unit (units/<learner>/<seed>/lock), created exclusively
 * (O_EXCL), holding the run id, host, process id and start time of whoever
 * runs the unit. A second run that wants a locked unit is refused with the
 * holder named; a lock left by a process that no longer runs on this host
 * (killed, crashed) is taken over. Per unit, never per folder, so shards of
 * one run can share a folder and a merge can read it while they run.
 *
 * A holder on another host cannot be checked by its process id. When it ran
 * inside a SLURM job (SLURM_JOB_ID, recorded in the lock), `squeue` says
 * whether that job is still queued or running: a job that has left the queue
 * (finished, cancelled, cut off by its time limit or a node failure) holds
 * nothing, so an array submitted again takes its units over.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";

export interface LockHolder {
  runId: string;
  host: string;
  pid: number;
  since: string;
  /** The SLURM job the holder ran in (SLURM_JOB_ID), when it did. */
  slurmJob?: string;
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
    return {
      runId: String(h.runId),
      host: h.host,
      pid: h.pid,
      since: String(h.since),
      ...(typeof h.slurmJob === "string" ? { slurmJob: h.slurmJob } : {}),
    };
  } catch {
    return null;
  }
}

/**
 * Whether a SLURM job is still in the queue (pending, running, completing):
 * null when squeue cannot say (not installed, no controller answering).
 */
export function slurmJobQueued(jobId: string): boolean | null {
  if (!/^\d+(_\d+)?$/.test(jobId)) return null;
  const r = spawnSync("squeue", ["-h", "-j", jobId, "-o", "%T"], { encoding: "utf8", timeout: 30_000 });
  if (r.error !== undefined || r.status === null) return null;
  // A job gone from the controller's memory is an invalid id to squeue (exit 1).
  if (r.status !== 0) return /invalid job id/i.test(r.stderr) ? false : null;
  return r.stdout.trim() !== "";
}

/**
 * Whether a holder may still hold its lock: a process on this host that
 * runs; on another host, a SLURM job still queued, or any other process
 * (which this host cannot see).
 */
export function holderAlive(holder: LockHolder): boolean {
  if (holder.host === hostname()) return holder.pid === process.pid || alive(holder.pid);
  if (holder.slurmJob !== undefined) return slurmJobQueued(holder.slurmJob) ?? true;
  return true;
}

/** Takes the lock at `path`; returns null when taken, or the live holder that keeps it. */
export function acquireLock(path: string, runId: string): LockHolder | null {
  const job = process.env["SLURM_JOB_ID"];
  const me: LockHolder = {
    runId,
    host: hostname(),
    pid: process.pid,
    since: new Date().toISOString(),
    ...(job !== undefined && job !== "" ? { slurmJob: job } : {}),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(me)}\n`, { flag: "wx" });
      return null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = readHolder(path);
    if (holder !== null && holder.host === me.host && holder.pid === process.pid) return null;
    // A holder that is gone (or an unreadable lock, cut off while written) is stale.
    const stale = holder === null || !holderAlive(holder);
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
