/**
 * The artificial-network speed benchmark (the workloads PyTorch, TF.js and
 * our learners were timed on, side by side, in bench/peers): epochs
 * over the 8,000 training digits of the fixed MNIST split, batch 32, then
 * accuracy on the 2,000 test digits.
 *
 *   mlp:  784-128-10, ReLU, softmax cross-entropy, SGD 0.1
 *   cnn:  conv5×5×8 - maxpool2 - conv5×5×16 - maxpool2 - dense10, Adam 0.002
 *   lstm: LSTM(64) over the 28 rows of each digit, dense 10, Adam 0.002 (no
 *         clipping: the peers' runs used plain Adam)
 *
 * The learner is built and trained by the scenario runner, exactly as a
 * scenario file would (scenarios/mnist-mlp.json, scenarios/mnist-cnn.json use
 * the same learner configs with more epochs), so the time measured is the
 * time users get. `msPerEpoch` is the runner's mean training wall time per
 * epoch (evaluation excluded). Peers measured on the same 2-core x86-64
 * machines, quiet (PyTorch 1.13 CPU on one thread, TensorFlow.js 4.22 wasm
 * backend): MLP PyTorch 457 ms, TF.js 1,685 ms; CNN PyTorch 851 ms (TF.js
 * wasm cannot train it: no Conv2DBackpropFilter kernel); LSTM PyTorch
 * 2,824 ms, TF.js 17,441 ms.
 *
 * Measured here while the 2-core machine ran other jobs (load 6-8), best of
 * three interleaved rounds of bench/peers/run.mjs: MLP 1,228 ms (PyTorch 722,
 * TF.js wasm 9,171 in the same sitting), CNN 7,151 ms (PyTorch 2,054). The
 * sum of each layer's best batch time × 250 (a load-free estimate): MLP
 * ~390 ms, CNN ~2,400 ms per epoch. The CNN after its direct convolution
 * kernels (2026-12-05, load 22, fastest of 5 interleaved fresh-process runs of
 * `neurocompare bench cnn --peer torch`): 1,189 ms, PyTorch 1,872 ms.
 */
import { effectiveKernels, type CnnKernels } from "../learners/cnn.js";
import { runScenario } from "../runs/run.js";
import { scenarioSchema } from "../scenario/schema.js";
import { mnistTask } from "../tasks/mnist.js";

export type AnnBenchWorkload = "mlp" | "cnn" | "lstm";

/** The task each workload trains on: digits as images, or row by row as sequences. */
const BENCH_TASKS: Record<AnnBenchWorkload, "mnist" | "mnist-rows"> = {
  mlp: "mnist",
  cnn: "mnist",
  lstm: "mnist-rows",
};

export const ANN_BENCH_CONFIGS = {
  mlp: {
    type: "mlp",
    hidden: [128],
    activation: "relu",
    loss: "softmax-cross-entropy",
    optimizer: { type: "sgd", learningRate: 0.1 },
    batchSize: 32,
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
    optimizer: { type: "adam", learningRate: 0.002 },
    batchSize: 32,
  },
  lstm: {
    type: "rnn",
    cell: "lstm",
    hidden: 64,
    batchSize: 32,
    optimizer: { type: "adam", learningRate: 0.002 },
  },
} as const;

export interface AnnBenchResult {
  workload: string;
  /** Mean wall time of one training epoch (evaluation excluded). */
  msPerEpoch: number;
  /** cnn: the kernels that ran ("exact", or "relaxed-simd" where asked for and available). */
  kernels?: CnnKernels;
  /** Test accuracy after the last epoch. */
  testAccuracy: number;
  epochs: number;
  trainSamples: number;
  testSamples: number;
}

export async function runAnnBench(
  workload: AnnBenchWorkload,
  opts: { epochs?: number; seed?: number; kernels?: CnnKernels } = {},
): Promise<AnnBenchResult> {
  const epochs = opts.epochs ?? 1;
  const seed = opts.seed ?? 1;
  const learner =
    workload === "cnn" ? { ...ANN_BENCH_CONFIGS.cnn, kernels: opts.kernels ?? "exact" } : ANN_BENCH_CONFIGS[workload];
  const scenario = scenarioSchema.parse({
    name: `bench-${workload}`,
    description: `the ${workload} speed workload (one epoch per run) on the fixed MNIST split`,
    task: { type: BENCH_TASKS[workload] },
    learners: [learner],
    epochs,
    seeds: [seed],
  });
  let wallMs = 0;
  let testAccuracy = 0;
  // What the learner will run: relaxed-simd only where the runtime has it (it warns once otherwise).
  const kernels = workload === "cnn" ? effectiveKernels(opts.kernels ?? "exact") : undefined;
  runScenario(scenario, {
    observer: {
      onEpoch(r) {
        wallMs += r.metrics["wallMs"] ?? 0;
        testAccuracy = r.metrics["testAccuracy"] ?? 0;
      },
    },
  });
  const task = mnistTask({ type: "mnist" }); // the cached split the run used (mnist-rows holds the same digits)
  return {
    workload,
    msPerEpoch: wallMs / epochs,
    ...(kernels !== undefined ? { kernels } : {}),
    testAccuracy,
    epochs,
    trainSamples: task.train.count,
    testSamples: task.test.count,
  };
}
