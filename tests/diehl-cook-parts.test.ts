// The parts of the Diehl & Cook (2015) learner checked on small cases worked
// out by hand:
// - the read-out (their label assignment): each neuron takes the class of its
//   highest mean response, a sample the class whose neurons respond most on
//   average (and BindsNET's proportion weighting);
// - pruning and growth of the input synapses (magnitude, co-activity, random;
//   per layer or per neuron);
// - the fused network's bookkeeping, each against its definition: Poisson
//   input spikes at rate·intensity (a binomial count; tolerance 4 standard
//   deviations), re-presentation with a stronger input while fewer than
//   minSpikes spikes came, theta decaying by exp(-t/τθ) over the simulated time
//   of each image, synaptic events = input spikes × live targets + excitatory
//   spikes + inhibitory spikes × (N − 1), normalisation of the live synapses,
//   inference bytes as the sum of the arrays' sizes, saved state restored
//   exactly.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { DiehlCookLearner, diehlCookConfigSchema, type DiehlCookConfig } from "../src/learners/diehl-cook.js";
import { LabelAssigner } from "../src/learners/diehl-cook/assignment.js";
import { DiehlCookNetwork } from "../src/learners/diehl-cook/network.js";
import { diehlCookStructure } from "../src/learners/diehl-cook/structure.js";

const i32 = (a: number[]) => Int32Array.from(a);

describe("label assignment (Diehl & Cook's read-out)", () => {
  // 4 neurons, 2 classes. Mean responses: class 0 (two images): n0 3, n1 0, n2 0.5, n3 0;
  // class 1 (one image): n0 0, n1 3, n2 1, n3 0.
  function recorded(voting: "all" | "proportion", window = 8, classes = 2): LabelAssigner {
    const a = new LabelAssigner(4, classes, window, voting);
    a.record(i32([2, 0, 1, 0]), 0);
    a.record(i32([0, 3, 1, 0]), 1);
    a.record(i32([4, 0, 0, 0]), 0);
    a.assign();
    return a;
  }

  it("assigns each neuron its class of highest mean response; a silent neuron stays unassigned", () => {
    const fresh = new LabelAssigner(2, 2, 4);
    expect(Array.from(fresh.assignment)).toEqual([-1, -1]);
    expect(fresh.predict(i32([3, 1]))).toBe(0);
    // Class 0 has no neuron: it scores 0, and class 1's neuron wins.
    fresh.record(i32([1, 0]), 1);
    fresh.assign();
    expect(Array.from(fresh.assignment)).toEqual([1, -1]);
    expect(fresh.predict(i32([3, 0]))).toBe(1);
    const a = recorded("all");
    expect(Array.from(a.assignment)).toEqual([0, 1, 1, -1]);
    expect(a.size).toBe(3);
  });

  it("all: predicts the class whose assigned neurons respond most on average; ties go to the first class", () => {
    const a = recorded("all");
    expect(a.predict(i32([1, 2, 4, 9]))).toBe(1); // class 0: 1; class 1: (2 + 4)/2 = 3
    expect(a.predict(i32([6, 1, 1, 0]))).toBe(0); // 6 against 1
    expect(a.predict(i32([2, 0, 5, 0]))).toBe(1); // 2 against 2.5
    expect(a.predict(i32([2, 2, 2, 0]))).toBe(0); // 2 against 2
    expect(a.predict(i32([0, 0, 0, 7]))).toBe(0); // nothing from assigned neurons
  });

  it("proportion: each response weighted by the neuron's share of responses to the class", () => {
    // Shares: n0 [1, 0], n1 [0, 1], n2 [1/3, 2/3]. Counts [2, 0, 5]: class 0 scores 2, class 1 (0 + 10/3)/2.
    // A third class with no image in the window takes no share.
    const a = recorded("proportion", 8, 3);
    expect(Array.from(a.assignment)).toEqual([0, 1, 1, -1]);
    expect(a.predict(i32([1, 0, 4, 0]))).toBe(1); // 1 against 8/3/2 = 1.33 (by mean responses: 3 against 2)
    expect(a.predict(i32([2, 0, 5, 0]))).toBe(0);
    expect(a.predict(i32([0, 1, 4, 0]))).toBe(1); // 0 against (1 + 8/3)/2
  });

  it("the fraction of a sample's spikes from neurons not assigned to its label", () => {
    const a = recorded("all");
    expect(a.offLabelFraction(i32([1, 2, 4, 3]), 0)).toBeCloseTo(1 - 1 / 10, 15);
    expect(a.offLabelFraction(i32([1, 2, 4, 3]), 1)).toBeCloseTo(1 - 6 / 10, 15);
    expect(a.offLabelFraction(i32([0, 0, 0, 0]), 1)).toBe(1);
  });

  it("keeps only the most recent window of images, starts over at clear, keeps its labels when nothing is recorded", () => {
    const a = recorded("all", 2); // the first image drops out: class 0 is [4, 0, 0, 0] alone
    expect(a.size).toBe(2);
    expect(Array.from(a.assignment)).toEqual([0, 1, 1, -1]);
    a.record(i32([0, 0, 0, 5]), 0); // replaces [0, 3, 1, 0]: class 1 has no image left
    a.assign();
    expect(Array.from(a.assignment)).toEqual([0, -1, -1, 0]);
    a.clear();
    expect(a.size).toBe(0);
    a.assign();
    expect(Array.from(a.assignment)).toEqual([0, -1, -1, 0]);
    // Responses are stored as 16-bit counts, saturating: 65,600 and 70,000 both count 65,535 (a tie).
    const b = new LabelAssigner(1, 2, 4);
    b.record(i32([65_600]), 0);
    b.record(i32([70_000]), 1);
    b.assign();
    expect(b.assignment[0]).toBe(0);
  });
});

