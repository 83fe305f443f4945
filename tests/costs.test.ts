// Inference costs (src/metrics/costs.ts) and unit silencing of every learner.
// References: NeuroBench's definitions (Yik et al., arXiv:2304.04640),
// counted by hand on tiny networks with chosen weights and inputs: an MLP
// 3-2-1, a 3×3 convolution, a surrogate-gradient net whose spike train follows
// from the LIF recursion (β = 0: U[t] = I − θ·s[t-1]). Invariants for every
// learner: measureCosts changes nothing that a later evaluate or trainBatch
// sees (a twin built from the same seed agrees bit for bit), silencing then
// undoing restores the exact model.
import { describe, expect, it } from "vitest";
import { Conv2D } from "../src/ann/conv2d.js";
import { Dense } from "../src/ann/dense.js";
import type { Layer } from "../src/ann/layer.js";
import { Rng } from "../src/core/rng.js";
import { CnnLearner, cnnConfigSchema } from "../src/learners/cnn.js";
import { DiehlCookLearner, diehlCookConfigSchema } from "../src/learners/diehl-cook.js";
import type { InferenceCosts, Learner } from "../src/learners/learner.js";
import { LsmLearner, lsmConfigSchema } from "../src/learners/lsm.js";
import { MlpLearner, mlpConfigSchema } from "../src/learners/mlp.js";
import { RnnLearner, rnnConfigSchema } from "../src/learners/rnn.js";
import { SurrogateLearner, surrogateConfigSchema } from "../src/learners/surrogate.js";
import { CostCounter, measureLayers } from "../src/metrics/costs.js";
import { loadMnistSplit, mnistShape } from "../src/tasks/mnist.js";
import { moonsTask } from "../src/tasks/moons.js";
import type { TaskShape } from "../src/tasks/task.js";

function dense(l: Layer | undefined): Dense {
  if (!(l instanceof Dense)) throw new Error("expected a Dense layer");
  return l;
}

function expectSane(c: InferenceCosts): void {
  for (const v of Object.values(c)) expect(Number.isFinite(v)).toBe(true);
  expect(c.activationSparsity).toBeGreaterThanOrEqual(0);
  expect(c.activationSparsity).toBeLessThanOrEqual(1);
  expect(c.denseOps).toBeGreaterThan(0);
  expect(c.effectiveMacs + c.effectiveAcs).toBeLessThanOrEqual(c.denseOps);
  expect(c.footprintBytes).toBeGreaterThan(0);
}

/**
 * Twins a and b from the same seed: a measures costs (also while silenced,
 * then undone) before each evaluate and trainBatch; b does not. Every result
 * and parameter must agree exactly; silencing must change the costs; measuring
 * twice gives the same costs.
 */
function checkInvariance(
  make: () => Learner,
  x: Float32Array,
  y: Int32Array,
  n: number,
  trainN: number,
): InferenceCosts {
  const a = make();
  const b = make();
  const costs = a.measureCosts!(x, n);
  expectSane(costs);
  const pa = new Int32Array(n);
  const pb = new Int32Array(n);
  expect(a.evaluate(x, y, n, pa)).toEqual(b.evaluate(x, y, n, pb));
  expect(pa).toEqual(pb);
  const undo = a.silenceUnits!(0.5, Rng.fromSeed(9));
  const silenced = a.measureCosts!(x, n);
  expectSane(silenced);
  expect(silenced).not.toEqual(costs);
  undo();
  expect(a.measureCosts!(x, n)).toEqual(costs);
  expect(a.trainBatch(x, y, trainN)).toEqual(b.trainBatch(x, y, trainN));
  const before = a.params().map((p) => p.value.slice());
  expect(before).toEqual(b.params().map((p) => p.value.slice()));
  expect(a.evaluate(x, y, n, pa)).toEqual(b.evaluate(x, y, n, pb));
  expect(pa).toEqual(pb);
  return costs;
}

const moons = moonsTask({ trainSize: 64, testSize: 16, noise: 0.1 }, Rng.fromSeed(3));

