// References, one per rule, each its defining behaviour:
// - pair STDP (Song, Miller & Abbott 2000; Bi & Poo 1998): one pre/post pair at
//   Δt = t_post - t_pre changes w by aPlus·exp(-Δt/τ+) for Δt ≥ 0 and by
//   aMinus·exp(Δt/τ−) for Δt < 0; soft bounds scale by (wMax - w), (w - wMin);
//   nearest-spike pairing counts only the latest spike, all-to-all every one.
// - triplet STDP (Pfister & Gerstner 2006, minimal all-to-all visual-cortex
//   model, their Fig. 3 protocol: 60 pairings at ±10 ms): at 0.1 Hz the +10 ms
//   pairing barely changes w and the -10 ms pairing depresses by exactly
//   60·A2−·exp(-10/τ−); at 50 Hz both orders potentiate, more than the pair rule.
// - reward-modulated STDP (Izhikevich 2007): the eligibility equals the pair
//   rule's Δw; the weight moves by learningRate·reward·eligibility, so flipping
//   the reward's sign flips the change.
// - adaptive threshold (the engine's AdaptiveThreshold watching a conductance
//   LIF group's theta, run by a Network): under a constant drive the rate
//   settles where the threshold at the spike, thetaPlus·q/(1 - q) with
//   q = exp(-T/τθ), meets the LIF trajectory El + D(1 - exp(-T/τ)), well below
//   the unadapted rate.
// - synaptic normalisation: every column sums exactly to the target, bounds kept.
// - lateral inhibition: with the winner-take-all circuit the most driven
//   neuron fires nearly all the spikes; without it all neurons fire.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { AdaptiveThreshold } from "../src/plasticity/homeostasis.js";
import { winnerTakeAll } from "../src/plasticity/lateral-inhibition.js";
import { denseStructure } from "../src/plasticity/column-index.js";
import { DenseColumnNormalizer, normalizeCsrIncoming } from "../src/plasticity/normalization.js";
import { PairStdp, type PairStdpParams } from "../src/plasticity/pair-stdp.js";
import { RewardStdp } from "../src/plasticity/reward-stdp.js";
import type { PlasticPathway, PlasticityRule } from "../src/plasticity/rule.js";
import { TripletStdp, tripletStdpConfigSchema } from "../src/plasticity/triplet-stdp.js";
import { Network } from "../src/snn/network.js";
import { ConductanceLifGroup } from "../src/snn/neurons/conductance-lif.js";
import { SynapseMatrix } from "../src/snn/synapses/csr.js";

const DT = 0.1;

/** A hand-driven spike source of `size` neurons. */
function source(size: number): { size: number; spiked: Int32Array; spikeCount: number } {
  return { size, spiked: new Int32Array(size), spikeCount: 0 };
}

/** One synapse 0 → 0 with weight w0. */
function single(w0: number): PlasticPathway & { pre: ReturnType<typeof source>; post: ReturnType<typeof source> } {
  const pre = source(1);
  const post = source(1);
  const matrix = new SynapseMatrix(1, 1, Int32Array.from([0, 1]), Int32Array.from([0]), Float32Array.from([w0]));
  return { matrix, source: pre, target: post, pre, post };
}

