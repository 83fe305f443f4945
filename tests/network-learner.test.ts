// The `network` learner: each input coding against what it promises, each
// readout, reward-modulated STDP's sign, pruning of CSR synapses while it
// learns (feed-forward and recurrent), cost measurement leaving no trace, and divergence. References are
// stated per test: Poisson statistics, the analytic LIF rate, the latency
// code's formula, hand-computed votes, and the learner's own uninterrupted run.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { LabelAssigner } from "../src/learners/diehl-cook/assignment.js";
import { createInputStage } from "../src/learners/network/input-stage.js";
import { NetworkLearner } from "../src/learners/network/learner.js";
import { networkLearnerConfigSchema } from "../src/learners/network/schema.js";
import type { RewardStdp } from "../src/plasticity/reward-stdp.js";
import { RateInputGroup } from "../src/snn/inputs/rate-input.js";
import type { SpikeGeneratorGroup } from "../src/snn/inputs/spike-generator.js";
import { loadMnistSplit, mnistShape } from "../src/tasks/mnist.js";
import type { TaskShape } from "../src/tasks/task.js";

const unitShape = (inputSize: number, classes = 2): TaskShape => ({
  inputSize,
  classes,
  featureRange: { min: 0, max: 1 },
});

/** A small Diehl & Cook network as data on MNIST (as scenarios/mnist-stdp-network.json, fewer neurons). */
function diehlCook(n: number, extra: Record<string, unknown> = {}) {
  return networkLearnerConfigSchema.parse({
    type: "network",
    dtMs: 0.5,
    input: { coding: "rate", maxRateHz: 63.75 },
    groups: [
      {
        name: "exc",
        size: n,
        model: {
          type: "conductance-lif",
          tauMs: 100,
          elMv: -65,
          eExcMv: 0,
          eInhMv: -100,
          vThreshMv: -52,
          vResetMv: -65,
          refractoryMs: 5,
          tauEMs: 1,
          tauIMs: 2,
        },
      },
    ],
    synapses: [
      {
        name: "input->exc",
        source: "input",
        target: "exc",
        targetVar: "ge",
        connect: { rule: "all-to-all" },
        weight: { dist: "uniform", lo: 0.003, hi: 0.303 },
        plasticity: {
          rule: "triplet-stdp",
          pairing: "nearest",
          tauPlusMs: 20,
          tauMinusMs: 20,
          tauXMs: 20,
          tauYMs: 40,
          a2Plus: 0,
          a3Plus: 0.01,
          a2Minus: 0.0001,
          a3Minus: 0,
        },
        normalize: { targetSum: 78, wMax: 1 },
      },
    ],
    lateralInhibition: [
      {
        via: "population",
        group: "exc",
        model: {
          type: "conductance-lif",
          tauMs: 10,
          elMv: -60,
          eExcMv: 0,
          eInhMv: -85,
          vThreshMv: -40,
          vResetMv: -45,
          refractoryMs: 2,
          tauEMs: 1,
          tauIMs: 2,
        },
      },
    ],
    homeostasis: [{ group: "exc", thetaPlusMv: 0.05, tauThetaMs: 1e7 }],
    presentation: { presentationMs: 350, between: "reset", retry: { minSpikes: 5 } },
    readout: { type: "assignment", group: "exc" },
    batchSize: 20,
    ...extra,
  });
}

