// The plasticity rules' equations checked event by event, against values
// written out by hand from the papers' definitions (each expected value below
// is a closed-form sum of exponentials, not a simulation):
// - pair STDP (Song, Miller & Abbott 2000; Bi & Poo 1998) with soft bounds
//   (van Rossum et al. 2000): Δw+ = aPlus·x·(wMax - w)/(wMax - wMin),
//   Δw- = aMinus·y·(w - wMin)/(wMax - wMin);
// - triplet STDP (Pfister & Gerstner 2006, J Neurosci 26:9673, their eqs. 1-2
//   with all four amplitudes non-zero): at a pre spike w -= o1·(A2- + A3-·r2),
//   at a post spike w += r1·(A2+ + A3+·o2), r2 and o2 read before the spike's own
//   bump, traces adding 1 (all-to-all) or set to 1 (nearest);
// - reward-modulated STDP (Izhikevich 2007): the eligibility decays with
//   tauEligibility, each synapse from the step it was last touched;
// - the lazy traces: x(t) = x(t_last)·exp(-(t - t_last)·dt/τ), the same double
//   whether read from the table or computed;
// - synaptic normalisation (Diehl & Cook 2015) with water filling, worked out
//   by hand; the CSR normaliser bit for bit as the dense one;
// - the adaptive threshold (Diehl & Cook 2015): exact decay per step and over a
//   rest, frozen while disabled, as a monitor of the group it watches.
// Weights are float32: after a few increments of order 1e-2 on a weight near 1
// each store rounds by at most 2^-24 ≈ 6e-8, so 6 decimals (5e-7) is the
// tolerance where float32 weights are compared with float64 sums.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { buildColumnIndex, denseStructure, hasCompleteRows } from "../src/plasticity/column-index.js";
import { AdaptiveThreshold } from "../src/plasticity/homeostasis.js";
import { createPlasticity, plasticityConfigSchema } from "../src/plasticity/index.js";
import { allButSelfMatrix, oneToOneMatrix, winnerTakeAll } from "../src/plasticity/lateral-inhibition.js";
import {
  CsrColumnNormalizer,
  DenseColumnNormalizer,
  normalizeCsrIncoming,
  waterFill,
} from "../src/plasticity/normalization.js";
import { PairStdp, type PairStdpParams } from "../src/plasticity/pair-stdp.js";
import { RewardStdp } from "../src/plasticity/reward-stdp.js";
import type { PlasticPathway, PlasticityRule } from "../src/plasticity/rule.js";
import { LazyTraces } from "../src/plasticity/traces.js";
import { TripletStdp, type TripletStdpParams } from "../src/plasticity/triplet-stdp.js";
import { ConductanceLifGroup } from "../src/snn/neurons/conductance-lif.js";
import { SynapseMatrix } from "../src/snn/synapses/csr.js";

const DT = 0.1;
const e = Math.exp;

type Source = { size: number; spiked: Int32Array; spikeCount: number };
function source(size: number): Source {
  return { size, spiked: new Int32Array(size), spikeCount: 0 };
}

type Path = PlasticPathway & { pre: Source; post: Source; matrix: SynapseMatrix };
function pathway(nPre: number, nPost: number, rows: number[][], w0: number): Path {
  const rowPtr = new Int32Array(nPre + 1);
  const target: number[] = [];
  rows.forEach((r, i) => {
    target.push(...r);
    rowPtr[i + 1] = target.length;
  });
  const matrix = new SynapseMatrix(
    nPre,
    nPost,
    rowPtr,
    Int32Array.from(target),
    new Float32Array(target.length).fill(w0),
  );
  const pre = source(nPre);
  const post = source(nPost);
  return { matrix, source: pre, target: post, pre, post };
}

/** One step: the listed pre and post neurons spike, then the rule updates. */
function stepAt(rule: PlasticityRule, p: Path, ms: number, pre: number[], post: number[]): void {
  p.pre.spiked.set(pre);
  p.pre.spikeCount = pre.length;
  p.post.spiked.set(post);
  p.post.spikeCount = post.length;
  rule.update(Math.round(ms / DT));
}

/** Spike trains of one pre and one post neuron (ms) played in time order through a rule on p. */
function play(rule: PlasticityRule, p: Path, preMs: number[], postMs: number[]): void {
  const times = [...new Set([...preMs, ...postMs])].sort((a, b) => a - b);
  for (const t of times) stepAt(rule, p, t, preMs.includes(t) ? [0] : [], postMs.includes(t) ? [0] : []);
}

const PAIR: PairStdpParams = {
  tauPlusMs: 20,
  tauMinusMs: 30,
  aPlus: 0.01,
  aMinus: -0.012,
  wMin: 0,
  wMax: 1,
  bound: "additive",
  pairing: "all-to-all",
};

