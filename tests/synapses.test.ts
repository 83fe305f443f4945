/**
 * Synapses: connection rules against their binomial / exact expectations,
 * integer delays against the schedule of src/snn/group.ts (a spike found in
 * step t with delay d reaches its target in step t + d, as Brian2 delivers
 * with `delay = d·dt`), and compaction against a brute-force filter.
 */
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import type { NeuronGroup } from "../src/snn/group.js";
import { SpikeGeneratorGroup } from "../src/snn/inputs/spike-generator.js";
import { Network } from "../src/snn/network.js";
import { LifGroup } from "../src/snn/neurons/lif.js";
import { StateMonitor } from "../src/snn/monitors.js";
import { connect } from "../src/snn/synapses/connect.js";
import { SynapseMatrix } from "../src/snn/synapses/csr.js";
import { Synapses } from "../src/snn/synapses/synapses.js";
import { lifSimdAvailable } from "../src/snn/neurons/lif-simd.js";

/** A group that never integrates or spikes: its "v" only changes by delivery. */
class ProbeGroup implements NeuronGroup {
  readonly state: Record<string, Float32Array>;
  readonly spiked = new Int32Array(0);
  readonly spikeCount = 0;
  readonly dtMs = 0.1;
  constructor(
    readonly name: string,
    readonly size: number,
  ) {
    this.state = { v: new Float32Array(size) };
  }
  integrateAndThreshold(): void {}
  reset(): void {}
}

/** Same-group source that spikes on command (for the sameGroup rules). */
class ScriptedGroup implements NeuronGroup {
  readonly state: Record<string, Float32Array>;
  readonly spiked: Int32Array;
  spikeCount = 0;
  readonly dtMs = 0.1;
  constructor(
    readonly name: string,
    readonly size: number,
  ) {
    this.state = { v: new Float32Array(size) };
    this.spiked = new Int32Array(size);
  }
  integrateAndThreshold(): void {}
  reset(): void {}
}

function rowsSortedDistinct(rowPtr: Int32Array, target: Int32Array): boolean {
  for (let i = 0; i + 1 < rowPtr.length; i++) {
    for (let s = rowPtr[i]! + 1; s < rowPtr[i + 1]!; s++) if (target[s]! <= target[s - 1]!) return false;
  }
  return true;
}

function selfCount(rowPtr: Int32Array, target: Int32Array): number {
  let c = 0;
  for (let i = 0; i + 1 < rowPtr.length; i++)
    for (let s = rowPtr[i]!; s < rowPtr[i + 1]!; s++) if (target[s] === i) c++;
  return c;
}