describe("input codings", () => {
  it("rate: channel i fires with probability min(x_i, 1)·rate·dt per step; silent channels never draw", () => {
    // Reference: a Bernoulli count over S steps has mean S·p and sd sqrt(S·p·(1 - p)); 5 sd bounds.
    const g = new RateInputGroup("in", 5, 1, Rng.fromSeed(1));
    const x = new Float32Array([0, 0.25, 0.5, 1, 2]);
    g.show(x, 0, 100);
    expect(g.activeCount).toBe(4);
    const counts = new Int32Array(5);
    const S = 20_000;
    for (let t = 0; t < S; t++) {
      g.integrateAndThreshold(t);
      for (let k = 0; k < g.spikeCount; k++) counts[g.spiked[k]!]!++;
    }
    [0, 0.025, 0.05, 0.1, 0.1].forEach((p, i) => {
      expect(Math.abs(counts[i]! - S * p)).toBeLessThanOrEqual(5 * Math.sqrt(S * p * (1 - p)) + 1e-9);
    });
    g.silence();
    g.integrateAndThreshold(S);
    expect(g.spikeCount).toBe(0);
  });

  it("latency: one spike per feature above threshold at presentation start + round(tMax·(1 − x)/dt)", () => {
    // Reference: the linear latency code t = tMax·(1 − x) (snn/inputs/encoders.ts), on the step grid.
    const stage = createInputStage(
      { coding: "latency", group: "in", tMaxMs: 40, form: "linear" },
      unitShape(4),
      1,
      50,
      new Map(),
      Rng.fromSeed(0),
      "test",
    );
    const g = stage.group as SpikeGeneratorGroup;
    stage.show(new Float32Array([1, 0.5, 0.25, 0]), 0, 100, 0);
    const seen: [number, number][] = [];
    for (let t = 100; t < 160; t++) {
      g.integrateAndThreshold(t);
      for (let k = 0; k < g.spikeCount; k++) seen.push([g.spiked[k]!, t - 100]);
    }
    expect(seen).toEqual([
      [0, 0],
      [1, 20],
      [2, 30],
    ]);
  });

  it("population: Gaussian tuning curves, as the liquid-state learner's encoder", () => {
    // Reference: rate_k = maxRate·exp(-(u - k/(K-1))² / (2/(K-1)²)); the total over T is Poisson.
    const config = networkLearnerConfigSchema.parse({
      type: "network",
      dtMs: 1,
      input: { coding: "population", neuronsPerFeature: 5, maxRateHz: 100 },
      groups: [{ name: "out", size: 2, model: { type: "lif" } }],
      synapses: [{ source: "input", target: "out", targetVar: "ge", connect: { rule: "all-to-all" }, weight: 0 }],
      presentation: { presentationMs: 2000, restMs: 0, between: "reset" },
      readout: { type: "linear", group: "out" },
      batchSize: 1,
    });
    const learner = new NetworkLearner(config, unitShape(1), Rng.fromSeed(2));
    learner.evaluate(new Float32Array([0.5]), new Int32Array([0]), 1);
    const input = learner.monitors[learner.monitors.length - 1]!;
    const expected = [0, 0.25, 0.5, 0.75, 1].map((c) => 100 * Math.exp(-((0.5 - c) ** 2) / (2 * 0.25 ** 2)) * 2);
    expected.forEach((mean, k) => {
      expect(Math.abs(input.counts[k]! - mean)).toBeLessThanOrEqual(5 * Math.sqrt(mean) + 1);
    });
  });

  it("current: a LIF neuron driven by scale·x fires at the analytic rate, and the drive stops at rest", () => {
    // Reference: under constant drive D > θ a LIF neuron fires at 1/(t_ref + τ ln(D/(D − θ)));
    // D = 20 mV, θ = 15 mV, τ = 20 ms, t_ref = 2 ms: 33.7 Hz; D = 10 mV < θ: silent.
    const config = networkLearnerConfigSchema.parse({
      type: "network",
      dtMs: 0.05,
      input: { coding: "current", target: "in", variable: "iExt", scale: 20 },
      groups: [
        {
          name: "in",
          size: 2,
          model: { type: "lif", tauMs: 20, elMv: -65, vThreshMv: -50, vResetMv: -65, refractoryMs: 2 },
        },
      ],
      presentation: { presentationMs: 1000, restMs: 50, between: "rest" },
      readout: { type: "linear", group: "in" },
      batchSize: 1,
    });
    const learner = new NetworkLearner(config, unitShape(2), Rng.fromSeed(3));
    learner.evaluate(new Float32Array([1, 0.5]), new Int32Array([0]), 1);
    const rate = 1 / (0.002 + 0.02 * Math.log(20 / 5));
    expect(Math.abs(learner.counts[0]! - rate)).toBeLessThanOrEqual(1);
    expect(learner.counts[1]).toBe(0);
    expect([...learner.group("in")!.state["iExt"]!]).toEqual([0, 0]);
  });

  it("refuses a current target that is not one neuron per feature, and repetitions without a rate", () => {
    const base = {
      type: "network",
      input: { coding: "current", target: "in" },
      groups: [{ name: "in", size: 3, model: { type: "lif" } }],
      readout: { type: "linear", group: "in" },
    };
    expect(() => new NetworkLearner(networkLearnerConfigSchema.parse(base), unitShape(2), Rng.fromSeed(0))).toThrow(
      /input\.target: expected a group of 2 neurons/,
    );
    const retry = { ...base, groups: [{ name: "in", size: 2, model: { type: "lif" } }], presentation: { retry: {} } };
    expect(() => new NetworkLearner(networkLearnerConfigSchema.parse(retry), unitShape(2), Rng.fromSeed(0))).toThrow(
      /presentation\.retry: .*rate or population coding/,
    );
  });
});

