/**
 * The parity harness: trains one of our learners and its PyTorch reference
 * (bench/parity/reference.py, Debian's python3-torch, one thread) on the same
 * exported split, in the same batches in the same order every epoch, for the
 * same seeds, and judges each epoch's test accuracy:
 *
 *   equivalent   TOST at ±margin (default 2 points), 90% confidence (α = 0.05
 *                a side): the 90% interval of ours − reference lies inside
 *                (−margin, margin) (metrics/equivalence.ts);
 *   spread       our seed-to-seed standard deviation not significantly larger
 *                than the reference's: one-sided F-test at 1%, its p-values
 *                Holm-adjusted over every row of the table (a fixed ratio
 *                would fail identical implementations by chance);
 *   more seeds   where a TOST falls short while the difference itself is
 *                inside the margin, the seeds the spread needs for 80% power
 *                (tostSeedsNeeded) are added on both sides, up to maxSeeds,
 *                and the epoch is judged again on all of them (a two-stage
 *                design: say so beside a verdict that used it).
 *
 * Our side runs through the scenario runner (runScenario), exactly as a
 * scenario file would; the reference runs at the same time in a child process.
 * Both sides draw their own initial weights from their own seeded generators:
 * the comparison is between the two distributions over seeds, not seed by seed.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  holmAdjust,
  pairedTost,
  spreadLarger,
  type SpreadTest,
  tost,
  type TostResult,
  tostSeedsNeeded,
} from "../../metrics/equivalence.js";
import { confidenceInterval, type Interval } from "../../metrics/stats.js";
import { runScenario } from "../../runs/run.js";
import { scenarioSchema } from "../../scenario/schema.js";
import { mnistShape } from "../../tasks/mnist.js";
import { mnistRowsShape } from "../../tasks/row-digits.js";
import { exportInitialParams, exportMnistSplit, exportOrders, runnerOrders } from "./export.js";
import { fileComponent, outputPath } from "../../core/paths.js";
import { Rng } from "../../core/rng.js";
import { createLearner, type LearnerConfig } from "../../learners/registry.js";
import { loadMnistSplit } from "../../tasks/mnist.js";
import { gatherBatch } from "../../tasks/task.js";
import { parityWorkload, type ParityWorkload, type ParityWorkloadName } from "./workloads.js";

/** The repository root (this file is dist/bench/parity/harness.js or src/bench/parity/harness.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const REFERENCE_SCRIPT = join(repoRoot, "bench", "parity", "reference.py");

export interface ParityOptions {
  workloads: readonly ParityWorkloadName[];
  seeds: readonly number[];
  epochs: number;
  /** The first N training digits (default all 8,000) and test digits (default all 2,000). */
  trainSize?: number;
  testSize?: number;
  /** Equivalence margin in accuracy points (default 2). */
  margin?: number;
  /** TOST level per side (default 0.05: a 90% interval). */
  alpha?: number;
  /** F-test level (default 0.01). */
  spreadAlpha?: number;
  /** Seeds a side may grow to where the spread needs them (default: no growth). */
  maxSeeds?: number;
  /** Where the split and orders are written. */
  dataDir: string;
  python?: string;
  /**
   * Start the reference from our initial parameters, seed by seed, and judge
   * the paired differences: what remains is the
   * training itself (losses, gradients, optimiser, neuron step), without the
   * seed-to-seed spread of initialisation.
   */
  sharedInit?: boolean;
  log?: (line: string) => void;
  /** Called after each workload with the report so far (a long run keeps what it has). */
  onWorkload?: (partial: ParityReport) => void;
}

/** Test accuracy in points (0-100) per epoch, per seed: acc[epoch][i] for seeds[i]. */
export interface SideRun {
  seeds: number[];
  acc: number[][];
}

export interface ParityRow {
  workload: ParityWorkloadName;
  title: string;
  epoch: number;
  ours: Interval;
  reference: Interval;
  tost: TostResult;
  spread: SpreadTest;
  /** The F-test's p after Holm's adjustment over every row of the report. */
  spreadPHolm: number;
  /** Whether both sides started from the same initial parameters (a paired TOST). */
  paired: boolean;
  /** Seeds a side behind this row, and how many were added after the first round. */
  seeds: number;
  addedSeeds: number;
  pass: boolean;
}