describe("connection rules", () => {
  it("probability: count within 5 sd of Binomial(nPre·nPost, p), in-degree variance binomial, rows sorted", () => {
    const nPre = 1500,
      nPost = 2000,
      p = 0.05;
    const { rowPtr, target } = connect(nPre, nPost, { rule: "probability", p }, { rng: Rng.fromSeed(1) });
    const pairs = nPre * nPost;
    const mean = pairs * p;
    const sd = Math.sqrt(pairs * p * (1 - p));
    expect(Math.abs(target.length - mean)).toBeLessThan(5 * sd);
    expect(rowsSortedDistinct(rowPtr, target)).toBe(true);
    // In-degrees are Binomial(nPre, p): variance nPre·p·(1-p) = 71.25 (sample variance of 2000 within ±20%).
    const deg = new Float64Array(nPost);
    for (const t of target) deg[t]!++;
    const m = deg.reduce((a, b) => a + b, 0) / nPost;
    const v = deg.reduce((a, b) => a + (b - m) ** 2, 0) / (nPost - 1);
    expect(v / (nPre * p * (1 - p))).toBeGreaterThan(0.8);
    expect(v / (nPre * p * (1 - p))).toBeLessThan(1.2);
    // Targets are uniform: first and second half of the targets get the same share (5 sd).
    let low = 0;
    for (const t of target) if (t < nPost / 2) low++;
    expect(Math.abs(low - target.length / 2)).toBeLessThan(5 * Math.sqrt(target.length / 4));
  });

  it("probability with allowSelf false: no i→i, count ~ N(N-1)p; with self allowed about N·p self-synapses", () => {
    const n = 2000,
      p = 0.05;
    const noSelf = connect(
      n,
      n,
      { rule: "probability", p, allowSelf: false },
      { sameGroup: true, rng: Rng.fromSeed(2) },
    );
    expect(selfCount(noSelf.rowPtr, noSelf.target)).toBe(0);
    const mean = n * (n - 1) * p;
    expect(Math.abs(noSelf.target.length - mean)).toBeLessThan(5 * Math.sqrt(mean * (1 - p)));
    expect(rowsSortedDistinct(noSelf.rowPtr, noSelf.target)).toBe(true);
    const withSelf = connect(n, n, { rule: "probability", p }, { sameGroup: true, rng: Rng.fromSeed(2) });
    const selfs = selfCount(withSelf.rowPtr, withSelf.target);
    expect(Math.abs(selfs - n * p)).toBeLessThan(5 * Math.sqrt(n * p)); // 100 ± 50
  });

  it("probability 0 and 1 are exact; preRange leaves other rows empty", () => {
    expect(connect(30, 40, { rule: "probability", p: 0 }, { rng: Rng.fromSeed(0) }).target.length).toBe(0);
    const full = connect(
      30,
      40,
      { rule: "probability", p: 1, allowSelf: false },
      { sameGroup: false, rng: Rng.fromSeed(0) },
    );
    expect(full.target.length).toBe(1200);
    const r = connect(100, 100, { rule: "probability", p: 0.5 }, { preRange: [20, 60], rng: Rng.fromSeed(3) });
    for (let i = 0; i < 100; i++) {
      const deg = r.rowPtr[i + 1]! - r.rowPtr[i]!;
      if (i < 20 || i >= 60) expect(deg).toBe(0);
    }
    expect(r.target.length).toBeGreaterThan(1500);
  });

  it("fixed in-degree: every target exactly k distinct sources, no self when excluded, sources uniform", () => {
    const n = 3000,
      k = 80;
    const g = new ScriptedGroup("g", n);
    const syn = new Synapses({
      source: g,
      target: g,
      targetVar: "v",
      connect: { rule: "fixed-in-degree", k, allowSelf: false },
      rng: Rng.fromSeed(4),
    });
    const m = syn.matrix;
    expect(m.count).toBe(n * k);
    expect(Array.from(m.inDegrees()).every((d) => d === k)).toBe(true);
    expect(selfCount(m.rowPtr, m.target)).toBe(0);
    expect(rowsSortedDistinct(m.rowPtr, m.target)).toBe(true); // distinct (i, j) pairs
    // Out-degrees ~ Binomial(n-1, k/(n-1)): mean k, variance ≈ k(1 - k/n).
    let s2 = 0;
    for (let i = 0; i < n; i++) s2 += (m.outDegree(i) - k) ** 2;
    const ratio = s2 / n / (k * (1 - k / n));
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.15);
  });

  it("fixed in-degree k = nPre - 1 without self takes every other source", () => {
    const { rowPtr, target } = connect(
      50,
      50,
      { rule: "fixed-in-degree", k: 49, allowSelf: false },
      { sameGroup: true, rng: Rng.fromSeed(5) },
    );
    expect(target.length).toBe(50 * 49);
    expect(selfCount(rowPtr, target)).toBe(0);
    expect(() =>
      connect(50, 50, { rule: "fixed-in-degree", k: 50, allowSelf: false }, { sameGroup: true, rng: Rng.fromSeed(5) }),
    ).toThrow(/exceeds/);
  });

  it("one-to-one and all-to-all are exact", () => {
    const o = connect(7, 7, { rule: "one-to-one" });
    expect(Array.from(o.rowPtr)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(o.target)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const a = connect(3, 3, { rule: "all-to-all", allowSelf: false }, { sameGroup: true });
    expect(Array.from(a.target)).toEqual([1, 2, 0, 2, 0, 1]);
    expect(connect(3, 4, { rule: "all-to-all" }).target.length).toBe(12);
  });

  it("explicit lists: exact synapses, list order kept within a row, weights and delays follow their pairs", () => {
    const src = new SpikeGeneratorGroup("in", 4, [], [], 0.1);
    const tgt = new ProbeGroup("out", 5);
    const pre = [2, 0, 2, 3, 0];
    const post = [4, 1, 0, 3, 2];
    const syn = new Synapses({
      source: src,
      target: tgt,
      targetVar: "v",
      connect: { rule: "explicit", pre, post },
      weight: [10, 11, 12, 13, 14],
      delaySteps: [1, 2, 3, 4, 5],
    });
    const m = syn.matrix;
    expect(Array.from(m.rowPtr)).toEqual([0, 2, 2, 4, 5]);
    expect(Array.from(m.target)).toEqual([1, 2, 4, 0, 3]);
    expect(Array.from(m.weight)).toEqual([11, 14, 10, 12, 13]);
    expect(Array.from(m.delay!)).toEqual([2, 5, 1, 3, 4]);
  });

  it("weight distributions: clipped normal inside its bounds with the right mean, uniform inside [lo, hi)", () => {
    const src = new SpikeGeneratorGroup("in", 200, [], [], 0.1);
    const tgt = new ProbeGroup("out", 200);
    const normal = new Synapses({
      source: src,
      target: tgt,
      targetVar: "v",
      connect: { rule: "all-to-all" },
      weight: { dist: "normal", mean: 1, std: 0.5, min: 0, max: 2 },
      rng: Rng.fromSeed(6),
    });
    const w = normal.matrix.weight;
    let lo = Infinity,
      hi = -Infinity,
      sum = 0,
      atZero = 0;
    for (const x of w) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
      sum += x;
      if (x === 0) atZero++;
    }
    expect(lo).toBe(0);
    expect(hi).toBe(2);
    expect(Math.abs(sum / w.length - 1)).toBeLessThan(0.01); // symmetric clipping keeps the mean; sd/sqrt(n) = 0.0025
    expect(Math.abs(atZero / w.length - 0.02275)).toBeLessThan(0.003); // P(z < -2)
    const uni = new Synapses({
      source: src,
      target: tgt,
      targetVar: "v",
      connect: { rule: "all-to-all" },
      weight: { dist: "uniform", lo: -1, hi: 3 },
      rng: Rng.fromSeed(7),
    });
    let s = 0,
      ulo = Infinity,
      uhi = -Infinity;
    for (const x of uni.matrix.weight) {
      ulo = Math.min(ulo, x);
      uhi = Math.max(uhi, x);
      s += x;
    }
    expect(ulo).toBeGreaterThanOrEqual(-1);
    expect(uhi).toBeLessThan(3);
    expect(ulo).toBeLessThan(-0.99);
    expect(uhi).toBeGreaterThan(2.99);
    expect(Math.abs(s / uni.matrix.count - 1)).toBeLessThan(0.02); // sd/sqrt(n) = 0.006
  });

  it("the same seed builds the same matrix; another seed a different one", () => {
    const a = connect(500, 500, { rule: "probability", p: 0.1 }, { rng: Rng.fromSeed(9) });
    const b = connect(500, 500, { rule: "probability", p: 0.1 }, { rng: Rng.fromSeed(9) });
    const c = connect(500, 500, { rule: "probability", p: 0.1 }, { rng: Rng.fromSeed(10) });
    expect(Array.from(a.target)).toEqual(Array.from(b.target));
    expect(Array.from(a.target)).not.toEqual(Array.from(c.target));
  });

  it("an unknown target variable is a named user error", () => {
    const g = new ProbeGroup("out", 2);
    expect(() => new Synapses({ source: g, target: g, targetVar: "ge", connect: { rule: "one-to-one" } })).toThrow(
      /no variable "ge"/,
    );
  });
});