describe("readouts", () => {
  it("assignment voting: all (mean per class) and proportion (weighted by each neuron's share), by hand", () => {
    // Three neurons, two classes. Training responses: n0 fires 4 to class 0 and 2 to class 1; n1 fires 1 and 3;
    // n2 fires 3 and 0. Assignment: n0 → 0, n1 → 1, n2 → 0. Proportions: n0 (2/3, 1/3), n1 (1/4, 3/4), n2 (1, 0).
    for (const voting of ["all", "proportion"] as const) {
      const a = new LabelAssigner(3, 2, 10, voting);
      a.record(Int32Array.from([4, 1, 3]), 0);
      a.record(Int32Array.from([2, 3, 0]), 1);
      a.assign();
      expect([...a.assignment]).toEqual([0, 1, 0]);
      // Response (3, 3, 0): all → class 0 scores (3 + 0)/2 = 1.5, class 1 scores 3: class 1.
      // proportion → class 0: (2/3·3 + 1·0)/2 = 1, class 1: 3/4·3 = 2.25: class 1.
      expect(a.predict(Int32Array.from([3, 3, 0]))).toBe(1);
      // Response (6, 2, 0): all → 3 vs 2: class 0; proportion → (2/3·6)/2 = 2 vs 3/4·2 = 1.5: class 0.
      expect(a.predict(Int32Array.from([6, 2, 0]))).toBe(0);
      // Response (2, 2, 0): all → 1 vs 2: class 1; proportion → (2/3·2)/2 = 0.67 vs 1.5: class 1.
      // Response (5, 2, 0): all → 2.5 vs 2: class 0; proportion → 1.67 vs 1.5: class 0.
      // Response (4, 2, 0): all → 2 vs 2: tie, the first class; proportion → 1.33 vs 1.5: class 1.
      expect(a.predict(Int32Array.from([4, 2, 0]))).toBe(voting === "all" ? 0 : 1);
    }
  });

  it("assignment: Diehl & Cook as data learns digit-selective neurons (20 neurons, 300 digits, proportion voting)", () => {
    // Reference: chance is 10%; the fused learner's own test asks > 40% of a network this size.
    const { train, test } = loadMnistSplit();
    const config = diehlCook(20, { readout: { type: "assignment", group: "exc", voting: "proportion" } });
    const learner = new NetworkLearner(config, mnistShape, Rng.fromSeed(4).fork("init"));
    for (let start = 0; start < 300; start += 20)
      learner.trainBatch(train.x.subarray(start * 784), train.y.subarray(start), 20);
    const weights = learner.synapsesNamed("input->exc")!.synapses.matrix.weight.slice();
    const r = learner.evaluate(test.x, test.y, 150);
    expect(r.correct / 150).toBeGreaterThan(0.4);
    // Evaluation learns nothing.
    expect(learner.synapsesNamed("input->exc")!.synapses.matrix.weight).toEqual(weights);
    const stats = learner.collectStats();
    expect(stats["assignedNeurons"]!).toBeGreaterThan(10);
    expect(stats["meanThetaMv"]!).toBeGreaterThan(0);
    const rf = learner.receptiveFields();
    expect([rf.width, rf.height, rf.count]).toEqual([28, 28, 20]);
    expect(rf.data[3 * 784 + 400]).toBe(weights[400 * 20 + 3]);
  });
});