/** Plays spike times (ms) of one pre and one post neuron through a rule; returns the final weight. */
function play(rule: PlasticityRule, p: ReturnType<typeof single>, preMs: number[], postMs: number[]): number {
  const preSteps = new Set(preMs.map((t) => Math.round(t / DT)));
  const postSteps = new Set(postMs.map((t) => Math.round(t / DT)));
  const steps = [...new Set([...preSteps, ...postSteps])].sort((a, b) => a - b);
  for (const s of steps) {
    p.pre.spikeCount = preSteps.has(s) ? 1 : 0;
    p.post.spikeCount = postSteps.has(s) ? 1 : 0;
    rule.update(s);
  }
  return p.matrix.weight[0]!;
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

describe("pair STDP window", () => {
  it("potentiates pre-before-post with aPlus·exp(-Δt/τ+) and depresses post-before-pre with aMinus·exp(Δt/τ−)", () => {
    for (const dt of [-60, -25, -10, -1, 0, 1, 10, 25, 60]) {
      const p = single(0.5);
      const w = play(new PairStdp(p, PAIR, DT), p, [100], [100 + dt]);
      const expected =
        dt >= 0 ? PAIR.aPlus * Math.exp(-dt / PAIR.tauPlusMs) : PAIR.aMinus * Math.exp(dt / PAIR.tauMinusMs);
      expect(w - 0.5).toBeCloseTo(expected, 6);
    }
  });

  it("scales by the distance to the bound it approaches (multiplicative) and clips (additive)", () => {
    const soft = { ...PAIR, bound: "multiplicative" as const };
    let p = single(0.8);
    expect(play(new PairStdp(p, soft, DT), p, [0], [10]) - 0.8).toBeCloseTo(PAIR.aPlus * Math.exp(-10 / 20) * 0.2, 7);
    p = single(0.8);
    expect(play(new PairStdp(p, soft, DT), p, [10], [0]) - 0.8).toBeCloseTo(PAIR.aMinus * Math.exp(-10 / 30) * 0.8, 7);
    p = single(0.995);
    expect(play(new PairStdp(p, PAIR, DT), p, [0], [1])).toBe(1);
    p = single(0.005);
    expect(play(new PairStdp(p, PAIR, DT), p, [1], [0])).toBe(0);
  });

  it("pairs every earlier spike all-to-all, only the latest one nearest-spike", () => {
    const expectAll = PAIR.aPlus * (Math.exp(-10 / 20) + Math.exp(-30 / 20));
    let p = single(0.5);
    expect(play(new PairStdp(p, PAIR, DT), p, [0, 20], [30]) - 0.5).toBeCloseTo(expectAll, 6);
    p = single(0.5);
    expect(play(new PairStdp(p, { ...PAIR, pairing: "nearest" }, DT), p, [0, 20], [30]) - 0.5).toBeCloseTo(
      PAIR.aPlus * Math.exp(-10 / 20),
      6,
    );
  });

  it("walks only the rows and columns of spiking neurons on a CSR matrix", () => {
    // 3 pre × 2 post, synapses 0→0, 0→1, 2→1. Pre 2 spikes, then post 0 spikes: only 0→0 may change (pre 0 never spiked: no change).
    const pre = source(3);
    const post = source(2);
    const m = new SynapseMatrix(
      3,
      2,
      Int32Array.from([0, 2, 2, 3]),
      Int32Array.from([0, 1, 1]),
      Float32Array.from([0.5, 0.5, 0.5]),
    );
    const rule = new PairStdp({ matrix: m, source: pre, target: post }, PAIR, DT);
    pre.spiked[0] = 2;
    pre.spikeCount = 1;
    post.spikeCount = 0;
    rule.update(0);
    pre.spikeCount = 0;
    post.spiked[0] = 1;
    post.spikeCount = 1;
    rule.update(50);
    expect(Array.from(m.weight.subarray(0, 2))).toEqual([0.5, 0.5]);
    expect(m.weight[2]! - 0.5).toBeCloseTo(PAIR.aPlus * Math.exp(-5 / 20), 6);
  });
});

describe("pair STDP on a dense all-to-all matrix", () => {
  it("updates the dense row-major array in place, entry w[pre·nPost + post]", () => {
    const dense = new Float32Array(2 * 3).fill(0.5);
    const { rowPtr, target } = denseStructure(2, 3);
    const pre = source(2);
    const post = source(3);
    const rule = new PairStdp(
      { matrix: new SynapseMatrix(2, 3, rowPtr, target, dense), source: pre, target: post },
      PAIR,
      DT,
    );
    pre.spiked[0] = 1;
    pre.spikeCount = 1;
    post.spikeCount = 0;
    rule.update(0);
    pre.spikeCount = 0;
    post.spiked[0] = 2;
    post.spikeCount = 1;
    rule.update(100);
    const changed = PAIR.aPlus * Math.exp(-10 / 20);
    for (let k = 0; k < 6; k++) expect(dense[k]! - 0.5).toBeCloseTo(k === 1 * 3 + 2 ? changed : 0, 6);
  });
});

/** Pfister & Gerstner's pairing protocol: 60 pre/post pairs at `hz`, post `dtMs` after pre. */
function pairing(make: (p: ReturnType<typeof single>) => PlasticityRule, hz: number, dtMs: number): number {
  const p = single(0);
  const period = 1000 / hz;
  const pre: number[] = [];
  const post: number[] = [];
  for (let k = 0; k < 60; k++) {
    const t = 100 + k * period;
    pre.push(t);
    post.push(t + dtMs);
  }
  return play(make(p), p, pre, post);
}

describe("triplet STDP frequency dependence (Pfister & Gerstner 2006)", () => {
  const tp = { ...tripletStdpConfigSchema.parse({ rule: "triplet-stdp" }), wMin: -10, wMax: 10 };
  const triplet = (p: ReturnType<typeof single>) => new TripletStdp(p, tp, DT);
  const pair = (p: ReturnType<typeof single>) =>
    new PairStdp(
      p,
      {
        tauPlusMs: tp.tauPlusMs,
        tauMinusMs: tp.tauMinusMs,
        aPlus: tp.a3Plus,
        aMinus: -tp.a2Minus,
        wMin: -10,
        wMax: 10,
        bound: "additive",
        pairing: "all-to-all",
      },
      DT,
    );

  it("depresses at low frequency (0.1 Hz): -60·A2−·exp(-10/τ−) for post-before-pre, ~0 for pre-before-post", () => {
    const dep = pairing(triplet, 0.1, -10);
    expect(dep).toBeCloseTo(-60 * tp.a2Minus * Math.exp(-10 / tp.tauMinusMs), 5);
    const pot = pairing(triplet, 0.1, 10);
    expect(Math.abs(pot)).toBeLessThan(1e-6);
    expect(dep + pot).toBeLessThan(0);
  });

  it("potentiates at high frequency (50 Hz) for both orders, more than the pair rule", () => {
    const tPlus = pairing(triplet, 50, 10);
    const tMinus = pairing(triplet, 50, -10);
    const pPlus = pairing(pair, 50, 10);
    const pMinus = pairing(pair, 50, -10);
    expect(tPlus).toBeGreaterThan(0);
    expect(tMinus).toBeGreaterThan(0);
    expect(tPlus).toBeGreaterThan(pPlus);
    expect(pMinus).toBeLessThan(0);
    // Above 20 Hz the post-before-pre change rises with frequency, crossing from depression to potentiation (their Fig. 3).
    const curve = [20, 40, 50].map((hz) => pairing(triplet, hz, -10));
    expect(curve[0]!).toBeLessThan(0);
    for (let k = 1; k < curve.length; k++) expect(curve[k]!).toBeGreaterThan(curve[k - 1]!);
  });
});

describe("reward-modulated STDP", () => {
  const params = { ...PAIR, learningRate: 2, tauEligibilityMs: 1000, resetOnReward: true };

  it("holds the pair-STDP change in the eligibility and applies learningRate·reward·eligibility", () => {
    // An eligibility that does not decay over the 80 ms of pairings equals the pair rule's Δw.
    const slow = { ...params, tauEligibilityMs: 1e12 };
    const pre = [100, 130, 170];
    const post = [110, 125, 180];
    const ref = single(0.5);
    const pairDw = play(new PairStdp(ref, PAIR, DT), ref, pre, post) - 0.5;
    const results: number[] = [];
    for (const reward of [1, -1]) {
      const p = single(0.5);
      const rule = new RewardStdp(p, slow, DT);
      play(rule, p, pre, post);
      expect(p.matrix.weight[0]).toBe(0.5);
      const stepAt = Math.round(180 / DT);
      rule.reward(reward, stepAt);
      results.push(p.matrix.weight[0]! - 0.5);
      expect(rule.eligibility[0]).toBe(0);
    }
    expect(results[0]!).toBeCloseTo(2 * pairDw, 6);
    expect(results[1]!).toBeCloseTo(-2 * pairDw, 6);
    expect(Math.abs(results[0]!)).toBeGreaterThan(1e-3);
  });

  it("decays the eligibility with tauEligibility before the reward", () => {
    const p = single(0.5);
    const rule = new RewardStdp(p, params, DT);
    play(rule, p, [100], [110]);
    rule.reward(1, Math.round((110 + 500) / DT));
    expect(p.matrix.weight[0]! - 0.5).toBeCloseTo(2 * PAIR.aPlus * Math.exp(-10 / 20) * Math.exp(-500 / 1000), 6);
  });
});

describe("homeostasis: adaptive threshold", () => {
  it("on a conductance LIF group of the engine, settles at the analytic steady-state rate", () => {
    // LIF (τ 20 ms, El -65, threshold -52, reset -65 mV, no refractory period) under a constant 40 mV
    // drive; the threshold offset theta, a state variable of the group, grows by 1 mV per spike and
    // decays with τθ = 200 ms. Unadapted period: τ·ln(D/(D - 13)). At steady state the period T puts
    // theta at the spike, plus·q/(1 - q) with q = exp(-T/τθ), on the trajectory El + D(1 - exp(-T/τ)).
    // Tolerance 3%: spike times fall on the 0.1 ms grid (a 13 ms period, 0.8%) and the rate is counted
    // over whole spikes in 3 s (about 80, 1.3%).
    const tau = 20,
      drive = 40,
      gap = 13,
      plus = 1,
      tauTheta = 200;
    const rate = (thetaPlusMv: number): number => {
      const g = new ConductanceLifGroup(
        "lif",
        1,
        {
          tauMs: tau,
          elMv: -65,
          eExcMv: 0,
          eInhMv: -80,
          vThreshMv: -52,
          vResetMv: -65,
          refractoryMs: 0,
          tauEMs: 5,
          tauIMs: 10,
        },
        DT,
      );
      g.iExt[0] = drive;
      const th = AdaptiveThreshold.watching(g, g.theta, { thetaPlusMv, tauThetaMs: tauTheta }, DT);
      let count = 0;
      let counting = false;
      const counter = {
        when: "end" as const,
        reserve() {},
        record() {
          if (counting) count += g.spikeCount;
        },
      };
      const net = new Network({ dtMs: DT, groups: [g], monitors: [th, counter] });
      net.run(3000);
      counting = true;
      net.run(3000);
      return count / 3;
    };
    const free = rate(0);
    expect(Math.abs(free - 1000 / (tau * Math.log(drive / (drive - gap)))) / free).toBeLessThan(0.03);
    const f = (T: number): number => {
      const q = Math.exp(-T / tauTheta);
      return drive * (1 - Math.exp(-T / tau)) - gap - (plus * q) / (1 - q);
    };
    let lo = 1,
      hi = 200;
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      if (f(mid) < 0) lo = mid;
      else hi = mid;
    }
    const analytic = 1000 / lo;
    const adapted = rate(plus);
    expect(Math.abs(adapted - analytic) / analytic).toBeLessThan(0.03);
    expect(adapted).toBeLessThan(0.5 * free);
  });
});