describe("lazy traces", () => {
  it("decay as x·exp(-age·dt/τ): the same double from the table, past its end and backwards in time", () => {
    const tau = 5;
    const t = new LazyTraces(3, tau, DT, "add");
    const rate = DT / tau;
    t.bump(1, 100);
    // The table covers 30 time constants (1501 ages here); ages on both sides of its end.
    for (const age of [0, 1, 7, 1499, 1500, 1501, 1502, 70_000]) expect(t.read(1, 100 + age)).toBe(e(-age * rate));
    expect(t.read(1, 90)).toBe(e(10 * rate));
    expect(t.read(0, 200)).toBe(0);
    // All-to-all: a bump adds 1 to the decayed value.
    t.bump(1, 110);
    expect(t.read(1, 110)).toBe(e(-10 * rate) + 1);
    expect(t.read(1, 130)).toBeCloseTo((e(-10 * rate) + 1) * e(-20 * rate), 15);
    const s = new LazyTraces(2, tau, DT, "set");
    s.bump(0, 5);
    s.bump(0, 9);
    expect(s.read(0, 9)).toBe(1);
    expect(s.read(0, 19)).toBe(e(-10 * rate));
  });

  it("list each bumped neuron once as active; reset forgets values, steps and the list", () => {
    const t = new LazyTraces(4, 20, DT, "add");
    t.bump(2, 10);
    t.bump(0, 12);
    t.bump(2, 15);
    expect(t.activeCount).toBe(2);
    expect(Array.from(t.active.subarray(0, 2))).toEqual([2, 0]);
    t.reset();
    expect(t.activeCount).toBe(0);
    expect(t.read(2, 20)).toBe(0);
    expect(Array.from(t.value)).toEqual([0, 0, 0, 0]);
    expect(Array.from(t.lastStep)).toEqual([0, 0, 0, 0]);
    // After a reset a neuron joins the list again, once.
    t.bump(2, 30);
    t.bump(2, 31);
    expect(t.activeCount).toBe(1);
    expect(t.active[0]).toBe(2);
    expect(t.read(2, 31)).toBe(e(-DT / 20) + 1);
  });

  it("refuses a time constant that is not positive", () => {
    expect(() => new LazyTraces(1, 0, DT, "add")).toThrow("trace time constant must be > 0 ms, got 0");
  });
});

