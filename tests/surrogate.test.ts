// References: (1) the surrogate formulas of surrogate.ts (snnTorch's fast_sigmoid
// and atan shapes) at hand-computed points, and their primitives' central
// differences; (2) the discrete LIF recursion solved in closed form for a
// constant input; (3) central finite differences of a loss through T steps of
// LifLayer, with the spike replaced by the surrogate's smooth primitive so the
// surrogate is the true derivative (weights, biases, recurrent weights and
// inputs; reset by subtraction and to zero); with the reset detached, a float64
// re-implementation whose resets are frozen; (4) the project's accuracy bar
// for a small spiking net: > 80% on 500 held-out MNIST digits after training
// on 1,000 (chance is 10%), > 75% with Poisson input.
import { describe, expect, it } from "vitest";
import { LifLayer, type LifLayerOptions, type ResetMode } from "../src/ann/spiking/lif-layer.js";
import { surrogateDerivative, surrogatePrimitive, type SurrogateName } from "../src/ann/spiking/surrogate.js";
import { Rng } from "../src/core/rng.js";
import { SurrogateLearner, surrogateConfigSchema } from "../src/learners/surrogate.js";
import { parseScenarioText } from "../src/scenario/parse.js";
import { runScenario } from "../src/runs/run.js";
import { centralDifference } from "./helpers/finite-diff.js";

describe("surrogate shapes", () => {
  it("fast sigmoid is 1/(1+k|x|)² (k = 25)", () => {
    expect(surrogateDerivative("fast-sigmoid", 25, 0)).toBeCloseTo(1, 12);
    expect(surrogateDerivative("fast-sigmoid", 25, 0.04)).toBeCloseTo(0.25, 12);
    expect(surrogateDerivative("fast-sigmoid", 25, -0.04)).toBeCloseTo(0.25, 12);
    expect(surrogateDerivative("fast-sigmoid", 25, 0.2)).toBeCloseTo(1 / 36, 12);
    expect(surrogateDerivative("fast-sigmoid", 10, -1)).toBeCloseTo(1 / 121, 12);
  });

  it("arctan is (α/2)/(1+(πα x/2)²) (α = 2)", () => {
    expect(surrogateDerivative("arctan", 2, 0)).toBeCloseTo(1, 12);
    expect(surrogateDerivative("arctan", 2, 1 / Math.PI)).toBeCloseTo(0.5, 12);
    expect(surrogateDerivative("arctan", 2, -1 / Math.PI)).toBeCloseTo(0.5, 12);
    expect(surrogateDerivative("arctan", 4, 1 / Math.PI)).toBeCloseTo(2 / 5, 12);
  });

  it("arctan integrates to a unit step; the fast sigmoid to a step of height 2/k (not normalised, as snnTorch's)", () => {
    expect(surrogatePrimitive("arctan", 1e4, 0.5)).toBeGreaterThan(0.999);
    expect(surrogatePrimitive("arctan", 1e4, -0.5)).toBeLessThan(0.001);
    const k = 25;
    const height = surrogatePrimitive("fast-sigmoid", k, 1e6) - surrogatePrimitive("fast-sigmoid", k, -1e6);
    expect(height).toBeCloseTo(2 / k, 6);
  });

  for (const name of ["fast-sigmoid", "arctan"] as const) {
    it(`${name}: the primitive's derivative is the surrogate`, () => {
      for (const slope of [2, 25]) {
        for (const x of [-0.7, -0.1, -0.013, 0.021, 0.3, 1.5]) {
          const h = 1e-6;
          const numeric = (surrogatePrimitive(name, slope, x + h) - surrogatePrimitive(name, slope, x - h)) / (2 * h);
          expect(numeric).toBeCloseTo(surrogateDerivative(name, slope, x), 6);
        }
      }
    });
  }
});