describe("reward-modulated STDP", () => {
  /** A 1-input-neuron network whose input drives two LIF neurons hard through reward-stdp synapses. */
  function rstdp(reward: { correct: number; wrong: number }) {
    return new NetworkLearner(
      networkLearnerConfigSchema.parse({
        type: "network",
        dtMs: 0.5,
        input: { coding: "rate", maxRateHz: 200 },
        groups: [{ name: "out", size: 2, model: { type: "lif", tauMs: 10, refractoryMs: 2 } }],
        synapses: [
          {
            name: "in->out",
            source: "input",
            target: "out",
            targetVar: "v",
            connect: { rule: "all-to-all" },
            weight: 6,
            plasticity: { rule: "reward-stdp", aPlus: 0.01, aMinus: -0.005, wMin: -100, wMax: 100 },
          },
        ],
        presentation: { presentationMs: 200, restMs: 0, between: "reset" },
        readout: { type: "assignment", group: "out" },
        reward,
        batchSize: 1,
      }),
      unitShape(4),
      Rng.fromSeed(6),
    );
  }

  it("moves the weights along the eligibility for a reward and against it for a punishment, by exactly as much", () => {
    // Reference: w += learningRate · r · e (Izhikevich 2007). Same network, same spikes, rewards +1 and -1: the
    // changes are opposite and equal; with input mostly before output spikes, e > 0 (potentiation).
    const x = new Float32Array([1, 1, 1, 1]);
    const plus = rstdp({ correct: 1, wrong: 1 });
    const minus = rstdp({ correct: -1, wrong: -1 });
    const w0 = plus.synapsesNamed("in->out")!.synapses.matrix.weight.slice();
    plus.trainBatch(x, new Int32Array([0]), 1);
    minus.trainBatch(x, new Int32Array([0]), 1);
    const wp = plus.synapsesNamed("in->out")!.synapses.matrix.weight;
    const wm = minus.synapsesNamed("in->out")!.synapses.matrix.weight;
    let sum = 0;
    for (let s = 0; s < w0.length; s++) {
      expect(wp[s]! - w0[s]!).toBeCloseTo(-(wm[s]! - w0[s]!), 6);
      sum += wp[s]! - w0[s]!;
    }
    expect(sum).toBeGreaterThan(0);
    expect([...plus.counts]).toEqual([...minus.counts]);
  });

  it("rewards a right readout and punishes a wrong one", () => {
    // With no labels assigned yet, the readout predicts class 0: label 0 is right (reward 1), label 1 wrong (-1).
    const x = new Float32Array([1, 1, 1, 1]);
    const right = rstdp({ correct: 1, wrong: -1 });
    const wrong = rstdp({ correct: 1, wrong: -1 });
    const w0 = right.synapsesNamed("in->out")!.synapses.matrix.weight.slice();
    right.trainBatch(x, new Int32Array([0]), 1);
    wrong.trainBatch(x, new Int32Array([1]), 1);
    const dRight = right.synapsesNamed("in->out")!.synapses.matrix.weight.reduce((a, w, s) => a + w - w0[s]!, 0);
    const dWrong = wrong.synapsesNamed("in->out")!.synapses.matrix.weight.reduce((a, w, s) => a + w - w0[s]!, 0);
    expect(dRight).toBeGreaterThan(0);
    expect(dWrong).toBeCloseTo(-dRight, 6);
  });

  it("keeps each synapse's eligibility with its synapse when pruning compacts the matrix", () => {
    const learner = rstdp({ correct: 1, wrong: 1 });
    const rule = learner.synapsesNamed("in->out")!.rule as RewardStdp;
    learner.setLearning(true);
    learner.presentOnly(new Float32Array([1, 1, 1, 1]), 0);
    const before = rule.eligibility.slice();
    const m = learner.synapsesNamed("in->out")!.synapses.matrix;
    const w = m.weight.slice();
    // Magnitude pruning of the two smallest weights after making synapses 1 and 6 the smallest.
    m.weight[1] = 0.001;
    m.weight[6] = 0.002;
    learner.structure().prune({ criterion: "magnitude", count: 2 });
    expect(m.count).toBe(6);
    const kept = [0, 2, 3, 4, 5, 7];
    expect([...rule.eligibility]).toEqual(kept.map((s) => before[s]!));
    expect([...m.weight]).toEqual(kept.map((s) => w[s]!));
  });
});