describe("pair STDP: bounds, counts and the paths through the matrix", () => {
  it("soft bounds scale by (wMax - w)/(wMax - wMin) and (w - wMin)/(wMax - wMin) with wMin ≠ 0", () => {
    const soft: PairStdpParams = { ...PAIR, bound: "multiplicative", wMin: -0.5, wMax: 1.5 };
    let p = pathway(1, 1, [[0]], 0.7);
    play(new PairStdp(p, soft, DT), p, [0], [10]);
    expect(p.matrix.weight[0]! - 0.7).toBeCloseTo((0.01 * e(-10 / 20) * 0.8) / 2, 6);
    p = pathway(1, 1, [[0]], 0.7);
    play(new PairStdp(p, soft, DT), p, [10], [0]);
    expect(p.matrix.weight[0]! - 0.7).toBeCloseTo((-0.012 * e(-10 / 30) * 1.2) / 2, 6);
    // The same depression where a pre spike visits only the few targets with a trace (complete rows).
    const row = pathway(1, 8, [[0, 1, 2, 3, 4, 5, 6, 7]], 0.7);
    const rule = new PairStdp(row, soft, DT);
    stepAt(rule, row, 0, [], [3]);
    stepAt(rule, row, 10, [0], []);
    expect(row.matrix.weight[3]! - 0.7).toBeCloseTo((-0.012 * e(-10 / 30) * 1.2) / 2, 6);
    expect(row.matrix.weight[2]).toBe(Math.fround(0.7));
  });

  it("clips at both bounds and refuses wMax ≤ wMin", () => {
    let p = pathway(1, 1, [[0]], 0.3);
    play(new PairStdp(p, { ...PAIR, wMin: 0.25, wMax: 0.305 }, DT), p, [0, 1, 2], [3]);
    expect(p.matrix.weight[0]).toBe(Math.fround(0.305));
    p = pathway(1, 1, [[0]], 0.3);
    play(new PairStdp(p, { ...PAIR, wMin: 0.295, wMax: 0.4 }, DT), p, [3], [0, 1, 2]);
    expect(p.matrix.weight[0]).toBe(Math.fround(0.295));
    expect(() => new PairStdp(pathway(1, 1, [[0]], 0), { ...PAIR, wMin: 1, wMax: 1 }, DT)).toThrow(
      "wMax (1) must exceed wMin (1)",
    );
  });

  it("counts one update per pairing visited: none for a neuron without a trace or with one decayed to 0", () => {
    const p = pathway(1, 1, [[0]], 0.5);
    const rule = new PairStdp(p, PAIR, DT);
    // pre@0 (no post trace: 0), post@10 (1), post@20 (1), pre@30 (1).
    play(rule, p, [0, 30], [10, 20]);
    expect(rule.updates).toBe(3);
    const expected = 0.01 * (e(-10 / 20) + e(-20 / 20)) + -0.012 * (e(-20 / 30) + e(-10 / 30)) + 0.5;
    expect(p.matrix.weight[0]).toBeCloseTo(expected, 6);
    // 30 s later every trace has underflowed to exactly 0 (exp(-1000)): nothing pairs, nothing is counted.
    stepAt(rule, p, 30_030, [0], []);
    stepAt(rule, p, 60_030, [], [0]);
    expect(rule.updates).toBe(3);
    expect(p.matrix.weight[0]).toBeCloseTo(expected, 6);
  });

  it("depresses the right synapse whether a pre spike walks its row or visits the few active targets", () => {
    // Complete rows (2 × 8 all-to-all) with one active target: the pre spike visits synapse 1·8 + 5.
    const dense = pathway(
      2,
      8,
      [
        [0, 1, 2, 3, 4, 5, 6, 7],
        [0, 1, 2, 3, 4, 5, 6, 7],
      ],
      0.5,
    );
    let rule = new PairStdp(dense, PAIR, DT);
    stepAt(rule, dense, 0, [], [5]);
    stepAt(rule, dense, 10, [1], []);
    const dep = -0.012 * e(-10 / 30);
    for (let s = 0; s < 16; s++) expect(dense.matrix.weight[s]! - 0.5).toBeCloseTo(s === 13 ? dep : 0, 6);
    expect(rule.updates).toBe(1);
    // Rows that are not complete (pre 0 → {2, 5}, pre 1 → all 8): the row is walked by target.
    const sparse = pathway(
      2,
      8,
      [
        [2, 5],
        [0, 1, 2, 3, 4, 5, 6, 7],
      ],
      0.5,
    );
    rule = new PairStdp(sparse, PAIR, DT);
    stepAt(rule, sparse, 0, [], [5]);
    stepAt(rule, sparse, 10, [0], []);
    for (let s = 0; s < 10; s++) expect(sparse.matrix.weight[s]! - 0.5).toBeCloseTo(s === 1 ? dep : 0, 6);
    // Target 0 alone has a trace: it is depressed once.
    const first = pathway(1, 8, [[0, 1, 2, 3, 4, 5, 6, 7]], 0.5);
    rule = new PairStdp(first, PAIR, DT);
    stepAt(rule, first, 0, [], [0]);
    stepAt(rule, first, 10, [0], []);
    expect(first.matrix.weight[0]! - 0.5).toBeCloseTo(dep, 6);
    expect(rule.updates).toBe(1);
    // A listed target whose trace has underflowed to 0 (60 s later) is skipped and not counted.
    rule = new PairStdp(dense, PAIR, DT);
    stepAt(rule, dense, 0, [], [5]);
    stepAt(rule, dense, 60_000, [1], []);
    expect(rule.updates).toBe(0);
    // Many active targets (4 of 8): every one of them depressed by its own trace.
    const many = pathway(1, 8, [[0, 1, 2, 3, 4, 5, 6, 7]], 0.5);
    rule = new PairStdp(many, PAIR, DT);
    stepAt(rule, many, 0, [], [0, 2, 4, 6]);
    stepAt(rule, many, 5, [], [6]);
    stepAt(rule, many, 20, [0], []);
    for (let j = 0; j < 8; j++) {
      const y = j % 2 === 1 ? 0 : j === 6 ? e(-20 / 30) + e(-15 / 30) : e(-20 / 30);
      expect(many.matrix.weight[j]! - 0.5).toBeCloseTo(-0.012 * y, 6);
    }
  });

  it("after synapses are removed and added, a post spike walks the new column index", () => {
    const p = pathway(2, 2, [[0, 1], [1]], 0.5);
    const rule = new PairStdp(p, PAIR, DT);
    // Remove 0→1, add 1→0: rows become pre 0 → {0}, pre 1 → {1, 0}.
    p.matrix.rowPtr = Int32Array.from([0, 1, 3]);
    p.matrix.target = Int32Array.from([0, 1, 0]);
    p.matrix.weight = Float32Array.from([0.5, 0.5, 0.2]);
    rule.synapsesChanged(Int32Array.from([0, 2, -1]));
    stepAt(rule, p, 0, [1], []);
    stepAt(rule, p, 10, [], [0]);
    expect(p.matrix.weight[0]).toBe(0.5);
    expect(p.matrix.weight[1]).toBe(0.5);
    expect(p.matrix.weight[2]! - 0.2).toBeCloseTo(0.01 * e(-10 / 20), 6);
  });

  it("forgets earlier spikes after resetTraces", () => {
    const p = pathway(1, 1, [[0]], 0.5);
    const rule = new PairStdp(p, PAIR, DT);
    stepAt(rule, p, 0, [0], []);
    rule.resetTraces();
    stepAt(rule, p, 10, [], [0]);
    expect(p.matrix.weight[0]).toBe(0.5);
    rule.resetTraces();
    stepAt(rule, p, 20, [0], []);
    expect(p.matrix.weight[0]).toBe(0.5);
    expect(rule.updates).toBe(0);
  });

  it("record(step), the Monitor hook a Network calls at the end of a step, applies that step's updates", () => {
    // A pre spike at 1 ms, a post spike at 3 ms.
    const p = pathway(1, 1, [[0]], 0.5);
    const rule = new PairStdp(p, PAIR, DT);
    p.pre.spikeCount = 1;
    rule.record(10);
    p.pre.spikeCount = 0;
    p.post.spikeCount = 1;
    rule.record(30);
    expect(p.matrix.weight[0]! - 0.5).toBeCloseTo(0.01 * e(-2 / 20), 6);
  });
});

const TRIPLET: TripletStdpParams = {
  tauPlusMs: 16.8,
  tauMinusMs: 33.7,
  tauXMs: 101,
  tauYMs: 114,
  a2Plus: 5e-3,
  a3Plus: 6.5e-3,
  a2Minus: 7.1e-3,
  a3Minus: 2.3e-3,
  wMin: -10,
  wMax: 10,
  pairing: "all-to-all",
};