describe("inference costs by hand", () => {
  it("MLP 3-2-1: dense and effective MACs, activation sparsity, footprint and memory accesses", () => {
    const shape: TaskShape = { inputSize: 3, classes: 1, featureRange: { min: 0, max: 2 } };
    const mlp = new MlpLearner(
      mlpConfigSchema.parse({ type: "mlp", hidden: [2], activation: "relu", batchSize: 4 }),
      shape,
      Rng.fromSeed(0),
    );
    const l1 = dense(mlp.net.layers[0]);
    const l2 = dense(mlp.net.layers[2]);
    l1.weight.value.set([1, 0, 5, 5, 0, -1]); // rows (inputs) have 1, 2, 1 non-zero weights
    l1.bias.value.set([0, 0]);
    l2.weight.value.set([3, 4]);
    l2.bias.value.set([0.5]);
    // x = (1, 0, 2): hidden = relu(1, -2) = (1, 0); MACs: x0 and x2 through one weight each, h0 through one.
    const one = mlp.measureCosts(new Float32Array([1, 0, 2]), 1);
    expect(one).toEqual({
      denseOps: 3 * 2 + 2 * 1,
      effectiveMacs: 3,
      effectiveAcs: 0,
      activationSparsity: 0.5,
      membraneUpdates: 0,
      footprintBytes: 4 * (6 + 2 + 2 + 1),
      memoryAccesses: 3 + 2,
    });
    // A second, all-zero sample adds no MAC and two zero activations: per-sample means.
    const two = mlp.measureCosts(new Float32Array([1, 0, 2, 0, 0, 0]), 2);
    expect(two.denseOps).toBe(8);
    expect(two.effectiveMacs).toBe(1.5);
    expect(two.activationSparsity).toBe(0.75);
    expect(two.memoryAccesses).toBe((3 + 4) / 2);
  });

  it("3×3 convolution, 2×2 kernel: the centre pixel alone reaches every output position through a different tap", () => {
    const conv = new Conv2D(
      { inHeight: 3, inWidth: 3, inChannels: 1, outChannels: 2, kernel: 2, relu: true },
      1,
      Rng.fromSeed(0),
    );
    conv.weight.value.fill(1);
    conv.weight.value.set([0, 1], 3 * 2); // tap (1,1): filter 0 has a zero weight
    conv.bias.value.fill(0);
    const counter = new CostCounter();
    const x = new Float32Array(9);
    x[4] = 1;
    measureLayers([conv], x, 1, 1, counter);
    const c = counter.finish(1, 0);
    expect(c.denseOps).toBe(4 * 4 * 2); // positions × taps × filters
    expect(c.effectiveMacs).toBe(1 + 2 + 2 + 2); // tap (1,1) at position (0,0) has one non-zero weight
    expect(c.activationSparsity).toBe(1 / 8); // filter 0 at position (0,0) sees only the zero weight
  });

  it("surrogate net with a known spike train: ACs = spikes × non-zero fan-out, MACs = non-zero inputs × non-zero weights × steps", () => {
    const shape: TaskShape = { inputSize: 3, classes: 2, featureRange: { min: 0, max: 1 } };
    const config = surrogateConfigSchema.parse({
      type: "surrogate",
      hidden: [2],
      steps: 4,
      beta: 0,
      threshold: 1,
      reset: "subtract",
      encoding: "direct",
      batchSize: 1,
    });
    const net = new SurrogateLearner(config, shape, Rng.fromSeed(0));
    const [h, o] = net.layers as [(typeof net.layers)[0], (typeof net.layers)[0]];
    h.weight.value.set([1.5, 0.5, 0, 0, 1, 1]); // input 0 → (1.5, 0.5); input 1 has no non-zero weight; input 2 is 0
    h.bias.value.fill(0);
    o.weight.value.set([0.7, 0, 0.3, 0.2]); // hidden 0 has one non-zero outgoing weight
    o.bias.value.fill(0);
    // Hidden 0: U = 1.5, 0.5, 1.5, 0.5 → spikes at t = 0, 2; hidden 1: U = 0.5 always; outputs: U ≤ 0.7, silent.
    const c = net.measureCosts(new Float32Array([1, 0.5, 0]), 1);
    expect(c).toEqual({
      denseOps: 4 * (3 * 2 + 2 * 2),
      effectiveMacs: 4 * 2,
      effectiveAcs: 2 * 1,
      activationSparsity: 14 / 16,
      membraneUpdates: 4 * 4,
      footprintBytes: 4 * (6 + 2 + 4 + 2) + 8 * 4,
      memoryAccesses: 8 + 2 + 2 * 16 + 2,
    });
  });
});