describe("homeostasis: synaptic normalisation", () => {
  it("rescales every column of a dense matrix to exactly the target sum, within [0, wMax]", () => {
    const nPre = 784,
      nPost = 20;
    const rng = Rng.fromSeed(3);
    const w = rng.fillUniform(new Float32Array(nPre * nPost), 0, 1);
    // Column 0: 60 weights of 0.5 and 724 of 0.01 (sum 37.24): a plain rescale would take the large ones
    // to 1.047 > wMax, so they are pinned at 1 and the small ones carry the other 18.
    for (let i = 0; i < nPre; i++) w[i * nPost] = i < 60 ? 0.5 : 0.01;
    const norm = new DenseColumnNormalizer(nPre, nPost, { targetSum: 78, wMax: 1 });
    norm.apply(w);
    for (let j = 0; j < nPost; j++) expect(norm.columnSum(w, j)).toBeCloseTo(78, 2);
    let max = 0,
      min = Infinity;
    for (let k = 0; k < w.length; k++) {
      max = Math.max(max, w[k]!);
      min = Math.min(min, w[k]!);
    }
    expect(max).toBeLessThanOrEqual(1);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(w[0]).toBe(1);
    expect(w[60 * nPost]!).toBeCloseTo(18 / 724, 6);
  });

  it("normalises the incoming weights of each target of a CSR matrix", () => {
    const m = new SynapseMatrix(
      3,
      2,
      Int32Array.from([0, 2, 3, 4]),
      Int32Array.from([0, 1, 0, 1]),
      Float32Array.from([1, 2, 3, 6]),
    );
    normalizeCsrIncoming(m, { targetSum: 4 });
    expect(Array.from(m.weight)).toEqual([1, 1, 3, 3]);
  });
});

