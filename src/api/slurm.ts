/**
 * `neurocompare slurm`: runs a scenario on a SLURM cluster as a job array
 * (one shard of the units per task, runs/shard.ts) and a merge job that
 * depends on it. Writing the jobs claims the results folder first, exactly as
 * `run` would (a folder holding another run or foreign files is refused now,
 * not when the jobs start), so every task adopts one manifest; the scripts
 * (runs/sbatch.ts) are written beside the results as `<name>.sbatch` and
 * `<name>-merge.sbatch`. Submitting calls `sbatch --parsable` twice, the
 * second time with `--dependency=afterok:<array job id>`.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { UserError } from "../core/errors.js";
import { fileComponent, outputPath } from "../core/paths.js";
import { writeFileAtomic } from "../core/files.js";
import { planLearningUnits, planNetworkUnits, planRoutingUnits } from "../runs/plan.js";
import { sbatchScripts } from "../runs/sbatch.js";
import { MAX_SHARDS } from "../runs/shard.js";
import { prepareRun, resolveScenario } from "./run.js";
import { resolve } from "node:path";

export interface SlurmOptions {
  /** Results folder (default: results/<scenario name>). */
  out?: string;
  seeds?: number[];
  /** `--seeds N` as the user gave it, repeated in the job script. */
  seedsOption?: string;
  /** Array tasks (default: one per unit; more than the units is cut to the units). */
  tasks?: number;
  cpusPerTask?: number;
  partition?: string;
  time?: string;
  fresh?: boolean;
  /** The command that runs neurocompare on the nodes (default: this Node binary and this package's CLI). */
  command?: readonly string[];
}

export interface SlurmJobs {
  dir: string;
  arrayScript: string;
  mergeScript: string;
  tasks: number;
  units: number;
}

/** This package's CLI entry point (the built one when running from the TypeScript sources). */
function cliEntry(): string {
  const url = import.meta.url.endsWith(".ts")
    ? new URL("../../dist/cli/main.js", import.meta.url)
    : new URL("../cli/main.js", import.meta.url);
  return fileURLToPath(url);
}

/** Claims the results folder and writes the job-array and merge scripts into it. */
export async function writeSlurmJobs(scenarioFile: string, o: SlurmOptions = {}): Promise<SlurmJobs> {
  const { loaded } = resolveScenario(scenarioFile);
  const seeds = o.seeds ?? loaded.scenario.seeds;
  const units = (
    loaded.kind === "network"
      ? planNetworkUnits(seeds)
      : loaded.kind === "routing"
        ? planRoutingUnits(loaded.scenario, seeds)
        : planLearningUnits(loaded.scenario, seeds)
  ).length;
  if (o.tasks !== undefined && (!Number.isInteger(o.tasks) || o.tasks < 1 || o.tasks > MAX_SHARDS))
    throw new UserError(
      "E_OPTION_INVALID",
      `option --tasks: expected an integer from 1 to ${MAX_SHARDS}, found ${JSON.stringify(o.tasks)}`,
    );
  const tasks = Math.min(o.tasks ?? units, units);
  const dir =
    o.out !== undefined ? resolve(o.out) : outputPath(resolve("results"), fileComponent(loaded.scenario.name));
  // Generated first: a bad option or a path no script can hold is refused before the folder is touched.
  const scripts = sbatchScripts({
    name: loaded.scenario.name,
    scenarioFile: resolve(scenarioFile),
    outDir: dir,
    tasks,
    units,
    ...(o.seedsOption !== undefined ? { seedsOption: o.seedsOption } : {}),
    cpusPerTask: o.cpusPerTask ?? 1,
    ...(o.partition !== undefined ? { partition: o.partition } : {}),
    ...(o.time !== undefined ? { time: o.time } : {}),
    command: o.command ?? [process.execPath, cliEntry()],
  });
  const { store } = await prepareRun(scenarioFile, {
    out: dir,
    ...(o.seeds !== undefined ? { seeds: o.seeds } : {}),
    fresh: o.fresh ?? false,
  });
  const name = fileComponent(loaded.scenario.name);
  const arrayScript = outputPath(store.dir, `${name}.sbatch`);
  const mergeScript = outputPath(store.dir, `${name}-merge.sbatch`);
  writeFileAtomic(arrayScript, scripts.array);
  writeFileAtomic(mergeScript, scripts.merge);
  store.event({ event: "slurm", tasks, arrayScript, mergeScript });
  return { dir: store.dir, arrayScript, mergeScript, tasks, units };
}

/** Runs `sbatch --parsable ...` and returns the job id it prints ("id" or "id;cluster"). */
function sbatch(args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync("sbatch", ["--parsable", ...args], { cwd, env, encoding: "utf8" });
  if (r.error !== undefined) {
    const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new UserError(
      "E_SLURM",
      missing
        ? "sbatch not found on PATH: submit from a SLURM login node (the job scripts are written; `sbatch` them there)"
        : `sbatch could not start: ${r.error.message}`,
    );
  }
  const id = /^(\d+)(;\S+)?$/.exec(r.stdout.trim());
  if (r.status !== 0 || id === null)
    throw new UserError(
      "E_SLURM",
      `sbatch ${args.join(" ")} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim() || "no message"}`,
    );
  return id[1]!;
}

/** Submits the array, then the merge job after it (`--dependency=afterok`); returns both job ids. */
export function submitSlurmJobs(
  jobs: SlurmJobs,
  env: NodeJS.ProcessEnv = process.env,
): { arrayJobId: string; mergeJobId: string } {
  const arrayJobId = sbatch([jobs.arrayScript], jobs.dir, env);
  const mergeJobId = sbatch([`--dependency=afterok:${arrayJobId}`, jobs.mergeScript], jobs.dir, env);
  return { arrayJobId, mergeJobId };
}