describe("silencing", () => {
  it("MLP: silencing every hidden unit leaves the bias-only output; undo restores the exact predictions", () => {
    const mlp = new MlpLearner(mlpConfigSchema.parse({ type: "mlp", hidden: [8, 8] }), moons.shape, Rng.fromSeed(1));
    const n = moons.test.count;
    for (let i = 0; i < 20; i++) mlp.trainBatch(moons.train.x.subarray(0, 64), moons.train.y, 32);
    const before = new Int32Array(n);
    const r0 = mlp.evaluate(moons.test.x, moons.test.y, n, before);
    const undo = mlp.silenceUnits(1, Rng.fromSeed(2));
    const out = mlp.net.forward(moons.test.x, n, false);
    const bias = dense(mlp.net.layers[4]).bias.value;
    for (let i = 0; i < n; i++) for (let k = 0; k < 2; k++) expect(out[i * 2 + k]).toBe(bias[k]);
    undo();
    const after = new Int32Array(n);
    expect(mlp.evaluate(moons.test.x, moons.test.y, n, after)).toEqual(r0);
    expect(after).toEqual(before);
  });

  it("RNN: silencing every hidden unit leaves the read-out bias; undo restores the exact predictions", () => {
    const { shape, x, y, n } = sequenceData();
    const rnn = new RnnLearner(
      rnnConfigSchema.parse({ type: "rnn", cell: "gru", hidden: 8, batchSize: 8 }),
      shape,
      Rng.fromSeed(1),
    );
    const before = new Int32Array(n);
    const r0 = rnn.evaluate(x, y, n, before);
    const undo = rnn.silenceUnits(1, Rng.fromSeed(2));
    const out = rnn.net.forward(x, 8, false);
    const bias = dense(rnn.net.layers[1]).bias.value;
    for (let i = 0; i < 8; i++) for (let k = 0; k < 3; k++) expect(out[i * 3 + k]).toBe(bias[k]);
    undo();
    const after = new Int32Array(n);
    expect(rnn.evaluate(x, y, n, after)).toEqual(r0);
    expect(after).toEqual(before);
  });

  it("rejects a fraction outside [0, 1]", () => {
    const mlp = new MlpLearner(mlpConfigSchema.parse({ type: "mlp" }), moons.shape, Rng.fromSeed(1));
    expect(() => mlp.silenceUnits(1.5, Rng.fromSeed(0))).toThrow(RangeError);
  });
});

/** 16 random sequences, 5 steps × 3 features, about half the entries zero, 3 classes. */
function sequenceData(): { shape: TaskShape; x: Float32Array; y: Int32Array; n: number } {
  const n = 16;
  const rng = Rng.fromSeed(5);
  const x = new Float32Array(n * 15);
  for (let i = 0; i < x.length; i++) x[i] = rng.next() < 0.5 ? 0 : rng.uniform(-1, 1);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = i % 3;
  return {
    shape: { inputSize: 15, classes: 3, sequence: { steps: 5, features: 3 }, featureRange: { min: -1, max: 1 } },
    x,
    y,
    n,
  };
}