describe("lateral inhibition (winner-take-all)", () => {
  function run(withWta: boolean): Float64Array {
    const dt = 0.5;
    const n = 10;
    const exc = new ConductanceLifGroup(
      "exc",
      n,
      {
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
      dt,
    );
    const inh = new ConductanceLifGroup(
      "inh",
      n,
      {
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
      dt,
    );
    for (let i = 0; i < n; i++) exc.iExt[i] = 20 + i; // neuron 9 is driven hardest
    const counts = new Float64Array(n);
    const counter = {
      when: "end" as const,
      reserve() {},
      record() {
        for (let k = 0; k < exc.spikeCount; k++) counts[exc.spiked[k]!]!++;
      },
    };
    const net = new Network({ dtMs: dt, groups: [exc, inh], monitors: [counter] });
    if (withWta)
      for (const s of winnerTakeAll(exc, inh, {
        excToInhWeight: 10.4,
        inhToExcWeight: 17,
        excTargetVar: "ge",
        inhTargetVar: "gi",
      }))
        net.addSynapses(s);
    net.run(1000);
    return counts;
  }

  it("lets the most driven neuron fire nearly all spikes; without it all fire", () => {
    const free = run(false);
    const wta = run(true);
    const share = (c: Float64Array) => c[9]! / c.reduce((a, b) => a + b, 0);
    expect(free.every((c) => c > 0)).toBe(true);
    expect(share(free)).toBeLessThan(0.2);
    expect(share(wta)).toBeGreaterThan(0.9);
  });
});
