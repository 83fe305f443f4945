/**
 * `neurocompare bench mlp|cnn|lstm|cuba|pruning|startup [--json]`: the speed
 * workloads, printed as figures (or one JSON object with --json).
 *
 * - mlp, cnn, lstm: one epoch of MNIST (8,000 training digits, batch 32) for
 *   the networks that PyTorch 1.13 on one CPU thread trains in 457 ms (MLP
 *   784-128-10, SGD 0.1), 851 ms (CNN 8c5-p2-16c5-p2-fc10, Adam 0.002) and
 *   2,824 ms (LSTM(64) over the 28 rows, Adam 0.002), measured on a 2-core
 *   x86-64 machine;
 * - cuba: the CUBA network (Vogels & Abbott 2005), which Brian2 2.5.1's C++
 *   standalone runs in 0.09 s at N = 4,000 on the same machine;
 * - pruning: time per sample before and after pruning half the synapses;
 * - startup: the time and memory of `--help`, `validate` and `bench cuba`;
 * - scenario <file>: a whole run for each `--jobs` setting, interleaved
 *   rounds, with the speed-up against the first setting;
 * - network: Diehl & Cook trained by the `network` learner (the general
 *   engine) and by the fused `stdp` learner, interleaved, CPU time per image
 *   and the ratio engine / fused (target at most 3).
 *
 * Each workload's module is imported only when it is asked for.
 */
import { UserError } from "../core/errors.js";
import { parseDuration, parsePositiveInt, parseSeed } from "./options.js";

export const benchWorkloads = ["mlp", "cnn", "lstm", "cuba", "pruning", "startup", "scenario", "network"] as const;
export type BenchWorkload = (typeof benchWorkloads)[number];

export interface BenchOptions {
  json?: boolean;
  epochs?: string;
  seed?: string;
  neurons?: string;
  duration?: string;
  precision?: string;
  runs?: string;
  kernels?: string;
  peer?: string;
  repeat?: string;
  python?: string;
  jobs?: string;
}

/** `--jobs 1,2,4`: distinct settings from 1 to 1024, at least one. */
export function parseJobsList(text: string): number[] {
  const parts = text.split(",").map((p) => p.trim());
  const jobs = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
  if (jobs.some((j) => !Number.isInteger(j) || j < 1 || j > 1024) || new Set(jobs).size !== jobs.length)
    throw new UserError(
      "E_OPTION_INVALID",
      `option --jobs: expected distinct integers from 1 to 1024 separated by commas (e.g. 1,2), found ${JSON.stringify(text)}`,
    );
  return jobs;
}