describe("triplet STDP, every term (Pfister & Gerstner 2006, eqs. 1-2)", () => {
  const { tauPlusMs: tp, tauMinusMs: tm, tauXMs: tx, tauYMs: ty, a2Plus, a3Plus, a2Minus, a3Minus } = TRIPLET;
  // pre 0, post 10, post 20, pre 30, pre 45 (ms).
  const pre = [0, 30, 45];
  const post = [10, 20];

  it("all-to-all: r1, r2, o1, o2 add 1 at each spike", () => {
    const p = pathway(1, 1, [[0]], 0.5);
    const rule = new TripletStdp(p, TRIPLET, DT);
    play(rule, p, pre, post);
    const d1 = e(-10 / tp) * a2Plus;
    const d2 = e(-20 / tp) * (a2Plus + a3Plus * e(-10 / ty));
    const d3 = -(e(-20 / tm) + e(-10 / tm)) * (a2Minus + a3Minus * e(-30 / tx));
    const d4 = -(e(-35 / tm) + e(-25 / tm)) * (a2Minus + a3Minus * (e(-45 / tx) + e(-15 / tx)));
    expect(p.matrix.weight[0]).toBeCloseTo(0.5 + d1 + d2 + d3 + d4, 6);
    expect(rule.updates).toBe(4);
  });

  it("nearest: traces are set to 1 at each spike", () => {
    const p = pathway(1, 1, [[0]], 0.5);
    play(new TripletStdp(p, { ...TRIPLET, pairing: "nearest" }, DT), p, [...pre, 60], [...post, 70]);
    const d1 = e(-10 / tp) * a2Plus;
    const d2 = e(-20 / tp) * (a2Plus + a3Plus * e(-10 / ty));
    const d3 = -e(-10 / tm) * (a2Minus + a3Minus * e(-30 / tx));
    const d4 = -e(-25 / tm) * (a2Minus + a3Minus * e(-15 / tx));
    const d5 = -e(-40 / tm) * (a2Minus + a3Minus * e(-15 / tx));
    const d6 = e(-10 / tp) * (a2Plus + a3Plus * e(-50 / ty));
    expect(p.matrix.weight[0]).toBeCloseTo(0.5 + d1 + d2 + d3 + d4 + d5 + d6, 6);
  });

  it("clips at both bounds and refuses wMax ≤ wMin", () => {
    let p = pathway(1, 1, [[0]], 0.3);
    play(new TripletStdp(p, { ...TRIPLET, wMin: 0, wMax: 0.301 }, DT), p, [0], [1, 2]);
    expect(p.matrix.weight[0]).toBe(Math.fround(0.301));
    p = pathway(1, 1, [[0]], 0.3);
    play(new TripletStdp(p, { ...TRIPLET, wMin: 0.299, wMax: 1 }, DT), p, [1, 2], [0]);
    expect(p.matrix.weight[0]).toBe(Math.fround(0.299));
    expect(() => new TripletStdp(pathway(1, 1, [[0]], 0), { ...TRIPLET, wMin: 2, wMax: 1 }, DT)).toThrow(
      "wMax (1) must exceed wMin (2)",
    );
    expect(() => new TripletStdp(pathway(1, 1, [[0]], 0), { ...TRIPLET, wMin: 1, wMax: 1 }, DT)).toThrow(
      "wMax (1) must exceed wMin (1)",
    );
    // A weight that starts above wMax is clipped by a depression, one below wMin by a potentiation,
    // whether the pre spike walks its row (one target) or visits the few targets with a trace (8 targets).
    const bounds = { ...TRIPLET, wMin: 0, wMax: 1 };
    for (const rows of [[[0]], [[0, 1, 2, 3, 4, 5, 6, 7]]]) {
      const n = rows[0]!.length;
      const high = pathway(1, n, rows, 2);
      let r = new TripletStdp(high, bounds, DT);
      stepAt(r, high, 0, [], [0]);
      stepAt(r, high, 1, [0], []);
      expect(high.matrix.weight[0]).toBe(1);
      const near = pathway(1, n, rows, 0.001);
      r = new TripletStdp(near, bounds, DT);
      stepAt(r, near, 0, [], [0]);
      stepAt(r, near, 1, [0], []);
      expect(near.matrix.weight[0]).toBe(0);
      const low = pathway(1, n, rows, -1);
      r = new TripletStdp(low, bounds, DT);
      stepAt(r, low, 0, [0], []);
      stepAt(r, low, 1, [], [0]);
      expect(low.matrix.weight[0]).toBe(0);
    }
  });

  it("depresses the right synapse on complete and incomplete rows, counting only pairings with a trace", () => {
    // r2 is 0 before the first pre spike: the depression is the pair term alone.
    const dep = -e(-10 / tm) * a2Minus;
    const dense = pathway(
      2,
      8,
      [
        [0, 1, 2, 3, 4, 5, 6, 7],
        [0, 1, 2, 3, 4, 5, 6, 7],
      ],
      0.5,
    );
    const denseRule = new TripletStdp(dense, TRIPLET, DT);
    let rule = denseRule;
    stepAt(rule, dense, 0, [], [5]);
    stepAt(rule, dense, 10, [1], []);
    for (let s = 0; s < 16; s++) expect(dense.matrix.weight[s]! - 0.5).toBeCloseTo(s === 13 ? dep : 0, 6);
    expect(rule.updates).toBe(1);
    const sparse = pathway(
      2,
      8,
      [
        [2, 5],
        [0, 1, 2, 3, 4, 5, 6, 7],
      ],
      0.5,
    );
    rule = new TripletStdp(sparse, TRIPLET, DT);
    stepAt(rule, sparse, 0, [], [5]);
    stepAt(rule, sparse, 10, [0], []);
    for (let s = 0; s < 10; s++) expect(sparse.matrix.weight[s]! - 0.5).toBeCloseTo(s === 1 ? dep : 0, 6);
    expect(rule.updates).toBe(1);
    // Target 0 alone has a trace: depressed once.
    const first = pathway(1, 8, [[0, 1, 2, 3, 4, 5, 6, 7]], 0.5);
    const firstRule = new TripletStdp(first, TRIPLET, DT);
    stepAt(firstRule, first, 0, [], [0]);
    stepAt(firstRule, first, 10, [0], []);
    expect(first.matrix.weight[0]! - 0.5).toBeCloseTo(dep, 6);
    expect(firstRule.updates).toBe(1);
    // Traces underflowed to 0 after 60 s: no pairing, no count, on either path.
    stepAt(denseRule, dense, 60_000, [1], []);
    expect(denseRule.updates).toBe(1);
    stepAt(rule, sparse, 60_000, [0], []);
    stepAt(rule, sparse, 120_000, [], [2]);
    expect(rule.updates).toBe(1);
    // Many active targets: each depressed by its own o1.
    const many = pathway(1, 8, [[0, 1, 2, 3, 4, 5, 6, 7]], 0.5);
    rule = new TripletStdp(many, TRIPLET, DT);
    stepAt(rule, many, 0, [], [0, 2, 4, 6]);
    stepAt(rule, many, 5, [], [6]);
    stepAt(rule, many, 20, [0], []);
    for (let j = 0; j < 8; j++) {
      const o1 = j % 2 === 1 ? 0 : j === 6 ? e(-20 / tm) + e(-15 / tm) : e(-20 / tm);
      expect(many.matrix.weight[j]! - 0.5).toBeCloseTo(-o1 * a2Minus, 6);
    }
  });

  it("after synapses change, walks the new column index; resetTraces forgets every trace", () => {
    const p = pathway(2, 2, [[0, 1], [1]], 0.5);
    const rule = new TripletStdp(p, TRIPLET, DT);
    p.matrix.rowPtr = Int32Array.from([0, 1, 3]);
    p.matrix.target = Int32Array.from([0, 1, 0]);
    p.matrix.weight = Float32Array.from([0.5, 0.5, 0.2]);
    rule.synapsesChanged(Int32Array.from([0, 2, -1]));
    stepAt(rule, p, 0, [1], []);
    stepAt(rule, p, 10, [], [0]);
    expect(Array.from(p.matrix.weight.subarray(0, 2))).toEqual([0.5, 0.5]);
    expect(p.matrix.weight[2]! - 0.2).toBeCloseTo(e(-10 / tp) * a2Plus, 6);
    rule.resetTraces();
    const before = p.matrix.weight.slice();
    stepAt(rule, p, 20, [1], []);
    stepAt(rule, p, 30, [], [1]);
    expect(p.matrix.weight[1]! - before[1]!).toBeCloseTo(e(-10 / tp) * a2Plus, 6); // only the new pair counts
    rule.resetTraces();
    stepAt(rule, p, 40, [], [0]);
    expect(p.matrix.weight[2]).toBe(before[2]);
    // record(step) is update(step): an end-of-step monitor.
    p.pre.spiked[0] = 1;
    p.pre.spikeCount = 1;
    p.post.spikeCount = 0;
    rule.record(Math.round(50 / DT));
    // o1 of target 0 from its spike at 40 ms; r2 of pre 1 was reset after its spike at 20 ms.
    expect(p.matrix.weight[2]! - before[2]!).toBeCloseTo(-e(-10 / tm) * a2Minus, 6);
  });
});

