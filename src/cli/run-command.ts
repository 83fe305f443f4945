/**
 * `neurocompare run <scenario.json> [--out DIR] [--seeds N] [--jobs N] [--fresh] [--shard i/n]`:
 * a thin face over `run()` and `runShard()` (src/api/run.ts), which train,
 * store units, resume and write the results and report; this prints progress
 * and the final figures, and says how to resume after a Ctrl-C. Without
 * `--shard`, a SLURM array task or a Kubernetes Indexed Job's pod runs its
 * shard (runs/shard.ts says which variables choose it).
 */
import { availableParallelism } from "node:os";
import { run, runShard, type RunCallOptions, type ShardOutcome } from "../api/run.js";
import { resolveScenario } from "../api/run.js";
import type { Interval } from "../metrics/stats.js";
import { intervalText } from "../report/bounds.js";
import type { NetworkSummary } from "../runs/network-results.js";
import type { Summary } from "../runs/results.js";
import { parseShard, shardFromEnvironment, type ShardChoice } from "../runs/shard.js";
import { resolve } from "node:path";
import { fileComponent, outputPath } from "../core/paths.js";
import { attachOutputDir } from "./crash-report.js";
import type { RoutingSummary } from "../runs/routing-results.js";
import type { RoutingRunResult } from "../runs/run-routing.js";
import { parseMemorySize, parsePositiveInt } from "./options.js";
import { progressObserver } from "./progress.js";

export interface RunCommandOptions {
  out?: string;
  seeds?: string;
  jobs?: string;
  fresh?: boolean;
  shard?: string;
  quiet?: boolean;
  maxMemory?: string;
}

export function chooseSeeds(scenarioSeeds: number[], option: string | undefined): number[] | undefined {
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
  if (opts.shard !== undefined) parts.push("--shard", q(opts.shard));
  return parts.join(" ");
}

/** The shard `--shard` or the environment selects, or null for the whole run. */
export function chooseShard(option: string | undefined, env: NodeJS.ProcessEnv): ShardChoice | null {
  if (option !== undefined) return { shard: parseShard(option), source: "--shard" };
  return shardFromEnvironment(env);
}