describe("LIF forward pass", () => {
  it("follows U[t] = I(1 − β^(t+1))/(1 − β) up to the first spike, then resets by subtraction", () => {
    const layer = new LifLayer(
      {
        inSize: 1,
        outSize: 1,
        steps: 12,
        maxBatch: 1,
        input: "constant",
        beta: 0.9,
        threshold: 1,
        reset: "subtract",
        surrogate: "fast-sigmoid",
        slope: 25,
        simd: false,
      },
      Rng.fromSeed(0),
    );
    layer.weight.value[0] = 1;
    layer.bias.value[0] = 0;
    const spikes = layer.forward(Float32Array.of(0.2), 1);
    // Closed form: 2·(1 − 0.9^(t+1)) first exceeds 1 at t = 6 (0.9^7 = 0.478).
    for (let t = 0; t <= 6; t++) expect(layer.membrane[t]!).toBeCloseTo(2 * (1 - 0.9 ** (t + 1)), 5);
    expect(Array.from(spikes.subarray(0, 7))).toEqual([0, 0, 0, 0, 0, 0, 1]);
    // Step 7: U = 0.9·U[6] + 0.2 − 1 (reset by subtraction).
    const u6 = 2 * (1 - 0.9 ** 7);
    expect(layer.membrane[7]!).toBeCloseTo(0.9 * u6 + 0.2 - 1, 5);
    expect(layer.spikeCount).toBe(Array.from(spikes).filter((s) => s === 1).length);
  });

  it('resets to zero with reset "zero": U[t+1] = I after a spike', () => {
    const layer = new LifLayer(
      {
        inSize: 1,
        outSize: 1,
        steps: 10,
        maxBatch: 1,
        input: "constant",
        beta: 0.9,
        threshold: 1,
        reset: "zero",
        surrogate: "fast-sigmoid",
        slope: 25,
        simd: false,
      },
      Rng.fromSeed(0),
    );
    layer.weight.value[0] = 1;
    layer.bias.value[0] = 0;
    layer.forward(Float32Array.of(0.2), 1);
    expect(layer.spikes[6]).toBe(1);
    expect(layer.membrane[7]!).toBeCloseTo(0.2, 6);
    expect(layer.membrane[8]!).toBeCloseTo(0.9 * 0.2 + 0.2, 6);
  });
});

/** Fixed loss coefficients: L = Σ cS·s + Σ cU·U over steps, samples and neurons. */
function lossOf(layer: LifLayer, cS: Float64Array, cU: Float64Array, len: number): number {
  let l = 0;
  for (let i = 0; i < len; i++) l += cS[i]! * layer.spikes[i]! + cU[i]! * layer.membrane[i]!;
  return l;
}

interface GradCase {
  surrogate: SurrogateName;
  reset: ResetMode;
  input: "constant" | "sequence";
  recurrent: boolean;
}

const T = 6;
const BATCH = 2;
const IN = 4;
const OUT = 3;

function smoothLayer(c: GradCase, detachReset: boolean): LifLayer {
  const o: LifLayerOptions = {
    inSize: IN,
    outSize: OUT,
    steps: T,
    maxBatch: BATCH,
    input: c.input,
    beta: 0.8,
    threshold: 0.5,
    reset: c.reset,
    detachReset,
    surrogate: c.surrogate,
    slope: c.surrogate === "fast-sigmoid" ? 3 : 1.5,
    recurrent: c.recurrent,
    smoothSpikes: true,
    simd: false,
  };
  const layer = new LifLayer(o, Rng.fromSeed(3));
  // Larger weights than the default init, so that every neuron crosses the threshold region.
  const r = Rng.fromSeed(4);
  for (const p of layer.params()) r.fillUniform(p.value, -0.8, 0.8);
  return layer;
}