export interface ParityReport {
  rows: ParityRow[];
  runs: Record<string, { ours: SideRun; reference: SideRun; referenceSnntorch?: SideRun }>;
  margin: number;
  alpha: number;
  spreadAlpha: number;
  trainSize: number;
  testSize: number;
  epochs: number;
  sharedInit: boolean;
}

/** Whether /usr/bin/python3 (or `python`) can import torch; the reason when not. */
export function referenceAvailable(python = "/usr/bin/python3"): Promise<string | null> {
  return new Promise((done) => {
    const p = spawn(python, ["-c", "import torch, numpy"], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    p.on("error", (e) => done(`${python}: ${e.message}`));
    p.on("close", (code) =>
      done(code === 0 ? null : `${python} cannot import torch and numpy (${err.trim().split("\n").pop() ?? ""})`),
    );
  });
}

function emptyRun(seeds: readonly number[], epochs: number): SideRun {
  return { seeds: [...seeds], acc: Array.from({ length: epochs }, () => new Array<number>(seeds.length).fill(NaN)) };
}

/** Starts the reference for `seeds`; resolves with its accuracies once the child exits. */
function startReference(
  w: ParityWorkload,
  seeds: readonly number[],
  o: Common,
): Promise<{ run: SideRun; snntorch: SideRun }> {
  const args = [
    REFERENCE_SCRIPT,
    "--data",
    o.dataDir,
    "--orders",
    o.dataDir,
    "--name",
    w.learner.name ?? w.learner.type,
    "--seeds",
    seeds.join(","),
    "--epochs",
    String(o.epochs),
    "--train",
    String(o.trainSize),
    "--test",
    String(o.testSize),
    "--spec",
    JSON.stringify(w.reference),
    ...(o.sharedInit ? ["--init", o.dataDir] : []),
  ];
  const run = emptyRun(seeds, o.epochs);
  const snntorch = emptyRun(seeds, o.epochs);
  return new Promise((done, fail) => {
    const child = spawn(o.python, args, { cwd: dirname(REFERENCE_SCRIPT), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", (e) => fail(new Error(`parity reference (${o.python}): ${e.message}`)));
    child.on("close", (code) => {
      if (code !== 0) {
        fail(new Error(`parity reference for ${w.name} exited with ${code}:\n${err.trim().slice(-2000)}`));
        return;
      }
      for (const line of out.split("\n")) {
        if (line.trim() === "") continue;
        const r = JSON.parse(line) as {
          seed: number;
          epoch: number;
          testAccuracy: number;
          testAccuracySnntorch?: number;
        };
        const i = seeds.indexOf(r.seed);
        run.acc[r.epoch - 1]![i] = 100 * r.testAccuracy;
        if (r.testAccuracySnntorch !== undefined) snntorch.acc[r.epoch - 1]![i] = 100 * r.testAccuracySnntorch;
      }
      const missing = run.acc.some((e) => e.some((a) => Number.isNaN(a)));
      if (missing) fail(new Error(`parity reference for ${w.name}: missing epochs in its output:\n${out}`));
      else done({ run, snntorch });
    });
  });
}

/** Our learner through the scenario runner: test accuracy per epoch and seed. */
function runOurs(
  w: ParityWorkload,
  seeds: readonly number[],
  epochs: number,
  trainSize: number,
  testSize: number,
): SideRun {
  const scenario = scenarioSchema.parse({
    name: `parity-${w.name}`,
    description: `parity harness: ${w.title}`,
    task: { type: w.task, trainSize, testSize },
    learners: [w.learner],
    epochs,
    seeds: [...seeds],
    charts: [],
    evaluation: { costSamples: 0 },
  });
  const run = emptyRun(seeds, epochs);
  runScenario(scenario, {
    hooks: [],
    observer: {
      onEpoch(r) {
        run.acc[r.epoch - 1]![seeds.indexOf(r.seed)] = 100 * r.metrics["testAccuracy"]!;
      },
    },
  });
  return run;
}

function concat(a: SideRun, b: SideRun): SideRun {
  return { seeds: [...a.seeds, ...b.seeds], acc: a.acc.map((e, k) => [...e, ...b.acc[k]!]) };
}

/** Runs both sides of one workload for `seeds` (the reference in a child process meanwhile). */
interface Common {
  epochs: number;
  dataDir: string;
  trainSize: number;
  testSize: number;
  python: string;
  sharedInit: boolean;
}

async function runBoth(
  w: ParityWorkload,
  seeds: readonly number[],
  o: Common,
): Promise<{ ours: SideRun; reference: SideRun; snntorch: SideRun }> {
  const name = w.learner.name ?? w.learner.type;
  for (const s of seeds) exportOrders(o.dataDir, name, s, o.epochs, o.trainSize);
  if (o.sharedInit) for (const s of seeds) exportInitialParams(o.dataDir, w.learner, taskShape(w), s);
  const ref = startReference(w, seeds, o);
  // A rejection while ours runs (synchronously) is handled when awaited below.
  ref.catch(() => {});
  const ours = runOurs(w, seeds, o.epochs, o.trainSize, o.testSize);
  const { run, snntorch } = await ref;
  return { ours, reference: run, snntorch };
}

export async function runParity(o: ParityOptions): Promise<ParityReport> {
  const margin = o.margin ?? 2;
  const alpha = o.alpha ?? 0.05;
  const spreadAlpha = o.spreadAlpha ?? 0.01;
  const trainSize = o.trainSize ?? 8000;
  const testSize = o.testSize ?? 2000;
  const python = o.python ?? "/usr/bin/python3";
  const log = o.log ?? (() => {});
  mkdirSync(o.dataDir, { recursive: true });
  exportMnistSplit(o.dataDir); // written afresh every time: a stale copy must never stand in for ours
  const sharedInit = o.sharedInit ?? false;
  const common: Common = { epochs: o.epochs, dataDir: o.dataDir, trainSize, testSize, python, sharedInit };
  const runs: ParityReport["runs"] = {};
  const pending: PendingRow[] = [];
  for (const name of o.workloads) {
    const w = parityWorkload(name);
    const t0 = Date.now();
    log(`${name}: ${o.seeds.length} seeds a side, ${o.epochs} epochs on ${trainSize} digits...`);
    let { ours, reference, snntorch } = await runBoth(w, o.seeds, common);
    let added = 0;
    const judge = () =>
      ours.acc.map((a, k) => {
        const b = reference.acc[k]!;
        const t = sharedInit
          ? pairedTost(
              a.map((x, i) => x - b[i]!),
              margin,
              alpha,
            )
          : tost(a, b, margin, alpha);
        // The per-side spread the seeds-needed rule works with (paired: sd of the differences / √2).
        return { k, t, pooled: sharedInit ? (t.se * Math.sqrt(t.nA)) / Math.SQRT2 : pooledSd(a, b) };
      });
    const maxSeeds = o.maxSeeds ?? o.seeds.length;
    const short = judge().filter(({ t }) => !t.equivalent && Math.abs(t.diff) < margin);
    if (short.length > 0 && maxSeeds > o.seeds.length) {
      const need = Math.max(...short.map(({ pooled }) => tostSeedsNeeded(pooled, margin, alpha, 0.8)));
      const target = Math.min(maxSeeds, need);
      if (target > o.seeds.length) {
        const start = Math.max(...o.seeds) + 1;
        const extra = Array.from({ length: target - o.seeds.length }, (_, i) => start + i);
        log(
          `${name}: not yet shown equivalent at epoch(s) ${short.map(({ k }) => k + 1).join(", ")}; adding seeds ${extra[0]}-${extra[extra.length - 1]}`,
        );
        const more = await runBoth(w, extra, common);
        ours = concat(ours, more.ours);
        reference = concat(reference, more.reference);
        snntorch = concat(snntorch, more.snntorch);
        added = extra.length;
      }
    }
    runs[name] = { ours, reference, ...(w.learner.type === "surrogate" ? { referenceSnntorch: snntorch } : {}) };
    for (const { k, t } of judge()) {
      pending.push({
        workload: name,
        title: w.title,
        epoch: k + 1,
        ours: confidenceInterval(ours.acc[k]!),
        reference: confidenceInterval(reference.acc[k]!),
        tost: t,
        spread: spreadLarger(ours.acc[k]!, reference.acc[k]!, spreadAlpha),
        seeds: ours.seeds.length,
        addedSeeds: added,
        paired: sharedInit,
      });
    }
    log(`${name}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    o.onWorkload?.(
      judgeRows(pending, { runs, margin, alpha, spreadAlpha, trainSize, testSize, epochs: o.epochs, sharedInit }),
    );
  }
  return judgeRows(pending, { runs, margin, alpha, spreadAlpha, trainSize, testSize, epochs: o.epochs, sharedInit });
}

type PendingRow = Omit<ParityRow, "spreadPHolm" | "pass">;

/** Holm-adjusts the F-tests over all rows and gives each row its verdict. */
function judgeRows(pending: readonly PendingRow[], rest: Omit<ParityReport, "rows">): ParityReport {
  const adjusted = holmAdjust(pending.map((r) => r.spread.p));
  const rows = pending.map((r, i) => {
    const spreadPHolm = adjusted[i]!;
    return { ...r, spreadPHolm, pass: r.tost.equivalent && !(spreadPHolm < rest.spreadAlpha) };
  });
  return { ...rest, rows };
}

/**
 * One report from several (workloads run apart, e.g. on two machines): the
 * settings must agree and no workload may appear twice; the F-tests are
 * Holm-adjusted again over all rows.
 */
export function mergeReports(reports: readonly ParityReport[]): ParityReport {
  const first = reports[0];
  if (first === undefined) throw new Error("mergeReports: no reports");
  const keys = ["margin", "alpha", "spreadAlpha", "trainSize", "testSize", "epochs", "sharedInit"] as const;
  for (const r of reports) {
    for (const k of keys) {
      if (r[k] !== first[k]) throw new Error(`parity reports differ in ${k}: ${String(first[k])} and ${String(r[k])}`);
    }
  }
  const runs: ParityReport["runs"] = {};
  const pending: PendingRow[] = [];
  for (const r of reports) {
    for (const [name, run] of Object.entries(r.runs)) {
      if (runs[name] !== undefined) throw new Error(`parity reports both hold workload ${name}`);
      runs[name] = run;
    }
    for (const { spreadPHolm: _p, pass: _pass, ...row } of r.rows) pending.push(row);
  }
  const { rows: _rows, runs: _runs, ...settings } = first;
  return judgeRows(pending, { ...settings, runs });
}

function taskShape(w: ParityWorkload) {
  return w.task === "mnist" ? mnistShape : mnistRowsShape;
}

export interface SameStartCheck {
  workload: ParityWorkloadName;
  seed: number;
  steps: number;
  /** The first batch's loss on each side. */
  oursLoss: number;
  referenceLoss: number;
  /** Per parameter (our order): ‖g_ours − g_ref‖ / ‖g_ref‖ of the first batch's gradient. */
  gradient: { name: string; relL2: number }[];
  /** The losses of the `steps` training batches on each side. */
  oursLosses: number[];
  referenceLosses: number[];
  /**
   * Per parameter: ‖Δours − Δref‖ / ‖Δref‖ of the change over the steps, and
   * the largest of the same between the reference and itself started one ulp
   * away, over several random nudges (`control`: how far rounding alone
   * carries it).
   */
  update: { name: string; relL2: number; control: number }[];
}

/** The same learner with plain SGD at learning rate 1, so that one step moves each parameter by −gradient. */
function withUnitSgd(c: LearnerConfig): LearnerConfig {
  if (c.type === "stdp") throw new Error("parity: the stdp learner has no optimiser");
  return { ...c, optimizer: { type: "sgd", learningRate: 1 } };
}

function relL2(
  a: Float32Array,
  b: Float32Array,
  base: Float32Array | null,
  offA: number,
  offB: number,
  n: number,
): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const x = a[offA + i]! - (base === null ? 0 : base[i]!);
    const y = b[offB + i]! - (base === null ? 0 : base[i]!);
    num += (x - y) * (x - y);
    den += y * y;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

/**
 * Both sides from the same start: our initial parameters for `seed`, the
 * first batches of the first epoch. Compares the first batch's loss and
 * gradient (ours read from one SGD step with learning rate 1: w₁ = w₀ − g,
 * exact up to the float32 rounding of w₀ − g), then the parameter changes
 * after `steps` steps of the workload's own optimiser (Adam's bias correction
 * and epsilon, or SGD), beside the reference's own drift from a start nudged
 * by one float32 ulp.
 */
export async function sameStartCheck(
  name: ParityWorkloadName,
  seed: number,
  steps: number,
  dataDir: string,
  python = "/usr/bin/python3",
): Promise<SameStartCheck> {
  const w = parityWorkload(name);
  const learnerName = w.learner.name ?? w.learner.type;
  const stem = `${fileComponent(learnerName)}-seed${seed}`;
  mkdirSync(dataDir, { recursive: true });
  exportMnistSplit(dataDir);
  exportOrders(dataDir, learnerName, seed, 1, 8000);
  exportInitialParams(dataDir, w.learner, taskShape(w), seed);
  const out = await runPython(python, [
    REFERENCE_SCRIPT,
    "--data",
    dataDir,
    "--orders",
    dataDir,
    "--name",
    learnerName,
    "--seeds",
    String(seed),
    "--epochs",
    "1",
    "--spec",
    JSON.stringify(w.reference),
    "--init",
    dataDir,
    "--same-start",
    String(steps),
  ]);
  const ref = JSON.parse(out.trim().split("\n").pop()!) as { loss: number; losses: number[]; nudges: number };
  const read = (file: string) => new Float32Array(readFileSync(outputPath(dataDir, file)).buffer.slice(0));
  const refGrad = read(`grad-${stem}.f32`);
  const refAfter = read(`params-${stem}.f32`);
  const controls = Array.from({ length: ref.nudges }, (_, k) => read(`params-${stem}-ulp${k}.f32`));
  const initRng = () => Rng.fromSeed(seed).fork(`learner:${learnerName}`).fork("init");
  const { train } = loadMnistSplit();
  const batch = w.learner.batchSize;
  const x = new Float32Array(batch * 784);
  const y = new Int32Array(batch);
  const order = runnerOrders(learnerName, seed, 1, 8000);
  // The gradient: one SGD step with learning rate 1.
  const sgd = createLearner(withUnitSgd(w.learner), taskShape(w), initRng());
  const start = sgd.params().map((p) => p.value.slice());
  gatherBatch(train, 784, order, 0, batch, x, y);
  const oursLoss = sgd.trainBatch(x, y, batch).loss;
  const gradient: SameStartCheck["gradient"] = [];
  let off = 0;
  sgd.params().forEach((p, k) => {
    const g = new Float32Array(p.value.length);
    for (let i = 0; i < g.length; i++) g[i] = start[k]![i]! - p.value[i]!;
    gradient.push({ name: p.name, relL2: relL2(g, refGrad, null, 0, off, g.length) });
    off += g.length;
  });
  if (off !== refGrad.length)
    throw new Error(`same-start check ${name}: ${refGrad.length} reference values for ${off} of ours`);
  // The steps, with the workload's optimiser.
  const learner = createLearner(w.learner, taskShape(w), initRng());
  const oursLosses: number[] = [];
  for (let k = 0; k < steps; k++) {
    gatherBatch(train, 784, order, k * batch, batch, x, y);
    oursLosses.push(learner.trainBatch(x, y, batch).loss);
  }
  const update: SameStartCheck["update"] = [];
  off = 0;
  learner.params().forEach((p, k) => {
    const n = p.value.length;
    update.push({
      name: p.name,
      relL2: relL2(p.value, refAfter, start[k]!, 0, off, n),
      control: Math.max(...controls.map((c) => relL2(c, refAfter, start[k]!, off, off, n))),
    });
    off += n;
  });
  return {
    workload: name,
    seed,
    steps,
    oursLoss,
    referenceLoss: ref.loss,
    gradient,
    oursLosses,
    referenceLosses: ref.losses,
    update,
  };
}

function runPython(python: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(python, args, { cwd: dirname(REFERENCE_SCRIPT), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("error", (e) => fail(e));
    child.on("close", (code) =>
      code === 0 ? done(out) : fail(new Error(`${python} exited with ${code}:\n${err.slice(-2000)}`)),
    );
  });
}

/** √((s²_a + s²_b)/2): the per-side spread both samples suggest. */
function pooledSd(a: readonly number[], b: readonly number[]): number {
  const ia = confidenceInterval(a);
  const ib = confidenceInterval(b);
  return Math.sqrt((ia.std * ia.std + ib.std * ib.std) / 2);
}
