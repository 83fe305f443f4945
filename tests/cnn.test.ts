/**
 * The `cnn` learner. References: accuracy far above chance (10%) on held-out
 * MNIST digits after a few seconds of training (91% measured); the NeuroBench dense MAC
 * count computed by hand; configuration mistakes reported as UserErrors.
 */
import { describe, expect, it } from "vitest";
import { UserError } from "../src/core/errors.js";
import { Rng } from "../src/core/rng.js";
import { CnnLearner, cnnConfigSchema } from "../src/learners/cnn.js";
import { createLearner, learnerConfigSchema } from "../src/learners/registry.js";
import { mnistTask } from "../src/tasks/mnist.js";
import { epochOrder, gatherBatch } from "../src/tasks/task.js";

describe("cnn learner", () => {
  it("learns 2,000 MNIST digits in 3 epochs to well above chance on 500 held-out digits", () => {
    const task = mnistTask({ type: "mnist", trainSize: 2000, testSize: 500 });
    const config = learnerConfigSchema.parse({
      type: "cnn",
      layers: [
        { type: "conv", filters: 6, kernel: 5, stride: 1, activation: "relu" },
        { type: "maxpool", size: 2 },
        { type: "dense", units: 10 },
      ],
      optimizer: { type: "adam", learningRate: 0.005 },
      batchSize: 32,
    });
    const root = Rng.fromSeed(1);
    const learner = createLearner(config, task.shape, root.fork("learner"));
    const n = task.shape.inputSize;
    const xb = new Float32Array(32 * n);
    const yb = new Int32Array(32);
    for (let epoch = 0; epoch < 3; epoch++) {
      const order = epochOrder(root.fork(`epoch${epoch}`), task.train.count);
      for (let s = 0; s < task.train.count; s += 32) {
        const b = Math.min(32, task.train.count - s);
        gatherBatch(task.train, n, order, s, b, xb, yb);
        learner.trainBatch(xb, yb, b);
      }
    }
    const predictions = new Int32Array(task.test.count);
    const r = learner.evaluate(task.test.x, task.test.y, task.test.count, predictions);
    const accuracy = r.correct / task.test.count;
    expect(accuracy).toBeGreaterThan(0.87);
    let agree = 0;
    for (let i = 0; i < task.test.count; i++) if (predictions[i] === task.test.y[i]) agree++;
    expect(agree).toBe(r.correct);
    const stats = learner.collectStats();
    // conv 24·24 positions × 25 × 6 + dense 12·12·6 × 10
    expect(stats["denseOpsPerSample"]).toBe(24 * 24 * 25 * 6 + 12 * 12 * 6 * 10);
    expect(stats["weightStd"]).toBeGreaterThan(0);
  });

  it("defaults to the LeNet-like benchmark network and counts its MACs", () => {
    const config = cnnConfigSchema.parse({ type: "cnn" });
    const task = mnistTask({ type: "mnist", trainSize: 10, testSize: 10 });
    const learner = new CnnLearner(config, task.shape, Rng.fromSeed(0));
    expect(learner.net.layers.map((l) => l.kind)).toEqual([
      "conv2d+relu",
      "maxpool2d",
      "conv2d+relu",
      "maxpool2d",
      "dense",
    ]);
    expect(learner.collectStats()["denseOpsPerSample"]).toBe(24 * 24 * 25 * 8 + 8 * 8 * 200 * 16 + 256 * 10);
    expect(config.optimizer).toEqual({ type: "adam", learningRate: 0.002 });
  });

  it("is deterministic for a given seed", () => {
    const task = mnistTask({ type: "mnist", trainSize: 64, testSize: 64 });
    const config = cnnConfigSchema.parse({
      type: "cnn",
      layers: [
        { type: "conv", filters: 4, kernel: 3, stride: 2 },
        { type: "dense", units: 10 },
      ],
    });
    const run = () => {
      const l = new CnnLearner(config, task.shape, Rng.fromSeed(5));
      l.trainBatch(task.train.x, task.train.y, 32);
      return l.evaluate(task.test.x, task.test.y, 64).loss;
    };
    expect(run()).toBe(run());
  });

  it("reports configuration mistakes as UserErrors naming the layer", () => {
    const task = mnistTask({ type: "mnist", trainSize: 10, testSize: 10 });
    const wrongOut = cnnConfigSchema.parse({
      type: "cnn",
      layers: [
        { type: "conv", filters: 4, kernel: 3 },
        { type: "dense", units: 7 },
      ],
    });
    expect(() => new CnnLearner(wrongOut, task.shape, Rng.fromSeed(0))).toThrow(/one per class \(10\)/);
    const tooBig = cnnConfigSchema.parse({
      type: "cnn",
      layers: [
        { type: "conv", filters: 4, kernel: 30 },
        { type: "dense", units: 10 },
      ],
    });
    expect(() => new CnnLearner(tooBig, task.shape, Rng.fromSeed(0))).toThrow(UserError);
    const flat = { inputSize: 2, classes: 2, featureRange: { min: 0, max: 1 } };
    const conv = cnnConfigSchema.parse({
      type: "cnn",
      layers: [
        { type: "conv", filters: 2, kernel: 1 },
        { type: "dense", units: 2 },
      ],
    });
    expect(() => new CnnLearner(conv, flat, Rng.fromSeed(0))).toThrow(
      /layers\[0\] \(conv\): a convolution needs an image task/,
    );
    expect(cnnConfigSchema.safeParse({ type: "cnn", layers: [{ type: "conv", filters: 2 }] }).success).toBe(false);
    expect(cnnConfigSchema.safeParse({ type: "cnn", extra: 1 }).success).toBe(false);
  });
});
