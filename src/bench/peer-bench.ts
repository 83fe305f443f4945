/**
 * Ours against PyTorch on the artificial-network workloads, in the same
 * sitting: `repeat` rounds, each one epoch of ours then one of PyTorch's, every
 * run in a fresh process (so each side's figure is a first epoch, JIT warm-up
 * and all, as a user gets it). PyTorch runs bench/peers/torch_bench.py on one
 * thread through a Python with `torch` (Debian's python3-torch at
 * /usr/bin/python3), reading the same 8,000 / 2,000 digits, written for it to
 * a temporary folder.
 *
 * Reported: each side's fastest and median epoch, and the ratios ours / peer
 * (below 1: we are faster) of the fastest runs (the headline: on a shared
 * machine other jobs only ever add time, so each side's best is what it can
 * do) and of the medians, beside the load average before and after.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../core/errors.js";
import { outputPath } from "../core/paths.js";
import type { CnnKernels } from "../learners/cnn.js";
import { loadMnistSplit } from "../tasks/mnist.js";
import type { AnnBenchWorkload } from "./ann-bench.js";
import { median } from "./median.js";

export { median };

export interface SideFigures {
  /** Epoch wall times of every run, in the order they ran (ms). */
  runsMs: number[];
  bestMs: number;
  medianMs: number;
  /** Test accuracy of the fastest run. */
  testAccuracy: number;
}

export interface PeerComparison {
  workload: AnnBenchWorkload;
  peer: "torch";
  /** The kernels our side asked for, and those that ran (exact where relaxed SIMD is missing). */
  kernels: CnnKernels;
  kernelsRan: string;
  repeat: number;
  ours: SideFigures;
  torch: SideFigures;
  /** ours / torch of the fastest runs, and of the medians. */
  ratioBest: number;
  ratioMedian: number;
  /** 1-, 5- and 15-minute load averages before the first run and after the last. */
  loadBefore: number[];
  loadAfter: number[];
  /** Node's version on our side. */
  node: string;
}