describe("transmission and delays", () => {
  const dt = 0.1;

  /** Runs step by step; returns the step in which each target first changed (-1 if never). */
  function arrivalSteps(syn: Synapses, tgt: ProbeGroup, src: NeuronGroup, steps: number): number[] {
    const net = new Network({ dtMs: dt, groups: [src, tgt], synapses: [syn] });
    const first = new Array<number>(tgt.size).fill(-1);
    for (let t = 0; t < steps; t++) {
      net.runSteps(1);
      tgt.state.v!.forEach((x, j) => {
        if (x !== 0 && first[j] === -1) first[j] = t;
      });
    }
    return first;
  }

  it("without delay the weight lands in the spike's own step, on the listed targets only", () => {
    const src = new SpikeGeneratorGroup("in", 2, [1], [0.3], dt); // step 3
    const tgt = new ProbeGroup("out", 3);
    const syn = new Synapses({
      source: src,
      target: tgt,
      targetVar: "v",
      connect: { rule: "explicit", pre: [1, 1, 0], post: [0, 2, 1] },
      weight: [0.5, -2, 7],
    });
    expect(arrivalSteps(syn, tgt, src, 10)).toEqual([3, -1, 3]);
    expect(Array.from(tgt.state.v!)).toEqual([0.5, 0, -2]);
    expect(syn.events).toBe(2); // only the row of the neuron that spiked was walked
  });

  it("per-synapse delay d arrives exactly d steps later", () => {
    const delays = [0, 1, 2, 5, 17];
    const src = new SpikeGeneratorGroup("in", 1, [0], [0.4], dt); // step 4
    const tgt = new ProbeGroup("out", delays.length);
    const syn = new Synapses({
      source: src,
      target: tgt,
      targetVar: "v",
      connect: { rule: "explicit", pre: delays.map(() => 0), post: delays.map((_, j) => j) },
      weight: 1,
      delaySteps: delays,
    });
    expect(arrivalSteps(syn, tgt, src, 30)).toEqual(delays.map((d) => 4 + d));
    expect(Array.from(tgt.state.v!)).toEqual(delays.map(() => 1)); // each delivered exactly once
  });

  it("a uniform delay and repeated spikes wrap around the ring buffer and sum correctly", () => {
    const d = 3;
    // Spikes at steps 0, 1, 2, 3, 7: more in flight than one ring turn.
    const src = new SpikeGeneratorGroup("in", 1, [0, 0, 0, 0, 0], [0, 0.1, 0.2, 0.3, 0.7], dt);
    const tgt = new ProbeGroup("out", 1);
    const syn = new Synapses({
      source: src,
      target: tgt,
      targetVar: "v",
      connect: { rule: "one-to-one" },
      weight: 1,
      delaySteps: d,
    });
    const net = new Network({ dtMs: dt, groups: [src, tgt], synapses: [syn] });
    const trace: number[] = [];
    for (let t = 0; t < 14; t++) {
      net.runSteps(1);
      trace.push(tgt.state.v![0]!);
    }
    // Arrivals at steps 3, 4, 5, 6, 10.
    expect(trace).toEqual([0, 0, 0, 1, 2, 3, 4, 4, 4, 4, 5, 5, 5, 5]);
  });

  it("random per-synapse delays: each arrives at its own delay", () => {
    const src = new SpikeGeneratorGroup("in", 1, [0], [0], dt);
    const tgt = new ProbeGroup("out", 200);
    const syn = new Synapses({
      source: src,
      target: tgt,
      targetVar: "v",
      connect: { rule: "all-to-all" },
      weight: 1,
      delaySteps: { dist: "uniform-int", min: 2, max: 40 },
      rng: Rng.fromSeed(11),
    });
    const m = syn.matrix;
    expect(m.maxDelaySteps()).toBeLessThanOrEqual(40);
    const arrivals = arrivalSteps(syn, tgt, src, 45);
    for (let s = 0; s < m.count; s++) expect(arrivals[m.target[s]!]).toBe(m.delay![s]);
    expect(new Set(m.delay).size).toBeGreaterThan(30); // the whole range is used
  });
});