export async function benchCommand(workload: string, opts: BenchOptions, file?: string): Promise<void> {
  if (!(benchWorkloads as readonly string[]).includes(workload)) {
    throw new UserError(
      "E_OPTION_INVALID",
      `bench: expected a workload, one of ${benchWorkloads.join(", ")}; found ${JSON.stringify(workload)}`,
    );
  }
  if (workload === "scenario") {
    if (file === undefined)
      throw new UserError(
        "E_OPTION_INVALID",
        "bench scenario: expected a scenario file, e.g. bench scenario scenarios/xor.json",
      );
    const { availableParallelism } = await import("node:os");
    const jobs = parseJobsList(opts.jobs ?? `1,${Math.max(2, availableParallelism())}`);
    const rounds = opts.repeat === undefined ? 5 : parsePositiveInt(opts.repeat, "--repeat", 100);
    const { runScenarioBench, formatScenarioBench } = await import("../bench/scenario-bench.js");
    const r = await runScenarioBench({
      file,
      jobs,
      rounds,
      onRun: opts.json
        ? undefined
        : (j, round, ms) => process.stderr.write(`round ${round}/${rounds} --jobs ${j}: ${(ms / 1000).toFixed(2)} s\n`),
    });
    process.stdout.write(opts.json ? `${JSON.stringify({ workload, ...r })}\n` : `${formatScenarioBench(r)}\n`);
    return;
  }
  if (file !== undefined)
    throw new UserError("E_OPTION_INVALID", `bench ${workload}: takes no file (only bench scenario <file> does)`);
  const seed = parseSeed(opts.seed);
  const epochs = opts.epochs === undefined ? undefined : parsePositiveInt(opts.epochs, "--epochs", 100);
  let result: Record<string, unknown>;
  if (workload === "pruning") {
    const { runPruningBench, formatPruningBench } = await import("../bench/pruning-bench.js");
    const r = runPruningBench({ seed });
    process.stdout.write(opts.json ? `${JSON.stringify({ workload, ...r })}\n` : `${formatPruningBench(r)}\n`);
    return;
  }
  if (workload === "network") {
    const { runNetworkBench, formatNetworkBench } = await import("../bench/network-bench.js");
    const r = runNetworkBench({
      ...(opts.runs !== undefined ? { rounds: parsePositiveInt(opts.runs, "--runs", 1000) } : {}),
      ...(opts.neurons !== undefined ? { neurons: parsePositiveInt(opts.neurons, "--neurons", 10_000) } : {}),
      ...(seed !== undefined ? { seed } : {}),
    });
    process.stdout.write(opts.json ? `${JSON.stringify({ workload, ...r })}\n` : `${formatNetworkBench(r)}\n`);
    return;
  }
  if (workload === "startup") {
    const { runStartupBench, formatStartupBench } = await import("../bench/startup-bench.js");
    const r = runStartupBench({
      runs: opts.runs === undefined ? undefined : parsePositiveInt(opts.runs, "--runs", 100),
      neurons: opts.neurons === undefined ? undefined : parsePositiveInt(opts.neurons, "--neurons", 10_000_000),
    });
    process.stdout.write(opts.json ? `${JSON.stringify({ workload, ...r })}\n` : `${formatStartupBench(r)}\n`);
    return;
  }
  if (workload === "cuba") {
    const { runCubaBench } = await import("../bench/cuba-bench.js");
    const neurons = opts.neurons === undefined ? undefined : parsePositiveInt(opts.neurons, "--neurons", 10_000_000);
    const precision = opts.precision ?? "float64";
    if (precision !== "float64" && precision !== "float32") {
      throw new UserError(
        "E_OPTION_INVALID",
        `option --precision: expected float64 or float32, found ${JSON.stringify(precision)}`,
      );
    }
    result = { workload, ...runCubaBench({ neurons, durationS: parseDuration(opts.duration), seed, precision }) };
  } else {
    const kernels = opts.kernels ?? "exact";
    if (kernels !== "exact" && kernels !== "relaxed-simd") {
      throw new UserError(
        "E_OPTION_INVALID",
        `option --kernels: expected exact or relaxed-simd, found ${JSON.stringify(kernels)}`,
      );
    }
    if (kernels !== "exact" && workload !== "cnn") {
      throw new UserError("E_OPTION_INVALID", `option --kernels: only the cnn workload has relaxed-SIMD kernels`);
    }
    const ann = workload as "mlp" | "cnn" | "lstm";
    if (opts.peer !== undefined) {
      if (opts.peer !== "torch") {
        throw new UserError("E_OPTION_INVALID", `option --peer: expected torch, found ${JSON.stringify(opts.peer)}`);
      }
      const repeat = opts.repeat === undefined ? 5 : parsePositiveInt(opts.repeat, "--repeat", 100);
      const { runPeerComparison, formatPeerComparison } = await import("../bench/peer-bench.js");
      const c = runPeerComparison({
        workload: ann,
        repeat,
        kernels,
        ...(seed !== undefined ? { seed } : {}),
        ...(opts.python !== undefined ? { python: opts.python } : {}),
        onRun: opts.json
          ? undefined
          : (side, round, ms) => process.stderr.write(`round ${round}/${repeat} ${side}: ${ms.toFixed(0)} ms\n`),
      });
      process.stdout.write(opts.json ? `${JSON.stringify(c)}\n` : `${formatPeerComparison(c)}\n`);
      return;
    }
    const { runAnnBench } = await import("../bench/ann-bench.js");
    result = { ...(await runAnnBench(ann, { epochs, seed, kernels })) };
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  for (const [k, v] of Object.entries(result)) {
    const text =
      typeof v === "number"
        ? Number.isInteger(v)
          ? String(v)
          : v.toFixed(k.toLowerCase().includes("accuracy") ? 4 : 1)
        : String(v);
    process.stdout.write(`${k.padEnd(14)} ${text}\n`);
  }
}