describe("LIF backpropagation through time (smooth spikes: the surrogate is the exact derivative)", () => {
  const cases: GradCase[] = [
    { surrogate: "fast-sigmoid", reset: "subtract", input: "sequence", recurrent: false },
    { surrogate: "arctan", reset: "subtract", input: "constant", recurrent: false },
    { surrogate: "arctan", reset: "subtract", input: "sequence", recurrent: true },
    { surrogate: "fast-sigmoid", reset: "zero", input: "sequence", recurrent: true },
    { surrogate: "arctan", reset: "zero", input: "constant", recurrent: false },
  ];
  for (const c of cases) {
    it(`matches finite differences (${c.surrogate}, reset ${c.reset}, ${c.input} input${c.recurrent ? ", recurrent" : ""})`, () => {
      const layer = smoothLayer(c, false);
      const rng = Rng.fromSeed(5);
      const xLen = layer.inputRows(BATCH) * IN;
      const x = rng.fillUniform(new Float32Array(xLen), 0, 1);
      const len = T * BATCH * OUT;
      const cS = Float64Array.from({ length: len }, () => rng.uniform(-1, 1));
      const cU = Float64Array.from({ length: len }, () => rng.uniform(-0.3, 0.3));
      layer.forward(x, BATCH);
      const dx = layer.backward(Float32Array.from(cS), Float32Array.from(cU), BATCH)!.slice(0, xLen);
      const f = () => {
        layer.forward(x, BATCH);
        return lossOf(layer, cS, cU, len);
      };
      const eps = 1e-2;
      let checked = 0;
      const check = (arr: Float32Array, i: number, analytic: number) => {
        const numeric = centralDifference(arr, i, eps, f);
        expect(Math.abs(analytic - numeric)).toBeLessThanOrEqual(2e-3 + 2e-2 * Math.abs(numeric));
        checked++;
      };
      for (const p of layer.params()) {
        const grad = p.grad.slice();
        for (let i = 0; i < p.value.length; i++) check(p.value, i, grad[i]!);
      }
      for (let i = 0; i < xLen; i++) check(x, i, dx[i]!);
      const expected = IN * OUT + OUT + (c.recurrent ? OUT * OUT : 0) + xLen;
      expect(checked).toBe(expected);
      // The gradient is not trivially zero.
      let norm = 0;
      for (const p of layer.params()) for (const g of p.grad) norm += g * g;
      expect(norm).toBeGreaterThan(1e-3);
    });
  }

  /**
   * Float64 re-implementation of the smooth forward pass (sequence input,
   * feed-forward) in which the spikes that drive the reset are given
   * (frozen), not computed: its finite differences are the detached gradient.
   */
  function referenceLoss(
    w: Float64Array,
    b: Float64Array,
    x: Float64Array,
    frozen: Float64Array | null,
    reset: ResetMode,
    surrogate: SurrogateName,
    slope: number,
    cS: Float64Array,
    cU: Float64Array,
    spikesOut?: Float64Array,
  ): number {
    const beta = 0.8;
    const th = 0.5;
    let loss = 0;
    const u = new Float64Array(BATCH * OUT);
    const s = new Float64Array(BATCH * OUT);
    for (let t = 0; t < T; t++) {
      for (let bi = 0; bi < BATCH; bi++) {
        for (let j = 0; j < OUT; j++) {
          const k = bi * OUT + j;
          const idx = (t * BATCH + bi) * OUT + j;
          let cur = b[j]!;
          for (let p = 0; p < IN; p++) cur += x[(t * BATCH + bi) * IN + p]! * w[p * OUT + j]!;
          const prevS = t === 0 ? 0 : frozen !== null ? frozen[idx - BATCH * OUT]! : s[k]!;
          u[k] = reset === "subtract" ? beta * u[k]! + cur - th * prevS : beta * u[k]! * (1 - prevS) + cur;
          s[k] = surrogatePrimitive(surrogate, slope, u[k]! - th);
          if (spikesOut !== undefined) spikesOut[idx] = s[k]!;
          loss += cS[idx]! * s[k]! + cU[idx]! * u[k]!;
        }
      }
    }
    return loss;
  }

  for (const reset of ["subtract", "zero"] as const) {
    it(`with the reset detached, equals the gradient of the same network whose resets are constants (reset ${reset})`, () => {
      const c: GradCase = { surrogate: "arctan", reset, input: "sequence", recurrent: false };
      const layer = smoothLayer(c, true);
      const rng = Rng.fromSeed(6);
      const xLen = T * BATCH * IN;
      const x = rng.fillUniform(new Float32Array(xLen), 0, 1);
      const len = T * BATCH * OUT;
      const cS = Float64Array.from({ length: len }, () => rng.uniform(-1, 1));
      const cU = Float64Array.from({ length: len }, () => rng.uniform(-0.3, 0.3));
      layer.forward(x, BATCH);
      layer.backward(Float32Array.from(cS), Float32Array.from(cU), BATCH);
      const w = Float64Array.from(layer.weight.value);
      const b = Float64Array.from(layer.bias.value);
      const x64 = Float64Array.from(x);
      // The reference agrees with the layer's forward pass...
      const frozen = new Float64Array(len);
      const lossRef = referenceLoss(w, b, x64, null, reset, "arctan", 1.5, cS, cU, frozen);
      expect(lossRef).toBeCloseTo(lossOf(layer, cS, cU, len), 3);
      // ...and its finite differences with the resets frozen match the detached gradient.
      const h = 1e-5;
      let differs = 0;
      for (const [arr, grad] of [
        [w, layer.weight.grad],
        [b, layer.bias.grad],
      ] as const) {
        for (let i = 0; i < arr.length; i++) {
          const numeric = centralDifference(arr, i, h, () =>
            referenceLoss(w, b, x64, frozen, reset, "arctan", 1.5, cS, cU),
          );
          expect(Math.abs(grad[i]! - numeric)).toBeLessThanOrEqual(1e-4 + 1e-3 * Math.abs(numeric));
          // The full (non-frozen) derivative differs: detaching is not a no-op.
          const full = centralDifference(arr, i, h, () => referenceLoss(w, b, x64, null, reset, "arctan", 1.5, cS, cU));
          if (Math.abs(full - numeric) > 1e-3) differs++;
        }
      }
      expect(differs).toBeGreaterThan(0);
    });
  }
});

