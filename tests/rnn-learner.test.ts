/**
 * The `rnn` learner end to end, through the same scenario runner a scenario
 * file uses. Reference: chance level of the cue-recall task (1 / classes):
 * a learner that cannot carry the cue from step 1 to the end scores ~0.25.
 */
import { describe, expect, it } from "vitest";
import { UserError } from "../src/core/errors.js";
import { Rng } from "../src/core/rng.js";
import { createLearner, learnerConfigSchema } from "../src/learners/registry.js";
import { rnnConfigSchema } from "../src/learners/rnn.js";
import { runScenario } from "../src/runs/run.js";
import { scenarioSchema } from "../src/scenario/schema.js";
import { cueRecallTask } from "../src/tasks/cue-recall.js";
import { mnistTask } from "../src/tasks/mnist.js";
import { mnistRowsTask } from "../src/tasks/row-digits.js";
import { createTask, taskConfigSchema } from "../src/tasks/registry.js";

function cueRecallAccuracy(cell: "lstm" | "gru" | "rnn", steps: number, epochs: number): number[] {
  const scenario = scenarioSchema.parse({
    name: "cue-recall-test",
    description: "test",
    task: { type: "cue-recall", steps, classes: 4, trainSize: 512, testSize: 256 },
    // The LSTM runs with Keras' initialisation (forget-gate bias 1), the init this memory test was
    // sized for: from PyTorch's (the default, forget-gate bias near 0) it needs 20-30 epochs to
    // reach 0.9 here instead of 3-7 (measured, seeds 1-3), as LSTMs without a forget-gate bias do
    // (Jozefowicz et al. 2015). GRU and tanh RNN pass from the default.
    learners: [
      {
        type: "rnn",
        cell,
        hidden: 16,
        init: cell === "lstm" ? "keras" : "pytorch",
        optimizer: { type: "adam", learningRate: 0.01, clipNorm: 5 },
      },
    ],
    epochs,
    seeds: [1],
  });
  const acc: number[] = [];
  runScenario(scenario, { observer: { onEpoch: (r) => acc.push(r.metrics["testAccuracy"]!) } });
  return acc;
}

describe("rnn learner on cue recall (chance = 0.25)", () => {
  for (const cell of ["lstm", "gru", "rnn"] as const) {
    it(`${cell} recalls the flagged cue across 8 look-alike distractors`, () => {
      const acc = cueRecallAccuracy(cell, 10, 20);
      expect(acc[0]!).toBeLessThan(0.9); // it had something to learn
      expect(acc[acc.length - 1]!).toBeGreaterThan(0.9);
    });
  }
});

describe("rnn learner configuration", () => {
  it("fills the documented defaults and rejects unknown keys", () => {
    const c = rnnConfigSchema.parse({ type: "rnn" });
    expect(c).toMatchObject({
      cell: "lstm",
      hidden: 64,
      init: "pytorch",
      batchSize: 32,
      optimizer: { type: "adam", learningRate: 0.002, clipNorm: 5 },
    });
    expect(rnnConfigSchema.safeParse({ type: "rnn", hiden: 8 }).success).toBe(false);
    expect(rnnConfigSchema.safeParse({ type: "rnn", cell: "transformer" }).success).toBe(false);
  });

  it("refuses a task without a sequence shape with E_CONFIG_INVALID", () => {
    const task = createTask(taskConfigSchema.parse({ type: "xor" }), Rng.fromSeed(0));
    const config = learnerConfigSchema.parse({ type: "rnn" });
    let err: unknown;
    try {
      createLearner(config, task.shape, Rng.fromSeed(0));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe("E_CONFIG_INVALID");
    expect((err as UserError).message).toMatch(/sequence task/);
  });

  it("reports weight statistics and hand-counted MACs per sample", () => {
    const task = cueRecallTask(
      { type: "cue-recall", steps: 5, classes: 3, noise: 1, trainSize: 8, testSize: 8 },
      Rng.fromSeed(0),
    );
    const mk = (cell: "lstm" | "gru" | "rnn") =>
      createLearner(
        learnerConfigSchema.parse({ type: "rnn", cell, hidden: 7 }),
        task.shape,
        Rng.fromSeed(0),
      ).collectStats();
    // steps × (features + hidden) × gates·hidden + hidden × classes; features = classes + 2 = 5.
    expect(mk("lstm")["denseOpsPerSample"]).toBe(5 * (5 + 7) * 28 + 7 * 3);
    expect(mk("gru")["denseOpsPerSample"]).toBe(5 * (5 + 7) * 21 + 7 * 3);
    const s = mk("rnn");
    expect(s["denseOpsPerSample"]).toBe(5 * (5 + 7) * 7 + 7 * 3);
    expect(s["weightStd"]).toBeGreaterThan(0);
  });
});

describe("sequence tasks", () => {
  it("mnist-rows holds exactly the mnist task's digits and split, shaped 28 steps × 28 features", () => {
    const rows = mnistRowsTask({ type: "mnist-rows", trainSize: 50, testSize: 20 });
    const flat = mnistTask({ type: "mnist", trainSize: 50, testSize: 20 });
    expect(rows.shape.sequence).toEqual({ steps: 28, features: 28 });
    expect(rows.shape.inputSize).toBe(784);
    expect(rows.train.count).toBe(50);
    expect(rows.test.count).toBe(20);
    expect(Array.from(rows.train.y)).toEqual(Array.from(flat.train.y));
    expect(Array.from(rows.test.x)).toEqual(Array.from(flat.test.x));
    expect(Array.from(rows.train.x.subarray(0, 784))).toEqual(Array.from(flat.train.x.subarray(0, 784)));
    expect(mnistRowsTask({ type: "mnist-rows" }).train.count).toBe(8000);
  });

  it("cue recall: flagged one-hot cue at step 1, one look-alike distractor per middle step, query flag last", () => {
    const t = cueRecallTask(
      { type: "cue-recall", steps: 6, classes: 3, noise: 0.5, trainSize: 9, testSize: 4 },
      Rng.fromSeed(2),
    );
    expect(t.shape.sequence).toEqual({ steps: 6, features: 5 });
    for (let i = 0; i < t.train.count; i++) {
      const x = t.train.x.subarray(i * 30, (i + 1) * 30);
      const y = t.train.y[i]!;
      expect(Array.from(x.subarray(0, 5))).toEqual([0, 1, 2].map((k) => (k === y ? 1 : 0)).concat(1, 0));
      expect(Array.from(x.subarray(25, 30))).toEqual([0, 0, 0, 0, 1]);
      for (let s = 1; s < 5; s++) {
        const step = Array.from(x.subarray(s * 5, s * 5 + 5));
        expect(step.slice(0, 3).filter((v) => v === 0.5)).toHaveLength(1);
        expect(step.slice(0, 3).filter((v) => v === 0)).toHaveLength(2);
        expect(step.slice(3)).toEqual([0, 0]);
      }
    }
  });
});