describe("transmission into a LIF neuron", () => {
  it("a jump onto v decays as exp(-t/tau) (exact integration), a jump onto ge drives v by the synaptic kernel", () => {
    const dt = 0.1;
    const params = { tauMs: 20, elMv: -49, vThreshMv: -40, vResetMv: -60, refractoryMs: 5, tauEMs: 5, tauIMs: 10 };
    const src = new SpikeGeneratorGroup("in", 1, [0], [1.0], dt); // step 10
    const lif = new LifGroup("lif", 2, params, dt);
    const onV = new Synapses({
      source: src,
      target: lif,
      targetVar: "v",
      connect: { rule: "explicit", pre: [0], post: [0] },
      weight: 2,
    });
    const onGe = new Synapses({
      source: src,
      target: lif,
      targetVar: "ge",
      connect: { rule: "explicit", pre: [0], post: [1] },
      weight: 2,
    });
    const sm = new StateMonitor({ group: lif, vars: ["v", "ge"], every: 5 }, dt);
    new Network({ dtMs: dt, groups: [src, lif], synapses: [onV, onGe], monitors: [sm] }).run(10);
    const t = sm.timesMs();
    const v0 = sm.trace("v", 0);
    const v1 = sm.trace("v", 1);
    const ge1 = sm.trace("ge", 1);
    expect(sm.samples).toBe(20); // every 5 steps over 100 steps
    for (let k = 0; k < sm.samples; k++) {
      const since = t[k]! - 1.0; // ms since the spike (delivered in step 10, after that step's integration)
      if (since <= 0) {
        expect(v0[k]).toBe(-49);
        expect(ge1[k]).toBe(0);
        continue;
      }
      // v - El = 2·exp(-(t - t0)/tau), with t0 the end of step 10 = 1.1 ms
      const s = since - dt;
      expect(v0[k]! + 49).toBeCloseTo(2 * Math.exp(-s / 20), 4);
      expect(ge1[k]).toBeCloseTo(2 * Math.exp(-s / 5), 4);
      // ge0·tauE/(tauE - tau)·(exp(-s/tauE) - exp(-s/tau)), the closed form of the current-driven membrane
      expect(v1[k]! + 49).toBeCloseTo(2 * (5 / (5 - 20)) * (Math.exp(-s / 5) - Math.exp(-s / 20)), 4);
    }
  });
});

