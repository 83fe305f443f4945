/**
 * `neurocompare run <scenario.json> [--out DIR] [--seeds N] [--jobs N] [--fresh]`:
 * a thin face over `run()` (src/api/run.ts), which trains, stores units,
 * resumes and writes the results and report; this prints progress and the
 * final figures, and says how to resume after a Ctrl-C.
 */
import { availableParallelism } from "node:os";
import { run } from "../api/run.js";
import { resolveScenario } from "../api/run.js";
import type { NetworkSummary } from "../runs/network-results.js";
import type { Summary } from "../runs/results.js";
import { parsePositiveInt } from "./options.js";
import { progressObserver } from "./progress.js";

export interface RunCommandOptions {
  out?: string;
  seeds?: string;
  jobs?: string;
  fresh?: boolean;
  quiet?: boolean;
}

function chooseSeeds(scenarioSeeds: number[], option: string | undefined): number[] | undefined {
  if (option === undefined) return undefined;
  const n = parsePositiveInt(option, "--seeds");
  const first = scenarioSeeds[0] ?? 0;
  return Array.from({ length: n }, (_, i) => first + i);
}

/** The command that resumes this run (the same folder, seeds and jobs). */
function resumeCommand(file: string, dir: string, opts: RunCommandOptions): string {
  const q = (s: string) => (/^[\w./@:+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const parts = ["neurocompare", "run", q(file), "--out", q(dir)];
  if (opts.seeds !== undefined) parts.push("--seeds", opts.seeds);
  if (opts.jobs !== undefined) parts.push("--jobs", opts.jobs);
  return parts.join(" ");
}

export async function runCommand(file: string, opts: RunCommandOptions): Promise<void> {
  const { loaded } = resolveScenario(file);
  const seeds = chooseSeeds(loaded.scenario.seeds, opts.seeds);
  const jobs = opts.jobs === undefined ? undefined : parsePositiveInt(opts.jobs, "--jobs", 1024);
  const progress = opts.quiet ? undefined : progressObserver(process.stderr);
  const outcome = await run(file, {
    ...(opts.out !== undefined ? { out: opts.out } : {}),
    ...(seeds !== undefined ? { seeds } : {}),
    ...(jobs !== undefined ? { jobs } : {}),
    fresh: opts.fresh ?? false,
    handleSignals: true,
    ...(progress !== undefined ? { events: progress } : {}),
  });
  progress?.finish?.();
  if (outcome.kind === "network") printNetwork(outcome.summary as NetworkSummary);
  else printLearning(outcome.summary as Summary);
  const seconds = (outcome.wallMs / 1000).toFixed(1);
  const report = `${outcome.dir}/report.html`;
  if (!outcome.complete) {
    process.stdout.write(
      `Stopped: ${outcome.missing.length} unit(s) not finished (partial report: ${report}).\nResume with:\n  ${resumeCommand(file, outcome.dir, opts)}\n`,
    );
  } else {
    for (const d of outcome.diverged)
      process.stderr.write(`warning: ${d.learner} seed ${d.seed} diverged at epoch ${d.epoch} (exit code 3)\n`);
    process.stdout.write(`Finished in ${seconds} s${outcome.resumed ? " (resumed)" : ""}. Report: ${report}\n`);
  }
  process.exitCode = outcome.exitCode;
}

function printLearning(summary: Summary): void {
  for (const l of summary.learners) {
    const acc = l.final["testAccuracy"];
    if (l.diverged.length > 0 && l.diverged.length >= summary.seeds.length) {
      process.stdout.write(`${l.name}: diverged\n`);
    } else if (acc !== undefined) {
      const ci = acc.n > 1 ? ` ± ${(100 * acc.halfWidth).toFixed(2)} (95% CI, ${acc.n} seeds)` : "";
      process.stdout.write(`${l.name}: test accuracy ${(100 * acc.mean).toFixed(2)}%${ci}\n`);
    }
  }
}

function printNetwork(summary: NetworkSummary): void {
  for (const g of summary.groups) {
    const r = g.final["meanRateHz"];
    if (r === undefined) continue;
    process.stdout.write(
      `${g.group}: mean rate ${r.mean.toFixed(2)} Hz${r.n > 1 ? ` ± ${r.halfWidth.toFixed(2)} (95% CI, ${r.n} seeds)` : ""}\n`,
    );
  }
}

/** The default of --jobs, for the help text. */
export function defaultJobs(): number {
  return availableParallelism();
}