describe("surrogate learner", () => {
  it("validates its config strictly", () => {
    expect(surrogateConfigSchema.safeParse({ type: "surrogate", hidden: [64] }).success).toBe(true);
    expect(surrogateConfigSchema.safeParse({ type: "surrogate", hiden: [64] }).success).toBe(false);
    expect(surrogateConfigSchema.safeParse({ type: "surrogate", surrogate: "sigmoid" }).success).toBe(false);
    expect(surrogateConfigSchema.safeParse({ type: "surrogate", encoding: "latency" }).success).toBe(false);
  });

  it("draws each first-layer neuron's input weights (column j of W) as a 28×28 receptive field", () => {
    const shape = {
      inputSize: 784,
      classes: 10,
      image: { height: 28, width: 28, channels: 1 },
      featureRange: { min: 0, max: 1 },
    };
    const learner = new SurrogateLearner(
      surrogateConfigSchema.parse({ type: "surrogate", hidden: [6], batchSize: 2 }),
      shape,
      Rng.fromSeed(13),
    );
    const f = learner.receptiveFields();
    expect([f.width, f.height, f.count]).toEqual([28, 28, 6]);
    const w = learner.layers[0]!.weight.value;
    for (const [j, i] of [
      [0, 0],
      [5, 783],
      [3, 400],
    ] as const)
      expect(f.data[j * 784 + i]).toBe(w[i * 6 + j]);
  });

  it("drops hidden neurons per sample for all steps while training (inverted dropout, Srivastava et al. 2014), never when evaluating", () => {
    const config = surrogateConfigSchema.parse({
      type: "surrogate",
      hidden: [200],
      steps: 8,
      dropout: 0.5,
      batchSize: 4,
    });
    const shape = { inputSize: 30, classes: 3, featureRange: { min: 0, max: 1 } };
    const learner = new SurrogateLearner(config, shape, Rng.fromSeed(7));
    const rng = Rng.fromSeed(8);
    // Strong input so that most hidden neurons spike.
    const x = rng.fillUniform(new Float32Array(4 * 30), 0.5, 3);
    const y = Int32Array.from([0, 1, 2, 0]);
    const [hidden, out] = learner.layers as [LifLayer, LifLayer];
    const n = 4 * 200;
    const scales = (): (number | null)[] => {
      // The factor each (sample, neuron) pair's spikes were multiplied by on the way to the output layer.
      const f: (number | null)[] = new Array<number | null>(n).fill(null);
      for (let t = 0; t < 8; t++) {
        for (let i = 0; i < n; i++) {
          const s = hidden.spikes[t * n + i]!;
          if (s === 0) {
            expect(out.input[t * n + i]).toBe(0);
            continue;
          }
          const k = out.input[t * n + i]! / s;
          if (f[i] === null) f[i] = k;
          expect(k).toBe(f[i]); // the same mask at every step
        }
      }
      return f;
    };
    learner.trainBatch(x, y, 4);
    const train = scales().filter((k): k is number => k !== null);
    expect(train.length).toBeGreaterThan(200);
    for (const k of train) expect([0, 2]).toContain(k); // survivors scaled by 1/(1 − p)
    const dropped = train.filter((k) => k === 0).length / train.length;
    expect(dropped).toBeGreaterThan(0.4);
    expect(dropped).toBeLessThan(0.6);
    learner.evaluate(x, y, 4);
    for (const k of scales()) if (k !== null) expect(k).toBe(1);
  });

  it("sends no gradient to a dropped neuron: its bias stays put under SGD, the kept ones move", () => {
    const config = surrogateConfigSchema.parse({
      type: "surrogate",
      hidden: [100],
      steps: 8,
      dropout: 0.5,
      batchSize: 1,
      loss: "membrane",
      optimizer: { type: "sgd", learningRate: 0.1 },
    });
    const shape = { inputSize: 30, classes: 3, featureRange: { min: 0, max: 1 } };
    const learner = new SurrogateLearner(config, shape, Rng.fromSeed(9));
    const x = Rng.fromSeed(10).fillUniform(new Float32Array(30), 0.5, 3);
    const [hidden, out] = learner.layers as [LifLayer, LifLayer];
    const before = hidden.bias.value.slice();
    learner.trainBatch(x, Int32Array.of(1), 1);
    let dropped = 0;
    let keptMoved = 0;
    let kept = 0;
    for (let j = 0; j < 100; j++) {
      let t = 0;
      while (t < 8 && hidden.spikes[t * 100 + j] === 0) t++;
      if (t === 8) continue; // never spiked: its mask is not visible
      if (out.input[t * 100 + j] === 0) {
        dropped++;
        expect(hidden.bias.value[j]).toBe(before[j]);
      } else {
        kept++;
        if (hidden.bias.value[j] !== before[j]) keptMoved++;
      }
    }
    expect(dropped).toBeGreaterThan(5);
    expect(keptMoved).toBeGreaterThan(kept / 2);
  });

  it("evaluates with the bias-corrected moving average of the weights (Polyak averaging) and keeps training on the live ones", () => {
    const shape = { inputSize: 30, classes: 3, featureRange: { min: 0, max: 1 } };
    const base = {
      type: "surrogate",
      hidden: [20],
      steps: 6,
      batchSize: 4,
      loss: "membrane",
      optimizer: { type: "adam", learningRate: 0.05 },
    };
    const averaged = new SurrogateLearner(
      surrogateConfigSchema.parse({ ...base, averageDecay: 0.5 }),
      shape,
      Rng.fromSeed(11),
    );
    const plain = new SurrogateLearner(surrogateConfigSchema.parse(base), shape, Rng.fromSeed(11));
    const rng = Rng.fromSeed(12);
    const x = rng.fillUniform(new Float32Array(4 * 30), 0, 2);
    const y = Int32Array.from([0, 1, 2, 1]);
    // Reference: a_n = Σ_k (1 − d)·d^(n−k)·w_k, divided by (1 − dⁿ).
    const d = 0.5;
    const snapshots: Float32Array[][] = [];
    for (let step = 0; step < 3; step++) {
      averaged.trainBatch(x, y, 4);
      snapshots.push(averaged.params().map((p) => p.value.slice()));
    }
    const live = averaged.params().map((p) => p.value.slice());
    const r = averaged.evaluate(x, y, 4);
    averaged.params().forEach((p, k) => expect(p.value).toEqual(live[k])); // put back exactly
    plain.params().forEach((p, k) => {
      for (let i = 0; i < p.value.length; i++) {
        let a = 0;
        for (let s = 0; s < 3; s++) a += (1 - d) * d ** (2 - s) * snapshots[s]![k]![i]!;
        p.value[i] = a / (1 - d ** 3);
      }
    });
    const expected = plain.evaluate(x, y, 4);
    expect(r.loss).toBeCloseTo(expected.loss, 5);
    expect(r.correct).toBe(expected.correct);
    // ...and the average is not the live network.
    plain.params().forEach((p, k) => p.value.set(live[k]!));
    expect(Math.abs(r.loss - plain.evaluate(x, y, 4).loss)).toBeGreaterThan(1e-4);
  });

  it("learns MNIST: > 80% on 500 held-out digits after 3 epochs on 1,000 (784-64-10, direct input)", () => {
    const s = parseScenarioText(
      JSON.stringify({
        name: "t",
        description: "d",
        task: { type: "mnist", trainSize: 1000, testSize: 500 },
        learners: [
          {
            type: "surrogate",
            hidden: [64],
            steps: 25,
            loss: "membrane",
            batchSize: 32,
            optimizer: { type: "adam", learningRate: 2e-3 },
          },
        ],
        epochs: 3,
        seeds: [1],
      }),
      "t.json",
    );
    const rows = runScenario(s).rows;
    const acc = rows.filter((r) => r.metric === "testAccuracy").map((r) => r.value);
    expect(acc[acc.length - 1]!).toBeGreaterThan(0.8);
    const rate = rows.find((r) => r.metric === "meanFiringRateHz" && r.epoch === 3)!.value;
    // Spikes happen, but not at every step (1 ms steps: at most 1000 Hz).
    expect(rate).toBeGreaterThan(1);
    expect(rate).toBeLessThan(1000);
  });

  it("learns with Poisson input too: > 75% after 2 epochs on 1,000 digits (10 steps, arctan)", () => {
    const s = parseScenarioText(
      JSON.stringify({
        name: "t",
        description: "d",
        task: { type: "mnist", trainSize: 1000, testSize: 500 },
        learners: [
          {
            type: "surrogate",
            hidden: [64],
            steps: 10,
            encoding: "poisson",
            loss: "membrane",
            batchSize: 32,
            surrogate: "arctan",
            optimizer: { type: "adam", learningRate: 2e-3 },
          },
        ],
        epochs: 2,
        seeds: [1],
      }),
      "t.json",
    );
    const rows = runScenario(s).rows;
    const acc = rows.filter((r) => r.metric === "testAccuracy").map((r) => r.value);
    expect(acc[acc.length - 1]!).toBeGreaterThan(0.75);
    const inputSpikes = rows.find((r) => r.metric === "inputSpikesPerSample")!.value;
    // About Σ pixel intensities × 10 steps (≈ 100 per step for MNIST).
    expect(inputSpikes).toBeGreaterThan(500);
    expect(inputSpikes).toBeLessThan(2000);
  });
});