describe("compaction", () => {
  it("drops dead synapses and keeps every survivor's target, weight, delay and row order", () => {
    const src = new SpikeGeneratorGroup("in", 300, [], [], 0.1);
    const tgt = new ProbeGroup("out", 400);
    const syn = new Synapses({
      source: src,
      target: tgt,
      targetVar: "v",
      connect: { rule: "probability", p: 0.1 },
      weight: { dist: "normal", mean: 0, std: 1 },
      delaySteps: { dist: "uniform-int", min: 0, max: 9 },
      rng: Rng.fromSeed(12),
    });
    const m = syn.matrix;
    const before = { src: m.sources(), t: m.target.slice(), w: m.weight.slice(), d: m.delay!.slice() };
    const pick = Rng.fromSeed(13);
    const expected: Array<[number, number, number, number]> = [];
    for (let s = 0; s < m.count; s++) {
      const u = pick.next();
      if (u < 0.2) m.markDead(s);
      else if (u < 0.35) m.weight[s] = Number.NaN;
      else expected.push([before.src[s]!, before.t[s]!, before.w[s]!, before.d[s]!]);
    }
    const removed = m.compact();
    expect(removed).toBe(before.t.length - expected.length);
    expect(m.count).toBe(expected.length);
    const srcAfter = m.sources();
    const got = Array.from({ length: m.count }, (_, s) => [srcAfter[s]!, m.target[s]!, m.weight[s]!, m.delay![s]!]);
    expect(got).toEqual(expected);
    expect(m.compact()).toBe(0);
  });

  it("a compacted matrix still delivers: only survivors transmit", () => {
    const src = new SpikeGeneratorGroup("in", 1, [0], [0], 0.1);
    const tgt = new ProbeGroup("out", 4);
    const m = new SynapseMatrix(
      1,
      4,
      Int32Array.from([0, 4]),
      Int32Array.from([0, 1, 2, 3]),
      Float32Array.from([1, 2, 3, 4]),
      Uint16Array.from([0, 1, 0, 1]),
    );
    m.markDead(1);
    m.weight[2] = Number.NaN;
    m.compact();
    const syn = new Synapses({ source: src, target: tgt, targetVar: "v", connect: { rule: "one-to-one" } }, m);
    new Network({ dtMs: 0.1, groups: [src, tgt], synapses: [syn] }).runSteps(3);
    expect(Array.from(tgt.state.v!)).toEqual([1, 0, 0, 4]);
  });
});