function net(over: Partial<DiehlCookConfig> = {}, inputs = 4, excitatory = 3, seed = 1): DiehlCookNetwork {
  const c = diehlCookConfigSchema.parse({ type: "stdp", excitatory });
  return new DiehlCookNetwork({ ...c, ...over, inputs }, Rng.fromSeed(seed).fork("init"));
}

describe("pruning the input synapses", () => {
  // 4 inputs × 3 neurons, w[i·3 + j] = the numbers below.
  const W = [0.9, 0.1, 0.5, 0.2, 0.8, 0.4, 0.3, 0.6, 0.05, 0.7, 0.15, 0.35];
  function pruned() {
    const n = net();
    n.weights.set(W);
    return { n, s: diehlCookStructure(n, Rng.fromSeed(2), 0.3) };
  }

  it("magnitude over the layer: the smallest weights go, the rest keep their values", () => {
    const { n, s } = pruned();
    expect(s.counts()).toEqual({ remaining: 12, possible: 12 });
    expect([s.criteria, s.scopes]).toEqual([
      ["magnitude", "activity", "random"],
      ["per-layer", "global", "per-neuron"],
    ]);
    expect(s.grow(3, 0.02, Rng.fromSeed(1))).toBe(0); // every position is live
    expect(s.defaultGrowthWeight).toBeCloseTo(0.03, 15);
    expect(s.rewindable()).toBeNull();
    const r = s.prune({ criterion: "magnitude", count: 4, scope: "global" });
    expect(r).toEqual({ removed: 4, remaining: 8, total: 12 });
    expect(Array.from(n.mask!)).toEqual([1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1]);
    for (let k = 0; k < 12; k++) expect(n.weights[k]).toBe(n.mask![k] === 1 ? Math.fround(W[k]!) : 0);
    expect(s.counts()).toEqual({ remaining: 8, possible: 12 });
    expect(n.liveCount()).toBe(8);
    // A second request ranks only what is left.
    expect(s.prune({ criterion: "magnitude", fraction: 0.25, scope: "per-layer" })).toEqual({
      removed: 2,
      remaining: 6,
      total: 12,
    });
    expect(Array.from(n.mask!)).toEqual([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0]); // 0.3 and 0.35 go
  });

  it("per neuron: each neuron's inputs ranked among themselves, by fraction or by a shared count", () => {
    let { n, s } = pruned();
    // Neuron 0: 0.9, 0.2, 0.3, 0.7; neuron 1: 0.1, 0.8, 0.6, 0.15; neuron 2: 0.5, 0.4, 0.05, 0.35.
    s.prune({ criterion: "magnitude", fraction: 0.5, scope: "per-neuron" });
    expect(Array.from(n.mask!)).toEqual([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0]);
    // Again: each neuron loses one of its two live inputs.
    expect(s.prune({ criterion: "magnitude", fraction: 0.5, scope: "per-neuron" })).toEqual({
      removed: 3,
      remaining: 3,
      total: 12,
    });
    ({ n, s } = pruned());
    expect(s.prune({ criterion: "magnitude", count: 3, scope: "per-neuron" }).removed).toBe(3);
    expect(Array.from(n.mask!)).toEqual([1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1]);
    // A fraction is taken of each neuron's own live inputs (4, 4, 2: round(1.6) + round(1.6) + round(0.8) = 5),
    // a count is shared out (round(0.4 · 10) = 4).
    ({ n, s } = pruned());
    n.ensureMask().set([1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 0]);
    n.rebuildLiveIndex();
    expect(s.prune({ criterion: "magnitude", fraction: 0.4, scope: "per-neuron" }).removed).toBe(5);
  });

  it("co-activity needs the trace; random removes live synapses only; growth fills free positions", () => {
    const { n, s } = pruned();
    expect(() => s.prune({ criterion: "activity", count: 1 })).toThrow(
      "activity pruning of the stdp learner needs its co-activity trace (trackActivity)",
    );
    s.trackActivity!(1000);
    const co = n.coactivity!;
    s.trackActivity!(5); // already on: the same scores
    expect(n.coactivity).toBe(co);
    co.set([5, 4, 3, 2, 1, 0.5, 6, 7, 8, 9, 10, 11]);
    s.prune({ criterion: "activity", count: 2 });
    expect(Array.from(n.mask!)).toEqual([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1]);
    s.prune({ criterion: "random", count: 5 });
    expect(n.liveCount()).toBe(5);
    expect(n.mask![4]! + n.mask![5]!).toBe(0);
    const grown = s.grow(4, 0.02, Rng.fromSeed(3));
    expect(grown).toBe(4);
    expect(n.liveCount()).toBe(9);
    let newOnes = 0;
    for (let k = 0; k < 12; k++) {
      if (n.mask![k] === 1 && n.weights[k] === Math.fround(0.02)) {
        newOnes++;
        expect(co[k]).toBe(0);
      }
    }
    expect(newOnes).toBe(4);
    expect(s.grow(10, 0.02, Rng.fromSeed(3))).toBe(3);
    // Growth without the co-activity trace.
    const plain = pruned();
    plain.s.prune({ criterion: "magnitude", count: 2 });
    expect(plain.s.grow(2, 0.02, Rng.fromSeed(3))).toBe(2);
    expect(plain.n.liveCount()).toBe(12);
    expect(s.grow(1, 0.02, Rng.fromSeed(3))).toBe(0);
    expect(s.counts()).toEqual({ remaining: 12, possible: 12 });
  });

  it("connectivity lists every synapse, then only the live ones", () => {
    const { s } = pruned();
    const [full] = s.connectivity()!;
    expect([full!.nPre, full!.nPost, Array.from(full!.rowPtr), Array.from(full!.target)]).toEqual([
      4,
      3,
      [0, 3, 6, 9, 12],
      [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2],
    ]);
    s.prune({ criterion: "magnitude", count: 4 });
    const [live] = s.connectivity()!;
    expect([Array.from(live!.rowPtr), Array.from(live!.target)]).toEqual([
      [0, 2, 4, 6, 8],
      [0, 2, 1, 2, 0, 1, 0, 2],
    ]);
  });
});