describe("every learner: measureCosts changes nothing, silence + undo restores the model", () => {
  const mx = moons.train.x.subarray(0, 32);
  const my = moons.train.y.subarray(0, 32);

  it("mlp", () => {
    const c = checkInvariance(
      () => new MlpLearner(mlpConfigSchema.parse({ type: "mlp", hidden: [16] }), moons.shape, Rng.fromSeed(1)),
      mx,
      my,
      32,
      32,
    );
    expect(c.effectiveAcs).toBe(0);
    expect(c.membraneUpdates).toBe(0);
  });

  it("cnn", () => {
    const shape: TaskShape = {
      inputSize: 36,
      classes: 2,
      image: { height: 6, width: 6, channels: 1 },
      featureRange: { min: 0, max: 1 },
    };
    const rng = Rng.fromSeed(6);
    const x = new Float32Array(16 * 36);
    for (let i = 0; i < x.length; i++) x[i] = rng.next() < 0.6 ? 0 : rng.next();
    const y = new Int32Array(16).map((_, i) => i % 2);
    const config = cnnConfigSchema.parse({
      type: "cnn",
      batchSize: 8,
      layers: [
        { type: "conv", filters: 4, kernel: 3 },
        { type: "maxpool", size: 2 },
        { type: "dense", units: 2 },
      ],
    });
    const c = checkInvariance(() => new CnnLearner(config, shape, Rng.fromSeed(1)), x, y, 16, 8);
    expect(c.denseOps).toBe(4 * 4 * 9 * 4 + 2 * 2 * 4 * 2);
  });

  it("rnn (lstm)", () => {
    const { shape, x, y, n } = sequenceData();
    const config = rnnConfigSchema.parse({ type: "rnn", cell: "lstm", hidden: 8, batchSize: 8 });
    const c = checkInvariance(() => new RnnLearner(config, shape, Rng.fromSeed(1)), x, y, n, 8);
    expect(c.denseOps).toBe(5 * (3 + 8) * 32 + 8 * 3);
    // Parameters: fused [W_x; W_h], two bias vectors (b_ih and b_hh, kept apart as torch.nn.LSTM does
    // under the default "pytorch" init), the read-out; then h and c.
    expect(c.footprintBytes).toBe(4 * ((3 + 8) * 32 + 2 * 32 + 8 * 3 + 3) + 2 * 4 * 8);
  });

  it("lsm", () => {
    const config = lsmConfigSchema.parse({ type: "lsm", hidden: 30, durationMs: 40, batchSize: 8 });
    const c = checkInvariance(() => new LsmLearner(config, moons.shape, Rng.fromSeed(1)), mx.subarray(0, 16), my, 8, 8);
    expect(c.membraneUpdates).toBe(30 * 40);
    expect(c.effectiveAcs).toBeGreaterThan(0);
  });

  it("surrogate (direct and Poisson encoding, Polyak averaging, recurrent)", () => {
    const direct = surrogateConfigSchema.parse({
      type: "surrogate",
      hidden: [16],
      steps: 8,
      batchSize: 16,
      threshold: 0.2,
    });
    const cd = checkInvariance(() => new SurrogateLearner(direct, moons.shape, Rng.fromSeed(1)), mx, my, 32, 16);
    expect(cd.effectiveMacs).toBeGreaterThan(0);
    const poisson = surrogateConfigSchema.parse({
      type: "surrogate",
      hidden: [16],
      steps: 8,
      batchSize: 16,
      encoding: "poisson",
      gain: 2,
      recurrent: true,
      averageDecay: 0.9,
      threshold: 0.2,
    });
    const cp = checkInvariance(() => new SurrogateLearner(poisson, moons.shape, Rng.fromSeed(1)), mx, my, 32, 16);
    expect(cp.effectiveMacs).toBe(0);
    expect(cp.effectiveAcs).toBeGreaterThan(0);
  });

  it("stdp (Diehl & Cook, 20 neurons, 10 MNIST digits)", () => {
    const { train } = loadMnistSplit();
    const config = diehlCookConfigSchema.parse({
      type: "stdp",
      excitatory: 20,
      batchSize: 10,
      presentationMs: 100,
      restMs: 50,
    });
    const x = train.x.subarray(0, 10 * 784);
    const y = train.y.subarray(0, 10);
    const c = checkInvariance(() => new DiehlCookLearner(config, mnistShape, Rng.fromSeed(1)), x, y, 10, 10);
    expect(c.effectiveMacs).toBe(0);
    expect(c.effectiveAcs).toBeGreaterThan(0);
    expect(c.activationSparsity).toBeGreaterThan(0.9);
  });
});