describe("pruning CSR synapses while learning", () => {
  const { train, test } = loadMnistSplit();

  it("removes synapses from the CSR per neuron by co-activity, keeps learning on the rest, and regrows", () => {
    const learner = new NetworkLearner(diehlCook(10), mnistShape, Rng.fromSeed(8).fork("init"));
    const s = learner.structure();
    s.trackActivity?.(1000);
    const pop = learner.synapsesNamed("input->exc")!;
    const m = pop.synapses.matrix;
    learner.trainBatch(train.x, train.y, 20);
    const eventsDense = learner.collectStats()["synapticEventsPerSample"]!;
    const activity = learner.gate.criteria[0]!;
    const scores = Float64Array.from({ length: m.count }, (_, k) => activity.scoreAt(k, learner.network.step));
    const r = s.prune({ criterion: "activity", fraction: 0.5, scope: "per-neuron" });
    expect(r).toEqual({ removed: 3920, remaining: 3920, total: 7840 });
    // Gone from the arrays: each neuron keeps exactly half of its 784 inputs.
    expect([m.count, m.target.length, m.weight.length]).toEqual([3920, 3920, 3920]);
    const inDegree = m.inDegrees();
    expect([...inDegree]).toEqual(new Array(10).fill(392));
    // Pruned by use: each neuron kept its 392 most co-active inputs (synapse i→j was i·10 + j before).
    expect(activity.score.length).toBe(3920);
    const kept = new Uint8Array(7840);
    const sources = m.sources();
    for (let k = 0; k < m.count; k++) kept[sources[k]! * 10 + m.target[k]!] = 1;
    for (let j = 0; j < 10; j++) {
      let minKept = Infinity;
      let maxPruned = -Infinity;
      for (let i = 0; i < 784; i++) {
        const sc = scores[i * 10 + j]!;
        if (kept[i * 10 + j] === 1) minKept = Math.min(minKept, sc);
        else maxPruned = Math.max(maxPruned, sc);
      }
      expect(minKept).toBeGreaterThanOrEqual(maxPruned);
    }
    learner.trainBatch(train.x.subarray(20 * 784), train.y.subarray(20), 20);
    // Delivery walks only the live synapses: the events are each spike times its source's live out-degree.
    const [exc, inh, input] = learner.monitors.map((mon) => mon.counts);
    const outDegree = (i: number) => m.rowPtr[i + 1]! - m.rowPtr[i]!;
    let events = 0;
    for (let i = 0; i < 784; i++) events += input![i]! * outDegree(i);
    for (let j = 0; j < 10; j++) events += exc![j]! + 9 * inh![j]!;
    const stats = learner.collectStats();
    expect(stats["synapseCount"]!).toBe(3920 + 10 + 90);
    expect(stats["synapticEventsPerSample"]! * 20).toBe(events);
    expect(eventsDense).toBeGreaterThan(stats["synapticEventsPerSample"]!);
    // Normalisation and STDP work on the live synapses: each neuron's inputs sum to 78, weights in [0, 1].
    pop.normalizer!.apply();
    for (let j = 0; j < 10; j++) expect(pop.normalizer!.columnSum(j)).toBeCloseTo(78, 3);
    for (let k = 0; k < m.count; k++) expect(m.weight[k]!).toBeGreaterThanOrEqual(0);
    // Growth: new synapses at free positions, each with the given weight, then learning goes on.
    const grown = s.grow(100, 0.05, Rng.fromSeed(1));
    expect(grown).toBe(100);
    expect(m.count).toBe(4020);
    expect(activity.score.length).toBe(4020);
    expect(m.weight.filter((w) => w === Math.fround(0.05)).length).toBeGreaterThanOrEqual(100);
    learner.trainBatch(train.x.subarray(40 * 784), train.y.subarray(40), 20);
    const r2 = learner.evaluate(test.x, test.y, 20);
    expect(Number.isFinite(r2.loss)).toBe(true);
  });
});

