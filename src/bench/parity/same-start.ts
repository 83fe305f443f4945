/**
 * The same-start check: both sides begin from our initial parameters for a
 * seed (mapped onto torch's layouts by bench/parity/models.py) and take the
 * first batches of the first epoch. It compares the first batch's loss and
 * gradient (ours read from one SGD step with learning rate 1: w₁ = w₀ − g,
 * exact up to the float32 rounding of w₀ − g), then the parameter changes
 * after `steps` steps of the workload's own optimiser (Adam's bias correction
 * and epsilon, or SGD), beside the reference's own drift from starts nudged by
 * one float32 ulp (the yardstick for what rounding alone does).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { fileComponent, outputPath } from "../../core/paths.js";
import { Rng } from "../../core/rng.js";
import { createLearner, type LearnerConfig } from "../../learners/registry.js";
import { loadMnistSplit } from "../../tasks/mnist.js";
import { gatherBatch } from "../../tasks/task.js";
import { exportInitialParams, exportMnistSplit, exportOrders, runnerOrders } from "./export.js";
import { REFERENCE_SCRIPT, runPython } from "./python.js";
import { parityWorkload, type ParityWorkloadName, workloadShape } from "./workloads.js";

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
  // Any learner with an optimiser (a new one too): the others have nothing to step.
  if (!("optimizer" in c)) throw new Error(`parity: the ${c.type} learner has no optimiser`);
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
  exportInitialParams(dataDir, w.learner, workloadShape(w), seed);
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
  // The file's own bytes: a Buffer may be a view into a larger (pooled or over-allocated) ArrayBuffer, as
  // Node 24's readFileSync returns for this file (64 KiB behind 24 KB of data), so `.buffer` alone is wrong.
  const read = (file: string) => {
    const b = readFileSync(outputPath(dataDir, file));
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
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
  const sgd = createLearner(withUnitSgd(w.learner), workloadShape(w), initRng());
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
  const learner = createLearner(w.learner, workloadShape(w), initRng());
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