describe("reward-modulated STDP: eligibility bookkeeping", () => {
  const params = { ...PAIR, learningRate: 2, tauEligibilityMs: 50, resetOnReward: true };

  it("each synapse's eligibility decays from its own last step and moves with it when synapses change", () => {
    const p = pathway(1, 3, [[0, 1, 2]], 0.5);
    const rule = new RewardStdp(p, params, DT);
    // pre 0 at 0 ms; post j at 10, 20, 30 ms: eligibility e_j = aPlus·exp(-t_j/τ+), touched at t_j.
    stepAt(rule, p, 0, [0], []);
    stepAt(rule, p, 10, [], [0]);
    stepAt(rule, p, 20, [], [1]);
    stepAt(rule, p, 30, [], [2]);
    const el = [10, 20, 30].map((t) => 0.01 * e(-t / 20));
    for (let j = 0; j < 3; j++) expect(rule.eligibility[j]).toBeCloseTo(el[j]!, 12);
    // Synapse 1 removed, a new one onto target 1 added at the end: [old 0, old 2, new].
    p.matrix.target = Int32Array.from([0, 2, 1]);
    p.matrix.weight = Float32Array.from([0.5, 0.5, 0.3]);
    rule.synapsesChanged(Int32Array.from([0, 2, -1]));
    expect(rule.eligibility.length).toBe(3);
    expect(rule.eligibility[0]).toBeCloseTo(el[0]!, 12);
    expect(rule.eligibility[1]).toBeCloseTo(el[2]!, 12);
    expect(rule.eligibility[2]).toBe(0);
    rule.reward(1, Math.round(100 / DT));
    expect(p.matrix.weight[0]! - 0.5).toBeCloseTo(2 * el[0]! * e(-90 / 50), 6);
    expect(p.matrix.weight[1]! - 0.5).toBeCloseTo(2 * el[2]! * e(-70 / 50), 6);
    expect(p.matrix.weight[2]).toBe(Math.fround(0.3));
    // The new synapse onto target 1 takes part in pairings (the column index was rebuilt).
    rule.resetTraces();
    stepAt(rule, p, 110, [0], []);
    stepAt(rule, p, 120, [], [1]);
    expect(rule.eligibility[1]).toBe(0);
    expect(rule.eligibility[2]).toBeCloseTo(0.01 * e(-10 / 20), 12);
  });

  it("keeps a decaying eligibility across rewards unless resetOnReward, and clips at the bounds", () => {
    const p = pathway(1, 1, [[0]], 0.5);
    const rule = new RewardStdp(p, { ...params, resetOnReward: false }, DT);
    play(rule, p, [0], [10]);
    const el = 0.01 * e(-10 / 20);
    rule.reward(1, Math.round(60 / DT));
    const first = 2 * el * e(-50 / 50);
    expect(p.matrix.weight[0]! - 0.5).toBeCloseTo(first, 6);
    expect(rule.eligibility[0]).toBeCloseTo(el * e(-50 / 50), 12);
    rule.reward(-1, Math.round(110 / DT));
    expect(p.matrix.weight[0]! - 0.5).toBeCloseTo(first - 2 * el * e(-100 / 50), 6);
    // A reward large enough to cross a bound is clipped there.
    rule.reward(1e4, Math.round(110 / DT));
    expect(p.matrix.weight[0]).toBe(1);
    rule.reward(-1e5, Math.round(110 / DT));
    expect(p.matrix.weight[0]).toBe(0);
    rule.resetTraces();
    expect(rule.eligibility[0]).toBe(0);
    rule.reward(1, Math.round(120 / DT));
    expect(p.matrix.weight[0]).toBe(0);
  });

  it("decays a synapse's eligibility from its last increment to the next", () => {
    // pre 0, post 10 (+aPlus·e^(-10/20) at 10 ms), pre 40 (aMinus·e^(-30/30) at 40 ms): the first decays 30 ms.
    const p = pathway(1, 1, [[0]], 0.5);
    const rule = new RewardStdp(p, params, DT);
    play(rule, p, [0, 40], [10]);
    expect(rule.eligibility[0]).toBeCloseTo(0.01 * e(-10 / 20) * e(-30 / 50) - 0.012 * e(-30 / 30), 12);
  });

  it("uses the pair rule's pairing and bounds: nearest pairing, soft bounds", () => {
    const p = pathway(1, 1, [[0]], 0.5);
    const rule = new RewardStdp(
      p,
      { ...params, tauEligibilityMs: 1e12, pairing: "nearest", bound: "multiplicative" },
      DT,
    );
    play(rule, p, [0, 20], [30]);
    expect(rule.eligibility[0]).toBeCloseTo(0.01 * e(-10 / 20) * 0.5, 12);
  });
});

