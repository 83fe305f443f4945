// neuronRatesHz of the spiking learners: each neuron's firing rate over the
// most recent evaluate call. References: the learners' own per-epoch
// statistics (meanFiringRateHz, spikesPerSample, inhibitorySpikesPerSample)
// collected over the same samples, and the spike buffers of the surrogate
// learner's layers; plus the contract (length, finite, non-negative, counting
// restarts at each evaluate call, numbers unchanged).
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { DiehlCookLearner, diehlCookConfigSchema } from "../src/learners/diehl-cook.js";
import { LsmLearner, lsmConfigSchema } from "../src/learners/lsm.js";
import { SurrogateLearner, surrogateConfigSchema } from "../src/learners/surrogate.js";
import type { TaskShape } from "../src/tasks/task.js";

const shape: TaskShape = { inputSize: 30, classes: 3, featureRange: { min: 0, max: 1 } };

function data(count: number, seed: number): { x: Float32Array; y: Int32Array } {
  const rng = Rng.fromSeed(seed);
  const x = rng.fillUniform(new Float32Array(count * shape.inputSize), 0, 1);
  const y = Int32Array.from({ length: count }, (_, i) => i % shape.classes);
  return { x, y };
}

function mean(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}

function expectValid(rates: Float32Array, length: number): void {
  expect(rates.length).toBe(length);
  for (const r of rates) {
    expect(Number.isFinite(r)).toBe(true);
    expect(r).toBeGreaterThanOrEqual(0);
  }
  expect(Math.max(...rates)).toBeGreaterThan(0); // something fired: the test can fail
}

describe("neuronRatesHz", () => {
  it("surrogate: every hidden neuron of every hidden layer; the mean is meanFiringRateHz over the same samples", () => {
    const config = surrogateConfigSchema.parse({
      type: "surrogate",
      hidden: [40, 20],
      steps: 10,
      batchSize: 8,
      dtMs: 2,
      recurrent: true,
      optimizer: { type: "adam", learningRate: 1e-3 },
    });
    const learner = new SurrogateLearner(config, shape, Rng.fromSeed(1));
    const { x, y } = data(20, 2);
    // 20 samples in chunks of 8: counting spans the chunks.
    const r = learner.evaluate(x, y, 20);
    const rates = learner.neuronRatesHz();
    expectValid(rates, 60);
    // A training pass over the same samples (same weights, no dropout, direct input) sees the same spikes.
    let hiddenSpikes = 0;
    for (let start = 0; start < 20; start += 8) {
      const n = Math.min(8, 20 - start);
      const twin = new SurrogateLearner(config, shape, Rng.fromSeed(1));
      twin.trainBatch(x.subarray(start * 30, (start + n) * 30), y.subarray(start, start + n), n);
      hiddenSpikes += twin.collectStats()["hiddenSpikesPerSample"]! * n;
    }
    const seconds = (10 * 2) / 1000;
    expect(mean(rates)).toBeCloseTo(hiddenSpikes / 20 / 60 / seconds, 3);
    // Per neuron, against the layers' spike buffers after evaluating one chunk.
    learner.evaluate(x, y, 8);
    const one = learner.neuronRatesHz();
    const [h0, h1] = learner.layers;
    for (const [layer, base] of [
      [h0!, 0],
      [h1!, 40],
    ] as const) {
      for (let j = 0; j < layer.outSize; j++) {
        let s = 0;
        for (let row = 0; row < 10 * 8; row++) s += layer.spikes[row * layer.outSize + j]!;
        expect(one[base + j]).toBeCloseTo(s / 8 / seconds, 3);
      }
    }
    // Counting restarts with each call, and never changes the numbers.
    const again = learner.evaluate(x, y, 20);
    expect(again).toEqual(r);
    expect(learner.neuronRatesHz()).toEqual(rates);
  });

  it("lsm: every pool neuron; the mean is meanFiringRateHz over the same samples", () => {
    const config = lsmConfigSchema.parse({ type: "lsm", hidden: 50, durationMs: 40, batchSize: 4 });
    const learner = new LsmLearner(config, shape, Rng.fromSeed(3));
    const { x, y } = data(10, 4);
    learner.evaluate(x, y, 10);
    const rates = learner.neuronRatesHz();
    expectValid(rates, 50);
    // collectStats counts the evaluated samples (and nothing else here).
    const stats = learner.collectStats();
    expect(mean(rates)).toBeCloseTo(stats.meanFiringRateHz!, 2);
    expect(mean(rates) * 50 * 0.04).toBeCloseTo(stats.spikesPerSample!, 3);
    // A second call on other samples replaces the counts.
    const other = data(6, 5);
    learner.evaluate(other.x, other.y, 6);
    const rates2 = learner.neuronRatesHz();
    expect(mean(rates2)).toBeCloseTo(learner.collectStats().meanFiringRateHz!, 2);
  });

  it("stdp (Diehl & Cook): N excitatory then N inhibitory neurons; agree with meanFiringRateHz and inhibitorySpikesPerSample", () => {
    const config = diehlCookConfigSchema.parse({
      type: "stdp",
      excitatory: 12,
      presentationMs: 100,
      restMode: "reset",
      dtMs: 0.5,
      maxRateHz: 150,
      batchSize: 4,
      minSpikes: 2,
      maxBoosts: 2,
      weightSum: 4,
      initWeightMax: 0.15,
    });
    const learner = new DiehlCookLearner(config, shape, Rng.fromSeed(6));
    const { x, y } = data(8, 7);
    learner.trainBatch(x, y, 8);
    learner.collectStats(); // drop the training counts
    learner.evaluate(x, y, 8);
    const rates = learner.neuronRatesHz();
    expectValid(rates, 24);
    const stats = learner.collectStats();
    const exc = rates.subarray(0, 12);
    const inh = rates.subarray(12);
    expect(mean(exc)).toBeCloseTo(stats.meanFiringRateHz!, 2);
    // Presentations (boosts included) × 0.1 s of presentation time.
    const seconds = (8 + stats.boostsPerSample! * 8) * 0.1;
    expect((mean(exc) * 12 * seconds) / 8).toBeCloseTo(stats.spikesPerSample!, 3);
    expect((mean(inh) * 12 * seconds) / 8).toBeCloseTo(stats.inhibitorySpikesPerSample!, 3);
    // Cost measurement does not count into the rates.
    learner.measureCosts(x, 4);
    expect(learner.neuronRatesHz()).toEqual(rates);
  });
});
