/**
 * `neurocompare slurm <scenario> [--out DIR] [--tasks n] [--partition P] [--time T]
 * [--cpus-per-task c] [--seeds N] [--fresh] [--submit]`: a thin face over
 * src/api/slurm.ts. Writes the job-array and merge scripts into the results
 * folder and prints how to submit them, or (--submit) submits them and prints
 * the job ids.
 */
import { resolveScenario } from "../api/run.js";
import { submitSlurmJobs, writeSlurmJobs } from "../api/slurm.js";
import { shellQuote } from "../runs/sbatch.js";
import { parsePositiveInt } from "./options.js";
import { chooseSeeds } from "./run-command.js";

export interface SlurmCommandOptions {
  out?: string;
  tasks?: string;
  partition?: string;
  time?: string;
  cpusPerTask?: string;
  seeds?: string;
  fresh?: boolean;
  submit?: boolean;
}

export async function slurmCommand(file: string, opts: SlurmCommandOptions): Promise<void> {
  const { loaded } = resolveScenario(file);
  const seeds = chooseSeeds(loaded.scenario.seeds, opts.seeds);
  const jobs = await writeSlurmJobs(file, {
    ...(opts.out !== undefined ? { out: opts.out } : {}),
    ...(seeds !== undefined ? { seeds, seedsOption: opts.seeds! } : {}),
    ...(opts.tasks !== undefined ? { tasks: parsePositiveInt(opts.tasks, "--tasks", 100_000) } : {}),
    ...(opts.cpusPerTask !== undefined
      ? { cpusPerTask: parsePositiveInt(opts.cpusPerTask, "--cpus-per-task", 1024) }
      : {}),
    ...(opts.partition !== undefined ? { partition: opts.partition } : {}),
    ...(opts.time !== undefined ? { time: opts.time } : {}),
    fresh: opts.fresh ?? false,
  });
  process.stdout.write(
    `${jobs.units} units in ${jobs.tasks} array task(s).\nJob array:  ${jobs.arrayScript}\nMerge job:  ${jobs.mergeScript}\n`,
  );
  if (!opts.submit) {
    process.stdout.write(
      `Submit with:\n  jid=$(sbatch --parsable ${shellQuote(jobs.arrayScript)})\n  sbatch --dependency=afterok:\${jid%%;*} ${shellQuote(jobs.mergeScript)}\n`,
    );
    return;
  }
  const { arrayJobId, mergeJobId } = submitSlurmJobs(jobs);
  process.stdout.write(
    `Submitted job array ${arrayJobId} (${jobs.tasks} task(s)) and merge job ${mergeJobId} (after the array succeeds).\nWatch: squeue -j ${arrayJobId},${mergeJobId}   Report: ${jobs.dir}/report.html\n`,
  );
}
