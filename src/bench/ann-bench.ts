/**
 * The artificial-network speed benchmark of /work/shared/ANCHORS.md: one
 * epoch over the 8,000 training digits of the fixed MNIST split, batch 32,
 * then accuracy on the 2,000 test digits.
 *
 *   mlp: 784-128-10, ReLU, softmax cross-entropy, SGD 0.1
 *   cnn: conv5×5×8 - maxpool2 - conv5×5×16 - maxpool2 - dense10, Adam 0.002
 *
 * The learner is built from a scenario-style config through the learner
 * registry, exactly as a scenario builds it; only the training loop here is
 * a plain one (shuffle, gather, trainBatch) so that the time is the learner's.
 * `msPerEpoch` is the mean wall time of the training epochs (evaluation excluded).
 */
import { performance } from "node:perf_hooks";
import { Rng } from "../core/rng.js";
import { createLearner, learnerConfigSchema } from "../learners/registry.js";
import type { Learner } from "../learners/learner.js";
import { mnistTask } from "../tasks/mnist.js";
import { epochOrder, gatherBatch, type Dataset } from "../tasks/task.js";

export type AnnBenchWorkload = "mlp" | "cnn";

export const ANN_BENCH_CONFIGS = {
  mlp: {
    type: "mlp", hidden: [128], activation: "relu", loss: "softmax-cross-entropy",
    optimizer: { type: "sgd", learningRate: 0.1 }, batchSize: 32,
  },
  cnn: {
    type: "cnn",
    layers: [
      { type: "conv", filters: 8, kernel: 5, stride: 1, padding: 0, activation: "relu" },
      { type: "maxpool", size: 2 },
      { type: "conv", filters: 16, kernel: 5, stride: 1, padding: 0, activation: "relu" },
      { type: "maxpool", size: 2 },
      { type: "dense", units: 10 },
    ],
    optimizer: { type: "adam", learningRate: 0.002 }, batchSize: 32,
  },
} as const;

export interface AnnBenchResult {
  workload: string;
  msPerEpoch: number;
  testAccuracy: number;
  epochs: number;
  trainSamples: number;
  testSamples: number;
}

/** One training epoch in a fresh order; buffers are the caller's. */
export function trainEpoch(learner: Learner, train: Dataset, inputSize: number, rng: Rng,
  xb: Float32Array, yb: Int32Array): { loss: number; correct: number } {
  const order = epochOrder(rng, train.count);
  const bs = learner.maxBatch;
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < train.count; start += bs) {
    const n = Math.min(bs, train.count - start);
    gatherBatch(train, inputSize, order, start, n, xb, yb);
    const r = learner.trainBatch(xb, yb, n);
    loss += r.loss * n;
    correct += r.correct;
  }
  return { loss: loss / train.count, correct };
}

export async function runAnnBench(workload: AnnBenchWorkload,
  opts: { epochs?: number; seed?: number } = {}): Promise<AnnBenchResult> {
  const epochs = opts.epochs ?? 1;
  const root = Rng.fromSeed(opts.seed ?? 1);
  const task = mnistTask({ type: "mnist" }, root.fork("task"));
  const config = learnerConfigSchema.parse(ANN_BENCH_CONFIGS[workload]);
  const learner = createLearner(config, task.shape, root.fork(`learner:${workload}`));
  const inputSize = task.shape.inputSize;
  const xb = new Float32Array(learner.maxBatch * inputSize);
  const yb = new Int32Array(learner.maxBatch);
  const orderRng = root.fork("order");
  let trainMs = 0;
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    trainEpoch(learner, task.train, inputSize, orderRng.fork(`epoch${e}`), xb, yb);
    trainMs += performance.now() - t0;
  }
  const r = learner.evaluate(task.test.x, task.test.y, task.test.count);
  return {
    workload,
    msPerEpoch: trainMs / epochs,
    testAccuracy: r.correct / task.test.count,
    epochs,
    trainSamples: task.train.count,
    testSamples: task.test.count,
  };
}