describe("the fused network's bookkeeping", () => {
  it("starts with weights (U[0, 1) + 0.01)·initWeightMax and no thresholds", () => {
    const n = net({ initWeightMax: 0.5 }, 100, 5);
    let min = Infinity,
      max = 0,
      sum = 0;
    for (const w of n.weights) {
      min = Math.min(min, w);
      max = Math.max(max, w);
      sum += w;
    }
    expect(min).toBeGreaterThanOrEqual(0.005 - 1e-8);
    expect(max).toBeLessThan(0.505);
    // Mean of 500 draws: 0.255 ± 0.145/√500 (4 sd: 0.026).
    expect(Math.abs(sum / 500 - 0.255)).toBeLessThan(0.026);
    expect(Array.from(n.theta)).toEqual([0, 0, 0, 0, 0]);
  });

  it("re-presents a silent image maxBoosts times and decays theta over all the simulated time", () => {
    // A blank image never makes a spike: 1 + 3 presentations of (350 + 150) ms at dt 0.5.
    const n = net({ maxBoosts: 3, tauThetaMs: 1e4 });
    n.theta.fill(1);
    const w = n.weights.slice();
    expect(n.present(new Float32Array(4), 0, true, true)).toBe(0);
    expect([n.presentations, n.boosts, n.stepsRun, n.inputSpikes, n.excSpikes]).toEqual([4, 3, 4000, 0, 0]);
    expect(n.theta[0]).toBeCloseTo(Math.exp(-2000 / 1e4), 6);
    expect(n.weights).toEqual(w);
    // Theta frozen (the test phase).
    n.present(new Float32Array(4), 0, false, false);
    expect(n.theta[0]).toBeCloseTo(Math.exp(-2000 / 1e4), 6);
    // restMode "reset": the rest is not simulated, yet theta decays over it.
    const r = net({ maxBoosts: 1, tauThetaMs: 1e4, restMode: "reset", minSpikes: 1 });
    r.theta.fill(1);
    r.present(new Float32Array(4), 0, true, true);
    expect([r.presentations, r.boosts, r.stepsRun]).toEqual([2, 1, 1400]);
    expect(r.theta[1]).toBeCloseTo(Math.exp(-1000 / 1e4), 6);
    // No boost when no spike is asked for; no decay with τθ = Infinity.
    const z = net({ minSpikes: 0, tauThetaMs: Infinity });
    z.theta.fill(1);
    z.present(new Float32Array(4), 0, true, true);
    expect([z.presentations, z.boosts, z.stepsRun, z.theta[2]]).toEqual([1, 0, 1000, 1]);
    z.resetCounters();
    expect([z.presentations, z.boosts, z.inputSpikes, z.excSpikes, z.inhSpikes, z.synapticEvents]).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
  });

  it("draws input spikes at intensity·rate (a boost adds boostRate per re-presentation); intensities above 1 count as 1", () => {
    // 40 pixels at 1, 40 at 0.5, 20 dark; 700 presentation steps of 0.5 ms per attempt; minSpikes out
    // of reach so all 1 + 2 attempts run, at 63.75, 95.625 and 127.5 Hz.
    const x = new Float32Array(100);
    for (let i = 0; i < 80; i++) x[i] = i < 40 ? 1 : 0.5;
    const n = net({ minSpikes: 100_000, maxBoosts: 2, excToInhWeight: 0 }, 100, 2);
    n.weights.fill(0); // no excitatory spike either
    const counts = new Int32Array(100);
    n.inputSpikeCounts = counts;
    n.present(x, 0, false, false);
    const pSum = ((63.75 + 95.625 + 127.5) * 0.5) / 1000;
    const bright = counts.slice(0, 40).reduce((a, b) => a + b, 0);
    const half = counts.slice(40, 80).reduce((a, b) => a + b, 0);
    expect(counts.slice(80).every((c) => c === 0)).toBe(true);
    const mean = 700 * 40 * pSum; // 4,030; the count is binomial, its sd below √mean
    expect(Math.abs(bright - mean)).toBeLessThan(4 * Math.sqrt(mean));
    expect(Math.abs(half - mean / 2)).toBeLessThan(4 * Math.sqrt(mean / 2));
    expect(n.inputSpikes).toBe(bright + half);
    expect(n.synapticEvents).toBe(2 * (bright + half));
    // The same stream with every intensity above 1 clipped to 1: the same spikes.
    const y = x.map((v) => (v === 1 ? 3 : v));
    const m = net({ minSpikes: 100_000, maxBoosts: 2, excToInhWeight: 0 }, 100, 2);
    m.weights.fill(0);
    m.inputSpikeCounts = new Int32Array(100);
    m.present(y, 0, false, false);
    expect(m.inputSpikeCounts).toEqual(counts);
  });

  it("counts synaptic events as input spikes × live targets + excitatory spikes + inhibitory spikes × (N − 1)", () => {
    const x = new Float32Array(30).fill(1);
    const n = net({ minSpikes: 0, maxRateHz: 200, initWeightMax: 1 }, 30, 4);
    const inputs = new Int32Array(30);
    const exc = new Float64Array(4);
    const inh = new Float64Array(4);
    n.inputSpikeCounts = inputs;
    n.excSpikeCounts = exc;
    n.inhSpikeCounts = inh;
    n.present(x, 0, true, true);
    const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
    expect(n.excSpikes).toBeGreaterThan(0);
    expect(n.inhSpikes).toBeGreaterThan(0);
    expect([sum(inputs), sum(exc), sum(inh)]).toEqual([n.inputSpikes, n.excSpikes, n.inhSpikes]);
    expect(n.synapticEvents).toBe(n.inputSpikes * 4 + n.excSpikes + n.inhSpikes * 3);
    // Pruned: each input's spikes reach only its live targets.
    const mask = n.ensureMask();
    expect(n.ensureMask()).toBe(mask);
    for (let k = 0; k < mask.length; k++) mask[k] = k % 3 === 0 ? 0 : 1;
    n.rebuildLiveIndex();
    n.resetCounters();
    inputs.fill(0);
    exc.fill(0);
    inh.fill(0);
    n.present(x, 0, true, true);
    let live = 0;
    for (let i = 0; i < 30; i++) for (let j = 0; j < 4; j++) live += inputs[i]! * mask[i * 4 + j]!;
    expect(n.synapticEvents).toBe(live + n.excSpikes + n.inhSpikes * 3);
    for (let k = 0; k < mask.length; k++) if (mask[k] === 0) expect(n.weights[k]).toBe(0);
  });

  it("a pruned network steps exactly as the dense one whose pruned weights are 0 (the live-target path)", () => {
    // Delivery over each input's live targets must add what the dense loop adds when the pruned weights are 0:
    // the same input stream (same seed) then gives the same spikes, thresholds and membrane state. Learning is
    // off: with it on, the dense network would potentiate the zero weights that the mask holds at 0.
    const x = new Float32Array(30);
    for (let i = 0; i < 30; i++) x[i] = ((i * 7) % 10) / 9;
    const pruned = net({ minSpikes: 0, maxRateHz: 150, initWeightMax: 1 }, 30, 4, 9);
    const dense = net({ minSpikes: 0, maxRateHz: 150, initWeightMax: 1 }, 30, 4, 9);
    const mask = pruned.ensureMask();
    for (let k = 0; k < mask.length; k++) mask[k] = (k * 5) % 7 < 3 ? 0 : 1;
    pruned.rebuildLiveIndex();
    dense.weights.set(pruned.weights);
    let spikes = 0;
    for (let image = 0; image < 6; image++) {
      const a = pruned.present(x, 0, false, true);
      const b = dense.present(x, 0, false, true);
      expect(a, `image ${image}`).toBe(b);
      expect(Array.from(pruned.counts)).toEqual(Array.from(dense.counts));
      spikes += a;
    }
    expect(spikes).toBeGreaterThan(20); // the comparison saw spikes, not silence
    expect(Array.from(pruned.theta)).toEqual(Array.from(dense.theta));
    expect([pruned.inhSpikes, pruned.inputSpikes]).toEqual([dense.inhSpikes, dense.inputSpikes]);
    // Events differ only by the pruned targets: each input spike reaches its live targets.
    expect(pruned.synapticEvents).toBeLessThan(dense.synapticEvents);
  });

  it("counts inhibitory updates: one catch-up per activation plus each step a neuron spends on the loop", () => {
    // With no excitatory→inhibitory drive an excitatory spike activates its partner (one closed-form catch-up),
    // which leaves the loop at the next step without an update: exactly one update per excitatory spike.
    const x = new Float32Array(30).fill(1);
    const quiet = net({ minSpikes: 0, maxRateHz: 200, initWeightMax: 1, excToInhWeight: 0 }, 30, 4);
    quiet.present(x, 0, true, true);
    expect(quiet.excSpikes).toBeGreaterThan(0);
    expect(quiet.inhSpikes).toBe(0);
    expect(quiet.inhibitoryUpdates).toBe(quiet.excSpikes);
    // Driven, each activated partner stays on the loop while its conductance decays (≈ 20 ms, 40 steps):
    // more updates than activations, at most one per neuron and step plus the catch-ups.
    const driven = net({ minSpikes: 0, maxRateHz: 200, initWeightMax: 1 }, 30, 4);
    driven.present(x, 0, true, true);
    expect(driven.inhSpikes).toBeGreaterThan(0);
    expect(driven.inhibitoryUpdates).toBeGreaterThan(driven.excSpikes + driven.inhSpikes);
    expect(driven.inhibitoryUpdates).toBeLessThanOrEqual(driven.stepsRun * 4 + driven.excSpikes);
  });

  it("counts a neuron's spikes during the presentation only, not in the rest after it", () => {
    // The rest is simulated (restMode "simulate"): residual drive makes a few spikes there (3 in 5 images here),
    // which the spike counters see but the read-out's counts must not.
    const x = new Float32Array(30).fill(1);
    const n = net({ minSpikes: 0, maxRateHz: 200, initWeightMax: 1 }, 30, 4);
    let presented = 0;
    for (let image = 0; image < 5; image++) {
      const total = n.present(x, 0, true, true);
      expect(
        Array.from(n.counts).reduce((a, b) => a + b, 0),
        `image ${image}`,
      ).toBe(total);
      presented += total;
    }
    expect(presented).toBeGreaterThan(100);
    expect(n.excSpikes).toBeGreaterThan(presented);
  });

  it("silenced neurons never spike, so their inhibitory partners never do either", () => {
    const n = net({ minSpikes: 0, maxRateHz: 200, initWeightMax: 1 }, 30, 4);
    n.silenced.fill(1);
    n.present(new Float32Array(30).fill(1), 0, true, true);
    expect(n.inputSpikes).toBeGreaterThan(0);
    expect([n.excSpikes, n.inhSpikes, Array.from(n.counts)]).toEqual([0, 0, [0, 0, 0, 0]]);
  });

  it("indexes live synapses by input and by neuron, and normalises each neuron's live weights", () => {
    const n = net({}, 3, 2);
    expect(n.normalizeLive(1, 1)).toBe(false);
    expect(n.liveCount()).toBe(6);
    n.weights.set([0.2, 0.4, 0.3, 0.1, 0.5, 0.6]);
    const mask = n.ensureMask();
    mask.set([1, 0, 1, 1, 0, 1]);
    n.rebuildLiveIndex();
    expect(Array.from(n.liveRowPtr!)).toEqual([0, 1, 3, 4]);
    expect(Array.from(n.liveTargets!)).toEqual([0, 0, 1, 1]);
    expect(Array.from(n.liveColPtr!)).toEqual([0, 2, 4]);
    expect(Array.from(n.liveColIdx!)).toEqual([0, 2, 3, 5]);
    expect(Array.from(n.weights)).toEqual([0.2, 0, 0.3, 0.1, 0, 0.6].map(Math.fround));
    expect(n.liveCount()).toBe(4);
    // Neuron 0: 0.2, 0.3 to sum 1 → 0.4, 0.6. Neuron 1: 0.1, 0.6 to sum 1.5 under wMax 1 → 1 pinned, 0.1 → 0.5.
    expect(n.normalizeLive(1, 10)).toBe(true);
    expect(n.weights[0]).toBeCloseTo(0.4, 6);
    expect(n.weights[2]).toBeCloseTo(0.6, 6);
    expect(n.weights[3]).toBeCloseTo(0.1 / 0.7, 6);
    expect(n.weights[5]).toBeCloseTo(0.6 / 0.7, 6);
    n.weights[3] = 0.1;
    n.weights[5] = 0.6;
    n.normalizeLive(1.5, 1);
    expect(n.weights[5]).toBe(1);
    expect(n.weights[3]).toBeCloseTo(0.5, 6);
    // Two live synapses cannot hold 3 under wMax 1: both held at 1.
    n.normalizeLive(3, 1);
    expect([n.weights[0], n.weights[2], n.weights[3], n.weights[5]]).toEqual([1, 1, 1, 1]);
    // A neuron whose live weights are all 0 is left alone.
    n.weights[3] = 0;
    n.weights[5] = 0;
    n.normalizeLive(1, 1);
    expect([n.weights[3], n.weights[5]]).toEqual([0, 0]);
  });

  it("reports inference bytes as the parameters and state it steps through, and refuses a co-activity τ ≤ 0", () => {
    const n = net({}, 10, 3);
    // weights 10·3 float32; theta, v, ge, gi, refE, vI, geI, giI, refI, activeI, vILast: 11 × 3 × 4 bytes;
    // isActiveI 3 bytes; the xorshift state 4 × 4 bytes.
    expect(n.inferenceBytes()).toBe(120 + 132 + 3 + 16);
    n.ensureMask().fill(1);
    n.rebuildLiveIndex();
    expect(n.inferenceBytes()).toBe(120 + 132 + 3 + 16 + 11 * 4 + 30 * 4);
    expect(() => n.trackCoactivity(0)).toThrow("co-activity tauMs must be > 0, got 0");
  });

  it("puts every piece of state back on restore: the same image gives the same spikes and weights", () => {
    const x = new Float32Array(30);
    for (let i = 0; i < 30; i++) x[i] = (i % 5) / 4;
    const n = net({ initWeightMax: 1, maxRateHz: 150 }, 30, 4);
    n.trackCoactivity(100);
    n.present(x, 0, true, true);
    const restore = n.saveState();
    const snap = () => [
      Array.from(n.counts),
      Array.from(n.weights),
      Array.from(n.theta),
      Array.from(n.coactivity!),
      n.stepsRun,
      n.inputSpikes,
      n.excSpikes,
      n.inhSpikes,
      n.synapticEvents,
      n.presentations,
      n.inhibitoryUpdates,
    ];
    n.present(x, 0, true, true);
    n.present(x, 0, true, true);
    const after = snap();
    restore();
    n.present(x, 0, true, true);
    n.present(x, 0, true, true);
    expect(snap()).toEqual(after);
  });
});