export interface PeerOptions {
  workload: AnnBenchWorkload;
  repeat?: number;
  kernels?: CnnKernels;
  seed?: number;
  python?: string;
  /** Called after each run (progress on stderr). */
  onRun?: (side: "ours" | "torch", round: number, msPerEpoch: number) => void;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The package root (dist/bench/ or src/bench/ → two up). */
const root = join(here, "..", "..");

function figures(runs: { msPerEpoch: number; testAccuracy: number }[]): SideFigures {
  const runsMs = runs.map((r) => r.msPerEpoch);
  let best = 0;
  for (let i = 1; i < runs.length; i++) if (runs[i]!.msPerEpoch < runs[best]!.msPerEpoch) best = i;
  return { runsMs, bestMs: runs[best]!.msPerEpoch, medianMs: median(runsMs), testAccuracy: runs[best]!.testAccuracy };
}

/** The last line of `out` that parses as a JSON object. */
function lastJson(out: string, what: string): Record<string, unknown> {
  const lines = out
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"));
  const last = lines[lines.length - 1];
  if (last === undefined) throw new Error(`${what} printed no JSON result`);
  return JSON.parse(last) as Record<string, unknown>;
}

export function runPeerComparison(opts: PeerOptions): PeerComparison {
  const repeat = opts.repeat ?? 5;
  const kernels = opts.kernels ?? "exact";
  const seed = opts.seed ?? 1;
  const python = opts.python ?? "/usr/bin/python3";
  const script = join(root, "bench", "peers", "torch_bench.py");
  const cli = join(root, "dist", "cli", "main.js");
  if (!existsSync(script)) {
    throw new UserError("E_DATA_MISSING", `${script}: the PyTorch side of the benchmark is missing from this install`);
  }
  if (!existsSync(cli)) throw new UserError("E_DATA_MISSING", `${cli}: build neurocompare first (npm run build)`);
  const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) {
    throw new UserError(
      "E_DATA_MISSING",
      `--peer torch: ${python} cannot import torch (Debian: apt-get install python3-torch; or give --python)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "neurocompare-peer-"));
  try {
    const data = outputPath(dir, "mnist.f32");
    const { train, test } = loadMnistSplit();
    const x = new Float32Array((train.count + test.count) * 784);
    x.set(train.x, 0);
    x.set(test.x, train.count * 784);
    const y = new Int32Array(train.count + test.count);
    y.set(train.y, 0);
    y.set(test.y, train.count);
    writeFileSync(data, Buffer.from(x.buffer));
    writeFileSync(outputPath(dir, "mnist.f32.labels"), Buffer.from(y.buffer));
    writeFileSync(outputPath(dir, "mnist.f32.json"), JSON.stringify({ train: train.count, test: test.count }));

    const loadBefore = loadavg();
    const ours: { msPerEpoch: number; testAccuracy: number }[] = [];
    const torch: { msPerEpoch: number; testAccuracy: number }[] = [];
    let kernelsRan = kernels;
    for (let round = 1; round <= repeat; round++) {
      const o = spawnSync(
        process.execPath,
        [cli, "bench", opts.workload, "--json", "--seed", String(seed), "--kernels", kernels],
        { encoding: "utf8" },
      );
      if (o.status !== 0) throw new Error(`our ${opts.workload} epoch failed: ${o.stderr}`);
      const r = lastJson(o.stdout, "neurocompare bench");
      ours.push({ msPerEpoch: Number(r["msPerEpoch"]), testAccuracy: Number(r["testAccuracy"]) });
      kernelsRan = String(r["kernels"] ?? kernels) as CnnKernels;
      opts.onRun?.("ours", round, ours[ours.length - 1]!.msPerEpoch);

      const t = spawnSync(
        python,
        [script, "--data", data, "--workloads", opts.workload, "--epochs", "1", "--seed", String(seed)],
        { encoding: "utf8" },
      );
      if (t.status !== 0) throw new Error(`torch_bench.py failed: ${t.stderr.slice(-2000)}`);
      const p = lastJson(t.stdout, "torch_bench.py");
      torch.push({ msPerEpoch: Number(p["msPerEpoch"]), testAccuracy: Number(p["testAccuracy"]) });
      opts.onRun?.("torch", round, torch[torch.length - 1]!.msPerEpoch);
    }
    const a = figures(ours);
    const b = figures(torch);
    return {
      workload: opts.workload,
      peer: "torch",
      kernels,
      kernelsRan,
      repeat,
      ours: a,
      torch: b,
      ratioBest: a.bestMs / b.bestMs,
      ratioMedian: a.medianMs / b.medianMs,
      loadBefore,
      loadAfter: loadavg(),
      node: process.versions.node,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The comparison as a few lines of text. */
export function formatPeerComparison(c: PeerComparison): string {
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(" ");
  return [
    `${c.workload}: one epoch, ${c.repeat} interleaved runs a side, each in a fresh process (Node ${c.node}, kernels ${c.kernelsRan})`,
    `ours    fastest ${ms(c.ours.bestMs).padStart(9)}  median ${ms(c.ours.medianMs).padStart(9)}  accuracy ${(100 * c.ours.testAccuracy).toFixed(1)}%  runs ${c.ours.runsMs.map((v) => v.toFixed(0)).join(", ")}`,
    `PyTorch fastest ${ms(c.torch.bestMs).padStart(9)}  median ${ms(c.torch.medianMs).padStart(9)}  accuracy ${(100 * c.torch.testAccuracy).toFixed(1)}%  runs ${c.torch.runsMs.map((v) => v.toFixed(0)).join(", ")}`,
    `ours / PyTorch: ${c.ratioBest.toFixed(2)}× fastest to fastest, ${c.ratioMedian.toFixed(2)}× median to median (below 1: ours is faster)`,
    `load average (1, 5, 15 min): ${load(c.loadBefore)} before, ${load(c.loadAfter)} after`,
  ].join("\n");
}
