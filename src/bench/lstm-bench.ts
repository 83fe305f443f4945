/**
 * The ANCHORS "LSTM" workload: LSTM(64) over the 28 rows of each MNIST digit,
 * dense 10 with softmax cross-entropy, Adam 0.002, batch 32, epochs over the
 * 8,000 training digits, tested on the 2,000 held-out ones. The learner is
 * built and trained by the scenario runner, exactly as a scenario file would
 * (scenarios/mnist-rows-lstm.json), so the time measured is the time users get.
 * Peers measured on the same machines: PyTorch 2,824 ms per epoch, TF.js wasm
 * 17,441 ms (docs ANCHORS.md).
 */
import { runScenario } from "../scenario/run.js";
import { scenarioSchema } from "../scenario/schema.js";
import { mnistRowsTask } from "../tasks/row-digits.js";

export interface LstmBenchResult {
  workload: "lstm";
  /** Mean wall time of one training epoch (evaluation excluded). */
  msPerEpoch: number;
  testAccuracy: number;
  epochs: number;
  trainSamples: number;
  testSamples: number;
}

export async function runLstmBench(opts: { epochs?: number; seed?: number } = {}): Promise<LstmBenchResult> {
  const epochs = opts.epochs ?? 1;
  const seed = opts.seed ?? 1;
  const scenario = scenarioSchema.parse({
    name: "bench-lstm",
    description: "LSTM(64) over MNIST rows, ANCHORS workload",
    task: { type: "mnist-rows" },
    learners: [{
      type: "rnn", cell: "lstm", hidden: 64, batchSize: 32,
      // No clipping: the peers' runs (PyTorch, TF.js) used plain Adam.
      optimizer: { type: "adam", learningRate: 0.002 },
    }],
    epochs,
    seeds: [seed],
  });
  let wallMs = 0;
  let testAccuracy = 0;
  runScenario(scenario, {
    observer: {
      onEpoch(r) {
        wallMs += r.metrics["wallMs"] ?? 0;
        testAccuracy = r.metrics["testAccuracy"] ?? 0;
      },
    },
  });
  const task = mnistRowsTask({ type: "mnist-rows" }); // the cached split the run used
  return {
    workload: "lstm", msPerEpoch: wallMs / epochs, testAccuracy, epochs,
    trainSamples: task.train.count, testSamples: task.test.count,
  };
}