describe("createPlasticity", () => {
  it("builds the rule each config names, with the config's parameters", () => {
    const p = pathway(1, 1, [[0]], 0.5);
    for (const [rule, cls] of [
      ["pair-stdp", PairStdp],
      ["triplet-stdp", TripletStdp],
      ["reward-stdp", RewardStdp],
    ] as const) {
      const r = createPlasticity(plasticityConfigSchema.parse({ rule, wMax: 2 }), p, DT);
      expect(r).toBeInstanceOf(cls);
      expect(r.rule).toBe(rule);
      expect((r as PairStdp | TripletStdp).params.wMax).toBe(2);
    }
  });
});

describe("adaptive threshold", () => {
  it("decays by exp(-dt/τθ) per step and exp(-ms/τθ) over an elapsed rest; frozen while disabled", () => {
    const th = new AdaptiveThreshold(3, { thetaPlusMv: 0.5, tauThetaMs: 100 }, 1);
    th.step(Int32Array.from([2, 0]), 2);
    expect(Array.from(th.theta)).toEqual([0.5, 0, 0.5]);
    th.step(Int32Array.from([2]), 1);
    expect(th.theta[0]).toBeCloseTo(0.5 * e(-1 / 100), 6);
    expect(th.theta[2]).toBeCloseTo(0.5 * e(-1 / 100) + 0.5, 6);
    th.elapse(50);
    expect(th.theta[0]).toBeCloseTo(0.5 * e(-51 / 100), 6);
    const kept = th.theta.slice();
    th.elapse(-10);
    th.elapse(0);
    expect(th.theta).toEqual(kept);
    th.enabled = false;
    th.elapse(100);
    expect(th.theta).toEqual(kept);
    th.reset();
    expect(Array.from(th.theta)).toEqual([0, 0, 0]);
    // No decay at all with τθ = Infinity.
    const flat = new AdaptiveThreshold(1, { thetaPlusMv: 0.25, tauThetaMs: Infinity }, 1);
    for (let k = 0; k < 4; k++) flat.step(Int32Array.from([0]), 1);
    expect(flat.theta[0]).toBe(1);
  });

  it("as a monitor: updates the watched group's own array while enabled, and checks what it watches", () => {
    const group = source(2);
    const theta = new Float64Array(2);
    const th = AdaptiveThreshold.watching(group, theta, { thetaPlusMv: 2, tauThetaMs: 1e9 }, 1);
    expect(th.theta).toBe(theta);
    group.spiked[0] = 1;
    group.spikeCount = 1;
    th.record(0);
    expect(Array.from(theta)).toEqual([0, 2]);
    th.enabled = false;
    th.record(1);
    expect(theta[1]).toBe(2);
    expect(() => AdaptiveThreshold.watching(group, new Float32Array(3), { thetaPlusMv: 1, tauThetaMs: 1 }, 1)).toThrow(
      "adaptive threshold: 3 offsets for a group of 2",
    );
    const loose = new AdaptiveThreshold(2, { thetaPlusMv: 1, tauThetaMs: 1 }, 1);
    expect(() => loose.record(0)).toThrow(
      "AdaptiveThreshold.record needs a threshold built with AdaptiveThreshold.watching",
    );
  });
});

