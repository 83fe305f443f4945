/**
 * `merge(dir)`: assembles a run's tables and report from the unit files that
 * shards (SLURM array tasks, Kubernetes pods, processes started by hand) wrote
 * into one folder, then renders the report as `run` does. Safe while shards
 * still run: it reads only finished units (a unit's unit.json is written
 * last, after its result), never takes a unit's lock, writes every table
 * atomically, under the folder's assembly lock (the last shard to finish may
 * be assembling too), and says which units are missing and why.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { UserError } from "../core/errors.js";
import type { LockHolder } from "../runs/lock.js";
import { planFromManifest } from "../runs/manifest-plan.js";
import { unitLabel } from "../runs/plan.js";
import { ResultsStore } from "../runs/store.js";
import { ASSEMBLY_WAIT_MS, assembleLocked, type AssembledOutcome } from "./run.js";

/** Exit code of `neurocompare merge` when units are missing (the tables and report hold the finished ones). */
export const EXIT_INCOMPLETE = 4;

/** Where a unit the merge did not find finished stands. */
export interface MissingUnit {
  label: string;
  state: "running" | "interrupted" | "not started" | "finished during the merge";
  /** The process that holds the unit's lock, when running. */
  holder?: LockHolder;
}

/** What {@link merge} did. */
export interface MergeOutcome {
  dir: string;
  runId: string;
  /** Units in the plan, and how many the tables hold. */
  total: number;
  merged: number;
  missing: MissingUnit[];
  /** The assembled run (null when no unit has finished yet: nothing is written then). */
  assembled: AssembledOutcome | null;
  /** 0 every unit merged, 3 and a unit diverged, 4 units missing. */
  exitCode: number;
}

export async function merge(dirArg: string, options: { waitMs?: number } = {}): Promise<MergeOutcome> {
  const dir = resolve(dirArg);
  const store = ResultsStore.openExisting(dir);
  if (store === null)
    throw new UserError(
      "E_RESULTS_INVALID",
      `${dir}: expected a results folder written by \`neurocompare run\` or its shards (with a manifest.json), found ${existsSync(dir) ? "no manifest.json" : "no such folder"}`,
    );
  const { units } = planFromManifest(dir, store.manifest);
  const progress = (label: string): MissingUnit => {
    const unit = units.find((u) => unitLabel(u) === label)!;
    if (store.unitRecord(unit) !== null) return { label, state: "finished during the merge" };
    const p = store.unitProgress(unit);
    return p.state === "running" ? { label, state: p.state, holder: p.holder } : { label, state: p.state };
  };
  if (units.every((u) => store.unitRecord(u) === null)) {
    return {
      dir,
      runId: store.runId,
      total: units.length,
      merged: 0,
      missing: units.map((u) => progress(unitLabel(u))),
      assembled: null,
      exitCode: EXIT_INCOMPLETE,
    };
  }
  const assembled = await assembleLocked(store, units, {
    skipIfCurrent: false,
    waitMs: options.waitMs ?? ASSEMBLY_WAIT_MS,
  });
  if (assembled === null) throw new Error("internal: assembly skipped without skipIfCurrent");
  store.event({ event: "merge", merged: units.length - assembled.missing.length, missing: assembled.missing });
  return {
    dir,
    runId: store.runId,
    total: units.length,
    merged: units.length - assembled.missing.length,
    missing: assembled.missing.map(progress),
    assembled,
    exitCode: assembled.complete ? assembled.exitCode : EXIT_INCOMPLETE,
  };
}