describe("pruning a recurrent population by use", () => {
  // A recurrent spiking network (rate input onto 12 LIF neurons, recurrent excitatory synapses with
  // pair STDP, no self synapses) pruned per neuron by co-activity, then grown back to full. The
  // reference is counting: a recurrent population without self synapses has n·(n − 1) possible
  // positions, so density, pruning shares and growth never count or create the n self pairs.
  const n = 12;
  const config = networkLearnerConfigSchema.parse({
    type: "network",
    dtMs: 0.5,
    input: { coding: "rate", maxRateHz: 80 },
    groups: [{ name: "rec", size: n, model: { type: "lif", tauMs: 10, vThreshMv: -55, vResetMv: -65, elMv: -65 } }],
    synapses: [
      {
        name: "input->rec",
        source: "input",
        target: "rec",
        targetVar: "v",
        connect: { rule: "all-to-all" },
        weight: { dist: "uniform", lo: 2, hi: 6 },
      },
      {
        name: "rec->rec",
        source: "rec",
        target: "rec",
        targetVar: "v",
        connect: { rule: "probability", p: 0.5 },
        weight: { dist: "uniform", lo: 0.5, hi: 1.5 },
        plasticity: { rule: "pair-stdp", wMax: 2 },
      },
    ],
    prunable: ["rec->rec"],
    presentation: { presentationMs: 50, between: "reset" },
    readout: { type: "linear", group: "rec" },
    batchSize: 10,
  });

  it("counts n·(n − 1) positions, prunes each neuron's least co-active inputs, and regrows no self synapse", () => {
    const rng = Rng.fromSeed(4);
    const inputs = Float32Array.from({ length: 40 * 6 }, () => rng.uniform(0, 1));
    const labels = Int32Array.from({ length: 40 }, (_, i) => i % 2);
    const learner = new NetworkLearner(config, unitShape(6), Rng.fromSeed(5).fork("init"));
    const s = learner.structure();
    s.trackActivity?.(200);
    const m = learner.synapsesNamed("rec->rec")!.synapses.matrix;
    const selfSynapses = () => {
      const src = m.sources();
      let k = 0;
      for (let q = 0; q < m.count; q++) if (src[q] === m.target[q]) k++;
      return k;
    };
    expect(selfSynapses()).toBe(0);
    const before = m.count;
    expect(s.counts()).toEqual({ remaining: before, possible: n * (n - 1) });
    for (let b = 0; b < 20; b += 10) learner.trainBatch(inputs.subarray(b * 6), labels.subarray(b), 10);
    const r = s.prune({ criterion: "activity", fraction: 0.5, scope: "per-neuron" });
    expect(r.removed).toBeGreaterThan(0);
    expect(r.remaining + r.removed).toBe(before);
    expect(m.count).toBe(r.remaining);
    expect(s.counts().remaining).toBe(r.remaining);
    // Only the named population is pruned: the input synapses keep all 6·12.
    expect(learner.synapsesNamed("input->rec")!.synapses.matrix.count).toBe(6 * n);
    learner.trainBatch(inputs.subarray(20 * 6), labels.subarray(20), 10);
    // Growth to full: every free position except the diagonal.
    const grown = s.grow(n * n, 0.1, Rng.fromSeed(6));
    expect(grown).toBe(n * (n - 1) - r.remaining);
    expect(m.count).toBe(n * (n - 1));
    expect(selfSynapses()).toBe(0);
    expect(learner.gate.criteria[0]!.score.length).toBe(m.count);
  });
});

describe("measurement", () => {
  it("measures costs without changing what evaluate sees next", () => {
    const { test } = loadMnistSplit();
    const make = () => new NetworkLearner(diehlCook(10), mnistShape, Rng.fromSeed(9).fork("init"));
    const a = make();
    const b = make();
    const costs = a.measureCosts(test.x, 3);
    // Dense ops per step: 784·10 input synapses + 10 partner synapses + 10·9 lateral ones, over at least
    // 700 steps (350 ms at 0.5 ms) per image.
    const perStep = 784 * 10 + 10 + 90;
    expect((costs.denseOps * 3) % perStep).toBe(0);
    expect(costs.denseOps).toBeGreaterThanOrEqual(700 * perStep);
    expect(costs.effectiveAcs).toBeGreaterThan(0);
    expect(costs.activationSparsity).toBeGreaterThan(0.9);
    const pa = new Int32Array(5);
    const pb = new Int32Array(5);
    const ra = a.evaluate(test.x, test.y, 5, pa);
    const rb = b.evaluate(test.x, test.y, 5, pb);
    expect(ra).toEqual(rb);
    expect([...a.neuronRatesHz()]).toEqual([...b.neuronRatesHz()]);
  });
});

describe("learned weights", () => {
  it("are the plastic synapses' live weights alone: Diehl & Cook's fixed inhibition stays out of the histogram", () => {
    // Reference: the config itself. input->exc (plastic) draws uniform weights in [0.003, 0.303]; the
    // inhibitory population's fixed synapses carry the default excitatory-to-inhibitory and inhibitory-to-
    // excitatory weights (above 1), which synapticWeights holds for lesions and learnedWeights leaves out.
    const learner = new NetworkLearner(diehlCook(10), unitShape(784, 10), Rng.fromSeed(4));
    const max = (ws: Float32Array[]) => Math.max(...ws.map((w) => w.reduce((m, v) => Math.max(m, v), -Infinity)));
    const learned = learner.learnedWeights();
    expect(learned.map((w) => w.length)).toEqual([784 * 10]);
    expect(max(learned)).toBeLessThanOrEqual(0.303 + 1e-6);
    expect(max(learner.synapticWeights())).toBeGreaterThan(1);
  });
});