describe("synaptic normalisation, worked by hand", () => {
  it("water filling pins what crosses wMax and rescales the rest, over as many rounds as it takes", () => {
    // [0.8, 0.6, 0.1, 0.1] to sum 2.4 under wMax 1: ×1.5 takes 0.8 to 1.2, pinned at 1; the rest carry 1.4:
    // ×7/6 takes 0.9 to 1.05, pinned in the second round; 0.15 and 0.15 then carry 0.4: 0.2 each.
    const w = Float32Array.from([0.8, 0.6, 0.1, 0.1]);
    const idx = Int32Array.from([0, 1, 2, 3]);
    waterFill(w, idx, 0, 4, 2.4, 1);
    expect(w[0]).toBe(1);
    expect(w[1]).toBe(1);
    expect(w[2]).toBeCloseTo(0.2, 6);
    expect(w[3]).toBeCloseTo(0.2, 6);
    // A range of zeros has nothing to scale and stays zero; a range leaves the next one alone.
    const z = Float32Array.from([0, 0, 0.9, 0.1, 0.5, 0.5]);
    const all = Int32Array.from([0, 1, 2, 3, 4, 5]);
    waterFill(z, all, 0, 2, 1, 1);
    waterFill(z, all, 2, 4, 1.5, 1);
    expect(z[0]).toBe(0);
    expect(z[1]).toBe(0);
    expect(z[2]).toBe(1);
    expect(z[3]).toBeCloseTo(0.5, 6);
    expect(Array.from(z.subarray(4))).toEqual([0.5, 0.5]);
    // Only the listed range (positions 0 and 1) moves. Nothing in it is below wMax: the target (1.5)
    // cannot be reached, and every weight is held at wMax.
    const v = Float32Array.from([5, 1, 1, 0.5]);
    waterFill(v, Int32Array.from([3, 0, 1, 2]), 1, 3, 1.5, 1);
    expect(Array.from(v)).toEqual([1, 1, 1, 0.5]);
  });

  it("dense: a column of zeros stays zero, the others reach the target; refuses a target ≤ 0", () => {
    const w = Float32Array.from([0, 1, 0, 3]); // 2 × 2: column 0 all zero, column 1 sums 4
    const norm = new DenseColumnNormalizer(2, 2, { targetSum: 2 });
    norm.apply(w);
    expect(Array.from(w)).toEqual([0, 0.5, 0, 1.5]);
    expect(norm.columnSum(w, 1)).toBe(2);
    expect(norm.wMax).toBe(Infinity);
    expect(() => new DenseColumnNormalizer(2, 2, { targetSum: 0 })).toThrow("targetSum must be > 0, got 0");
    // Column 1 crosses wMax and is water-filled; the zero column 0 stays zero.
    const v = Float32Array.from([0, 0.9, 0, 0.1]);
    new DenseColumnNormalizer(2, 2, { targetSum: 1.5, wMax: 1 }).apply(v);
    expect(v[0]).toBe(0);
    expect(v[2]).toBe(0);
    expect(v[1]).toBe(1);
    expect(v[3]).toBeCloseTo(0.5, 6);
  });

  it("CSR normaliser: bit for bit the dense one on an all-to-all matrix, and follows the matrix after rebuild", () => {
    const nPre = 50,
      nPost = 4;
    const rng = Rng.fromSeed(11);
    const dense = rng.fillUniform(new Float32Array(nPre * nPost), 0, 1);
    for (let i = 0; i < nPre; i++) dense[i * nPost] = i < 5 ? 0.9 : 0.01; // column 0 needs water filling
    const { rowPtr, target } = denseStructure(nPre, nPost);
    const m = new SynapseMatrix(nPre, nPost, rowPtr, target, dense.slice());
    new DenseColumnNormalizer(nPre, nPost, { targetSum: 8, wMax: 1 }).apply(dense);
    const csr = new CsrColumnNormalizer(m, { targetSum: 8, wMax: 1 });
    csr.apply();
    expect(m.weight).toEqual(dense);
    expect(m.weight[0]).toBe(1);
    for (let j = 0; j < nPost; j++) expect(csr.columnSum(j)).toBeCloseTo(8, 4);
    // Drop every synapse onto target 3 but the first: it alone must carry the (bounded) target.
    for (let i = 1; i < nPre; i++) m.markDead(i * nPost + 3);
    m.compact();
    csr.rebuild();
    csr.apply();
    expect(m.weight[3]).toBe(1);
    expect(csr.columnSum(3)).toBe(1);
    expect(csr.columnSum(1)).toBeCloseTo(8, 4);
    expect(() => new CsrColumnNormalizer(m, { targetSum: 0 })).toThrow("targetSum must be > 0, got 0");
    // Nothing crosses wMax: one rescale, no water filling, on both sides the same bits.
    const d2 = rng.fillUniform(new Float32Array(nPre * nPost), 0, 1);
    const m2 = new SynapseMatrix(nPre, nPost, rowPtr, target, d2.slice());
    new DenseColumnNormalizer(nPre, nPost, { targetSum: 3, wMax: 1 }).apply(d2);
    new CsrColumnNormalizer(m2, { targetSum: 3, wMax: 1 }).apply();
    expect(m2.weight).toEqual(d2);
    // A target with no weight left is left at zero; without wMax nothing is bounded.
    const z = new SynapseMatrix(
      2,
      2,
      Int32Array.from([0, 2, 4]),
      Int32Array.from([0, 1, 0, 1]),
      Float32Array.from([0, 1, 0, 3]),
    );
    new CsrColumnNormalizer(z, { targetSum: 2 }).apply();
    expect(Array.from(z.weight)).toEqual([0, 0.5, 0, 1.5]);
  });

  it("normalizeCsrIncoming clips at wMax (the sum then falls short) and leaves an empty target alone", () => {
    const m = new SynapseMatrix(
      3,
      3,
      Int32Array.from([0, 2, 3, 4]),
      Int32Array.from([0, 1, 0, 1]),
      Float32Array.from([3, 2, 1, 6]),
    );
    const sums = new Float64Array(3);
    normalizeCsrIncoming(m, { targetSum: 4, wMax: 2.5 }, sums);
    // Target 0: 3 and 1 already sum to 4, and 3 is clipped to 2.5; target 1: 2 and 6 halve to 1 and 3,
    // clipped to 2.5; target 2 has no synapse (scale 1).
    expect(Array.from(m.weight)).toEqual([2.5, 1, 1, 2.5]);
    expect(Array.from(sums)).toEqual([1, 0.5, 1]);
  });
});