export async function runCommand(file: string, opts: RunCommandOptions): Promise<void> {
  const maxMemoryBytes = parseMemorySize(opts.maxMemory, "--max-memory");
  const { loaded } = resolveScenario(file);
  const seeds = chooseSeeds(loaded.scenario.seeds, opts.seeds);
  const jobs = opts.jobs === undefined ? undefined : parsePositiveInt(opts.jobs, "--jobs", 1024);
  const choice = chooseShard(opts.shard, process.env);
  const progress = opts.quiet ? undefined : progressObserver(process.stderr);
  // Where run() writes: a crash report, if this is a bug, goes beside the results.
  const dir =
    opts.out !== undefined ? resolve(opts.out) : outputPath(resolve("results"), fileComponent(loaded.scenario.name));
  const callOptions: RunCallOptions = {
    ...(opts.out !== undefined ? { out: opts.out } : {}),
    ...(seeds !== undefined ? { seeds } : {}),
    ...(jobs !== undefined ? { jobs } : {}),
    fresh: opts.fresh ?? false,
    ...(maxMemoryBytes !== undefined ? { maxMemoryBytes } : {}),
    handleSignals: true,
    ...(progress !== undefined ? { events: progress } : {}),
  };
  if (choice !== null) {
    const { shard, source } = choice;
    process.stderr.write(
      `Shard ${shard.index}/${shard.count}${source === "--shard" ? "" : ` (from ${source})`}: ${file}\n`,
    );
    const shardOutcome = await runShard(file, shard, callOptions).catch((e: unknown) => {
      throw attachOutputDir(e, dir);
    });
    progress?.finish?.();
    await printShard(shardOutcome, file, opts);
    process.exitCode = shardOutcome.exitCode;
    return;
  }
  const outcome = await run(file, callOptions).catch((e: unknown) => {
    throw attachOutputDir(e, dir);
  });
  progress?.finish?.();
  if (outcome.kind === "network") printNetwork(outcome.summary);
  else if (outcome.kind === "routing") await printRouting(outcome.summary, outcome.routing);
  else printLearning(outcome.summary);
  // The process's wall time (loading, training and writing the report), not the training alone.
  const seconds = process.uptime().toFixed(1);
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

async function printShard(o: ShardOutcome, file: string, opts: RunCommandOptions): Promise<void> {
  const { index, count } = o.shard;
  const seconds = process.uptime().toFixed(1);
  const units = o.units.length === 0 ? "no units (more shards than units)" : o.units.join(", ");
  if (!o.shardComplete) {
    process.stdout.write(
      `Shard ${index}/${count} stopped before its units finished (${units}).\nResume with:\n  ${resumeCommand(file, o.dir, { ...opts, shard: `${index}/${count}` })}\n`,
    );
    return;
  }
  for (const d of o.diverged)
    process.stderr.write(`warning: ${d.learner} seed ${d.seed} diverged at epoch ${d.epoch} (exit code 3)\n`);
  process.stdout.write(`Shard ${index}/${count} finished in ${seconds} s: ${units}.\n`);
  if (o.assembled !== null) {
    if (o.assembled.kind === "network") printNetwork(o.assembled.summary);
    else if (o.assembled.kind === "routing") await printRouting(o.assembled.summary, o.assembled.routing);
    else printLearning(o.assembled.summary);
    process.stdout.write(`Every unit of the run has finished. Report: ${o.dir}/report.html\n`);
  } else if (o.missing.length > 0) {
    const shown =
      o.missing.length > 8
        ? `${o.missing.slice(0, 8).join(", ")} and ${o.missing.length - 8} more`
        : o.missing.join(", ");
    process.stdout.write(
      `${o.missing.length} unit(s) of the run not finished yet (${shown}); the last shard to finish writes the report, or run:\n  neurocompare merge ${o.dir}\n`,
    );
  } else process.stdout.write(`Every unit of the run has finished. Report: ${o.dir}/report.html\n`);
}

/**
 * "92.50% ± 4.20 (95% CI over 3 seeds)", or "75.00% [50.00, 100.00] (range over 3 seeds)" where the
 * interval would leave what the metric allows (the reports' convention).
 */
function seedsText(iv: Interval, digits: number, metric: string, scale: number, unit: string): string {
  const { text, range } = intervalText(iv, digits, metric, scale);
  if (iv.n < 2) return `${text}${unit}`;
  const [mean, ...rest] = text.split(" ");
  return `${mean}${unit} ${rest.join(" ")} (${range ? "range" : "95% CI"} over ${iv.n} seeds)`;
}

function printLearning(summary: Summary): void {
  for (const l of summary.learners) {
    const acc = l.final["testAccuracy"];
    if (l.diverged.length > 0 && l.diverged.length >= summary.seeds.length) {
      process.stdout.write(`${l.name}: diverged\n`);
    } else if (acc !== undefined) {
      process.stdout.write(`${l.name}: test accuracy ${seedsText(acc, 2, "testAccuracy", 100, "%")}\n`);
    }
  }
}

/** Each strategy's mean path length, then whether Navlakha's ordering holds on each measure (per sweep point). */
async function printRouting(summary: RoutingSummary, result: RoutingRunResult): Promise<void> {
  const { routingMeasures, routingVerdict, sweepPoint } = await import("../report/routing-charts.js");
  for (const s of summary.strategies) {
    const d = s.final["meanPathLength"];
    if (d === undefined) continue;
    const ci = d.n > 1 ? ` ± ${d.halfWidth.toFixed(3)} (95% CI, ${d.n} seeds)` : "";
    process.stdout.write(`${s.name}: mean path length ${d.mean.toFixed(3)} hops${ci}\n`);
  }
  const points = [...new Set(result.strategies.map(sweepPoint))];
  for (const point of points) {
    const names = result.strategies.filter((s) => sweepPoint(s) === point).map((s) => s.name);
    const at = points.length > 1 ? ` at ${point}` : "";
    for (const m of routingMeasures(summary.scenario.evaluation.damageFractions)) {
      const verdict = routingVerdict(result.rows, names, m);
      if (verdict !== null) process.stdout.write(`Navlakha's ordering on ${m.title}${at}: ${verdict}\n`);
    }
  }
}

function printNetwork(summary: NetworkSummary): void {
  for (const g of summary.groups) {
    const r = g.final["meanRateHz"];
    if (r === undefined) continue;
    process.stdout.write(`${g.group}: mean rate ${seedsText(r, 2, "meanRateHz", 1, " Hz")}\n`);
  }
}

/** The default of --jobs, for the help text. */
export function defaultJobs(): number {
  return availableParallelism();
}
