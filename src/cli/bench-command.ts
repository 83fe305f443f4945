/**
 * `neurocompare bench mlp|cnn|lstm|cuba|pruning [--json]`: the speed workloads of
 * ANCHORS.md and the pruning benchmark (time per sample, unpruned and pruned to 50%), printed as figures (or one JSON object with --json). The
 * workloads are loaded lazily so `run` never pays for them.
 */
import { UserError } from "../core/errors.js";
import { parseDuration, parsePositiveInt, parseSeed } from "./options.js";

export const benchWorkloads = ["mlp", "cnn", "lstm", "cuba", "pruning"] as const;
export type BenchWorkload = (typeof benchWorkloads)[number];

export interface BenchOptions {
  json?: boolean;
  epochs?: string;
  seed?: string;
  neurons?: string;
  duration?: string;
  precision?: string;
}

export async function benchCommand(workload: string, opts: BenchOptions): Promise<void> {
  if (!(benchWorkloads as readonly string[]).includes(workload)) {
    throw new UserError(
      "E_OPTION_INVALID",
      `bench: expected a workload, one of ${benchWorkloads.join(", ")}; found ${JSON.stringify(workload)}`,
    );
  }
  const seed = parseSeed(opts.seed);
  const epochs = opts.epochs === undefined ? undefined : parsePositiveInt(opts.epochs, "--epochs", 100);
  let result: Record<string, unknown>;
  if (workload === "pruning") {
    const { runPruningBench, formatPruningBench } = await import("../bench/pruning-bench.js");
    const r = runPruningBench({ seed });
    process.stdout.write(opts.json ? `${JSON.stringify({ workload, ...r })}\n` : `${formatPruningBench(r)}\n`);
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
    const { runAnnBench } = await import("../bench/ann-bench.js");
    result = { ...(await runAnnBench(workload as "mlp" | "cnn" | "lstm", { epochs, seed })) };
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