describe("lateral inhibition wiring", () => {
  it("one-to-one and all-but-self matrices, each synapse once with the given weight", () => {
    const one = oneToOneMatrix(3, 10.4);
    expect([Array.from(one.rowPtr), Array.from(one.target), Array.from(one.weight)]).toEqual([
      [0, 1, 2, 3],
      [0, 1, 2],
      [10.4, 10.4, 10.4].map(Math.fround),
    ]);
    const all = allButSelfMatrix(3, 17);
    expect([Array.from(all.rowPtr), Array.from(all.target), Array.from(all.weight)]).toEqual([
      [0, 2, 4, 6],
      [1, 2, 0, 2, 0, 1],
      [17, 17, 17, 17, 17, 17],
    ]);
  });

  it("winnerTakeAll names its two populations and refuses unequal sizes", () => {
    const params = {
      tauMs: 10,
      elMv: -60,
      eExcMv: 0,
      eInhMv: -85,
      vThreshMv: -40,
      vResetMv: -45,
      refractoryMs: 2,
      tauEMs: 1,
      tauIMs: 2,
    };
    const exc = new ConductanceLifGroup("exc", 2, params, DT);
    const inh = new ConductanceLifGroup("inh", 2, params, DT);
    const [e2i, i2e] = winnerTakeAll(exc, inh, {
      excToInhWeight: 1,
      inhToExcWeight: 2,
      excTargetVar: "ge",
      inhTargetVar: "gi",
    });
    expect([e2i.name, i2e.name]).toEqual(["exc->inh:wta", "inh->exc:wta"]);
    expect([e2i.targetVar, i2e.targetVar, e2i.target.name, i2e.target.name]).toEqual(["ge", "gi", "inh", "exc"]);
    expect([e2i.matrix.count, i2e.matrix.count]).toEqual([2, 2]);
    expect(() =>
      winnerTakeAll(exc, new ConductanceLifGroup("inh", 3, params, DT), {
        excToInhWeight: 1,
        inhToExcWeight: 2,
        excTargetVar: "ge",
        inhTargetVar: "gi",
      }),
    ).toThrow("winner-take-all needs equal populations, got 2 excitatory and 3 inhibitory");
  });
});

describe("column index", () => {
  it("lists each target's synapses in presynaptic order", () => {
    const m = new SynapseMatrix(
      3,
      3,
      Int32Array.from([0, 2, 3, 5]),
      Int32Array.from([2, 0, 2, 0, 1]),
      new Float32Array(5),
    );
    const c = buildColumnIndex(m);
    expect(Array.from(c.colPtr)).toEqual([0, 2, 3, 5]);
    expect(Array.from(c.colSyn)).toEqual([1, 3, 4, 0, 2]);
    expect(Array.from(c.colPre)).toEqual([0, 2, 2, 0, 1]);
  });

  it("tells complete rows (all targets in order) from every kind of incomplete ones", () => {
    const make = (rowPtr: number[], target: number[], nPost = 2) =>
      new SynapseMatrix(
        rowPtr.length - 1,
        nPost,
        Int32Array.from(rowPtr),
        Int32Array.from(target),
        new Float32Array(target.length),
      );
    const { rowPtr, target } = denseStructure(2, 3);
    expect([Array.from(rowPtr), Array.from(target)]).toEqual([
      [0, 3, 6],
      [0, 1, 2, 0, 1, 2],
    ]);
    expect(hasCompleteRows(make(Array.from(rowPtr), Array.from(target), 3))).toBe(true);
    expect(hasCompleteRows(make([0, 2, 3], [0, 1, 0]))).toBe(false); // too few synapses
    expect(hasCompleteRows(make([0, 3, 4], [0, 1, 1, 0]))).toBe(false); // right count, rows of 3 and 1
    expect(hasCompleteRows(make([0, 2, 4], [0, 1, 1, 0]))).toBe(false); // out of order
    expect(hasCompleteRows(make([0, 2, 4], [0, 0, 0, 1]))).toBe(false); // a repeated target
  });
});