describe("WebAssembly delivery (source and target share a WasmArena)", () => {
  /** CUBA-like recurrent LIF network; returns spikes (index·100000 + step), final state and the Synapses. */
  function run(wasm: boolean, simd: boolean, steps: number, compactAt = -1) {
    const params = { tauMs: 20, elMv: -49, vThreshMv: -50, vResetMv: -60, refractoryMs: 5, tauEMs: 5, tauIMs: 10 };
    const n = 1003;
    const nExc = 802;
    const rng = Rng.fromSeed(11);
    const g = new LifGroup("g", n, params, 0.1, { simd });
    rng.fork("v0").fillUniform(g.v, -60, -50);
    const mk = (name: string, tv: string, range: [number, number], w: number) =>
      new Synapses({
        name,
        source: g,
        target: g,
        targetVar: tv,
        connect: { rule: "probability", p: 0.05 },
        preRange: range,
        weight: w,
        rng: rng.fork(name),
        wasm,
      });
    const se = mk("Ce", "ge", [0, nExc], 1.62);
    const si = mk("Ci", "gi", [nExc, n], -9);
    const spikes: number[] = [];
    for (let t = 0; t < steps; t++) {
      if (t === compactAt) {
        for (let s = 0; s < se.matrix.count; s += 3) se.matrix.markDead(s);
        se.matrix.compact();
      }
      g.integrateAndThreshold(t);
      se.deliver(t);
      si.deliver(t);
      for (let k = 0; k < g.spikeCount; k++) spikes.push(g.spiked[k]! * 100000 + t);
      g.reset(t);
    }
    return { spikes, v: g.v.slice(), ge: g.ge.slice(), gi: g.gi.slice(), se, si, events: se.events + si.events };
  }

  it("moves the CSR arrays into the arena only with the SIMD kernel and no opt-out", () => {
    const simd = new LifGroup(
      "a",
      10,
      { tauMs: 20, elMv: -49, vThreshMv: -50, vResetMv: -60, refractoryMs: 5, tauEMs: 5, tauIMs: 10 },
      0.1,
    ).simd;
    expect(run(true, true, 1).se.wasm).toBe(simd);
    expect(run(false, true, 1).se.wasm).toBe(false);
    expect(run(true, false, 1).se.wasm).toBe(false);
  });

  it("gives the same spikes, state and event counts as the JavaScript loop, bit for bit", () => {
    const js = run(false, true, 3000);
    const wa = run(true, true, 3000);
    expect(js.spikes.length).toBeGreaterThan(100);
    expect(wa.spikes).toEqual(js.spikes);
    expect(wa.v).toEqual(js.v);
    expect(wa.ge).toEqual(js.ge);
    expect(wa.gi).toEqual(js.gi);
    expect(wa.events).toBe(js.events);
  });

  it("falls back to the JavaScript loop after compact() replaces the arrays, with the same results", () => {
    const js = run(false, true, 2000, 700);
    const wa = run(true, true, 2000, 700);
    expect(wa.se.wasm).toBe(false); // compacted: new arrays
    expect(wa.si.wasm).toBe(lifSimdAvailable()); // untouched
    expect(wa.spikes).toEqual(js.spikes);
    expect(wa.v).toEqual(js.v);
  });

  it("weights changed in place (plasticity) are seen by the WebAssembly loop", () => {
    const params = { tauMs: 20, elMv: -70, vThreshMv: -50, vResetMv: -60, refractoryMs: 5, tauEMs: 5, tauIMs: 10 };
    const g = new LifGroup("g", 4, params, 0.1);
    const s = new Synapses({ source: g, target: g, targetVar: "ge", connect: { rule: "all-to-all" }, weight: 1 });
    expect(s.wasm).toBe(lifSimdAvailable());
    for (let k = 0; k < s.matrix.count; k++) s.matrix.weight[k] = k + 0.5;
    g.spiked[0] = 1;
    g.spikeCount = 1;
    s.deliver(0);
    // Row of source 1: synapses 4..7 onto targets 0..3.
    expect(Array.from(g.ge)).toEqual([4.5, 5.5, 6.5, 7.5]);
    expect(s.events).toBe(4);
  });
});