describe("the learner around the network", () => {
  const shape = {
    inputSize: 16,
    classes: 2,
    image: { height: 4, width: 4, channels: 1 },
    featureRange: { min: 0, max: 1 },
  };
  /** 3 neurons on 4×4 images: class 0 bright on the left half, class 1 on the right. */
  function setup(over: Record<string, unknown> = {}) {
    const config = diehlCookConfigSchema.parse({
      type: "stdp",
      excitatory: 3,
      presentationMs: 60,
      restMs: 20,
      weightSum: 4,
      initWeightMax: 0.4,
      maxRateHz: 300,
      minSpikes: 0,
      batchSize: 4,
      ...over,
    });
    const learner = new DiehlCookLearner(config, shape, Rng.fromSeed(7).fork("init"));
    const x = new Float32Array(8 * 16);
    const y = new Int32Array(8);
    for (let n = 0; n < 8; n++) {
      y[n] = n % 2;
      for (let p = 0; p < 16; p++) x[n * 16 + p] = p % 4 < 2 === (n % 2 === 0) ? 1 : 0;
    }
    return { config, learner, x, y };
  }

  it("refuses features outside [0, 1] and takes its name from the config", () => {
    const { config, learner } = setup();
    expect([learner.name, learner.type, learner.maxBatch]).toEqual(["stdp", "stdp", 4]);
    expect(new DiehlCookLearner({ ...config, name: "dc" }, shape, Rng.fromSeed(1)).name).toBe("dc");
    for (const featureRange of [
      { min: -1, max: 1 },
      { min: 0, max: 2 },
    ]) {
      expect(() => new DiehlCookLearner(config, { ...shape, featureRange }, Rng.fromSeed(1))).toThrow(
        `learner stdp: inputs must be intensities in [0, 1], the task's features range over [${featureRange.min}, ${featureRange.max}]`,
      );
    }
    try {
      new DiehlCookLearner(config, { ...shape, featureRange: { min: -1, max: 1 } }, Rng.fromSeed(1));
    } catch (e) {
      expect((e as { code?: string }).code).toBe("E_CONFIG_INVALID");
    }
    // Each neuron's input weights as an image, [j·H·W + pixel] = w[pixel·N + j]; a task without image
    // geometry gives one row of inputSize pixels.
    const rf = learner.receptiveFields();
    expect([rf.width, rf.height, rf.count, rf.data.length]).toEqual([4, 4, 3, 48]);
    for (let j = 0; j < 3; j++)
      for (let i = 0; i < 16; i++) expect(rf.data[j * 16 + i]).toBe(learner.network.weights[i * 3 + j]);
    const flat = new DiehlCookLearner(
      config,
      { inputSize: 16, classes: 2, featureRange: { min: 0, max: 1 } },
      Rng.fromSeed(1),
    );
    expect([flat.receptiveFields().width, flat.receptiveFields().height]).toEqual([16, 1]);
    expect(learner.params()).toEqual([
      { name: "input-weights", value: learner.network.weights, grad: new Float32Array(0), decay: true },
    ]);
  });

  it("reports each statistic from the network's counters over the samples since the last call", () => {
    const { config, learner, x } = setup();
    const net = learner.network;
    net.silenced[2] = 1; // never fires, never assigned
    // Labels 0, 1, 1, 0, 1, 1, 0, 1. The first batch is predicted with no neuron assigned: class 0
    // every time (3 right), and every spike is off-label (loss 1).
    const y = Int32Array.from([0, 1, 1, 0, 1, 1, 0, 1]);
    expect(learner.trainBatch(x, y, 8)).toEqual({ loss: 1, correct: 3 });
    const c = [net.excSpikes, net.inhSpikes, net.inputSpikes, net.synapticEvents, net.boosts, net.presentations];
    expect(c[0]).toBeGreaterThan(0);
    const theta = Array.from(net.theta).reduce((a, b) => a + b, 0) / 3;
    const assigned = Array.from(learner.assignment).filter((a) => a >= 0).length;
    const s = learner.collectStats();
    expect(s["spikesPerSample"]).toBe(c[0]! / 8);
    expect(s["inhibitorySpikesPerSample"]).toBe(c[1]! / 8);
    expect(s["inputSpikesPerSample"]).toBe(c[2]! / 8);
    expect(s["synapticEventsPerSample"]).toBe(c[3]! / 8);
    expect(s["boostsPerSample"]).toBe(c[4]! / 8);
    expect(s["meanFiringRateHz"]).toBeCloseTo(c[0]! / 3 / ((c[5]! * config.presentationMs) / 1000), 12);
    expect(s["meanThetaMv"]).toBeCloseTo(theta, 6);
    expect(s["assignedNeurons"]).toBe(assigned);
    expect(assigned).toBe(2);
    expect(s["meanWeight"]).toBeCloseTo(Array.from(net.weights).reduce((a, b) => a + b, 0) / 48, 6);
    expect([s["synapseCount"], s["connectionDensity"]]).toEqual([48, 1]);
    // Counting restarts: nothing since the last call.
    const again = learner.collectStats();
    expect([again["spikesPerSample"], again["meanFiringRateHz"], net.presentations]).toEqual([0, 0, 0]);
    // Samples restart too: 4 samples now.
    learner.trainBatch(x, y, 4);
    const exc = net.excSpikes;
    expect(learner.collectStats()["spikesPerSample"]).toBe(exc / 4);
  });

  it("evaluates with its loss proxy and correct count per sample, and adapts theta at test only when asked", () => {
    const { learner, x, y } = setup();
    learner.trainBatch(x, y, 8);
    const net = learner.network;
    const assignment = learner.assignment;
    const pred = new Int32Array(8);
    for (let b = 0; b < 8; b++) {
      const r = learner.evaluate(x.subarray(b * 16, (b + 1) * 16), y.subarray(b, b + 1), 1, pred.subarray(b, b + 1));
      let total = 0;
      let on = 0;
      for (let j = 0; j < 3; j++) {
        total += net.counts[j]!;
        if (assignment[j] === y[b]) on += net.counts[j]!;
      }
      expect(r.loss).toBeCloseTo(total > 0 ? 1 - on / total : 1, 12);
      expect(r.correct).toBe(pred[b] === y[b] ? 1 : 0);
    }
    // One call over the batch is the same as one call per sample; rates count that call's presentations.
    const twin = setup().learner;
    twin.trainBatch(x, y, 8);
    const batch = twin.evaluate(x, y, 8);
    const single = setup().learner;
    single.trainBatch(x, y, 8);
    let loss = 0;
    let correct = 0;
    for (let b = 0; b < 8; b++) {
      const r = single.evaluate(x.subarray(b * 16, (b + 1) * 16), y.subarray(b, b + 1), 1);
      loss += r.loss;
      correct += r.correct;
    }
    expect(batch.correct).toBe(correct);
    expect(batch.loss).toBeCloseTo(loss / 8, 12);
    const e0 = twin.network.excSpikes;
    twin.evaluate(x, y, 8);
    const rates = twin.neuronRatesHz();
    const spikes = Array.from(rates.subarray(0, 3)).reduce((a, b) => a + b, 0) * ((8 * 60) / 1000);
    expect(spikes).toBeCloseTo(twin.network.excSpikes - e0, 3);
    const adapting = setup({ fixThetaAtTest: false }).learner;
    adapting.trainBatch(x, y, 8);
    const before = adapting.network.theta.slice();
    adapting.evaluate(x, y, 8);
    expect(adapting.network.theta).not.toEqual(before);
  });

  it("assigns labels from the current epoch's training images only", () => {
    // The same images labelled 0, then (after an evaluation ends the epoch) labelled 1: only 1 remains.
    const { learner, x } = setup();
    learner.trainBatch(x, new Int32Array(8), 8);
    expect(Array.from(learner.assignment).every((a) => a <= 0)).toBe(true);
    learner.evaluate(x, new Int32Array(8), 2);
    learner.trainBatch(x, new Int32Array(8).fill(1), 8);
    expect(Array.from(learner.assignment).some((a) => a === 1)).toBe(true);
    expect(Array.from(learner.assignment).every((a) => a === 1 || a === -1)).toBe(true);
  });

  it("restores the sample count with the network, silences units and gives them back", () => {
    const { learner, x, y } = setup();
    const net = learner.network;
    learner.trainBatch(x, y, 4);
    const exc = net.excSpikes;
    const restore = learner.saveState();
    learner.trainBatch(x, y, 4);
    restore();
    expect(learner.collectStats()["spikesPerSample"]).toBe(exc / 4);
    const back = learner.silenceUnits(1, Rng.fromSeed(2));
    expect(Array.from(net.silenced)).toEqual([1, 1, 1]);
    learner.evaluate(x, y, 8);
    expect(net.excSpikes).toBe(0);
    back();
    expect(Array.from(net.silenced)).toEqual([0, 0, 0]);
  });

  it("counts dense operations as steps × (inputs·N + N + N·(N − 1)) and leaves the network as it was", () => {
    const { learner, x, y } = setup();
    learner.trainBatch(x, y, 8);
    const steps = learner.network.stepsRun;
    const costs = learner.measureCosts(x, 8);
    // One presentation per image (minSpikes 0): (60 + 20) ms / 0.5 ms = 160 steps.
    expect(costs.denseOps).toBe(160 * (16 * 3 + 3 + 3 * 2));
    expect(costs.footprintBytes).toBe(learner.network.inferenceBytes());
    expect(costs.effectiveAcs).toBeGreaterThan(0);
    expect(learner.network.stepsRun).toBe(steps);
    expect(learner.measureCosts(x, 8)).toEqual(costs);
    // Measured from rest with the side stream "costs": evaluating in between changes nothing.
    learner.evaluate(x, y, 8);
    expect(learner.measureCosts(x, 8)).toEqual(costs);
    // Replayed by hand from the same start: each count as the costs define it.
    // Without a pathway (E→I or I→E weight 0) its spikes drive nothing and cost no accumulate.
    for (const over of [
      { fixThetaAtTest: true },
      { fixThetaAtTest: false },
      { fixThetaAtTest: true, inhToExcWeight: 0 },
      { fixThetaAtTest: true, excToInhWeight: 0 },
    ]) {
      const { fixThetaAtTest } = over;
      const { learner: l } = setup(over);
      l.trainBatch(x, y, 8);
      const c = l.measureCosts(x, 8);
      const n = l.network;
      const restore = n.saveState();
      const inputs = new Int32Array(16);
      n.inputSpikeCounts = inputs;
      n.startCostMeasurement();
      const [s0, e0, i0, u0] = [n.stepsRun, n.excSpikes, n.inhSpikes, n.inhibitoryUpdates];
      for (let b = 0; b < 8; b++) n.present(x, b * 16, false, !fixThetaAtTest);
      const [steps, exc, inh, upd] = [n.stepsRun - s0, n.excSpikes - e0, n.inhSpikes - i0, n.inhibitoryUpdates - u0];
      n.inputSpikeCounts = null;
      let acs = (over.excToInhWeight === 0 ? 0 : exc) + (over.inhToExcWeight === 0 ? 0 : inh * 2);
      for (let i = 0; i < 16; i++) {
        let nz = 0;
        for (let j = 0; j < 3; j++) if (n.weights[i * 3 + j] !== 0) nz++;
        acs += inputs[i]! * nz;
      }
      restore();
      expect(exc).toBeGreaterThan(0);
      if (over.excToInhWeight !== 0) expect(inh).toBeGreaterThan(0);
      expect(c.effectiveAcs).toBe(acs / 8);
      expect(c.activationSparsity).toBeCloseTo(1 - (exc + inh) / (2 * 3 * steps), 12);
      expect(c.membraneUpdates).toBe((3 * steps + upd) / 8);
      expect(c.memoryAccesses).toBeCloseTo((acs + 6 * (3 * steps + upd) + exc + inh) / 8, 9);
    }
  });
});
