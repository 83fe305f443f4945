/**
 * Inputs and monitors: Poisson counts against Binomial(steps, rate·dt),
 * spike generators and stepped currents at their exact steps, latency codes
 * against their formulas, and a constant current into a LIF neuron against
 * the analytic firing rate f = 1 / (t_ref + tau·ln((RI - (Vr - El)) / (RI - (Vth - El))))
 * within Nengo's tolerance (1 Hz or 2%).
 */
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import type { NeuronGroup } from "../src/snn/group.js";
import { CurrentInput } from "../src/snn/inputs/current.js";
import { latencyCode, rateCode } from "../src/snn/inputs/encoders.js";
import { PoissonGroup } from "../src/snn/inputs/poisson.js";
import { SpikeGeneratorGroup } from "../src/snn/inputs/spike-generator.js";
import { PopulationRateMonitor, SpikeMonitor, StateMonitor } from "../src/snn/monitors.js";
import { Network } from "../src/snn/network.js";
import { LifGroup } from "../src/snn/neurons/lif.js";

const dt = 0.1;

class ProbeGroup implements NeuronGroup {
  readonly state: Record<string, Float32Array>;
  readonly spiked = new Int32Array(0);
  readonly spikeCount = 0;
  readonly dtMs = 0.1;
  constructor(
    readonly name: string,
    readonly size: number,
  ) {
    this.state = { I: new Float32Array(size) };
  }
  integrateAndThreshold(): void {}
  reset(): void {}
}

describe("PoissonGroup", () => {
  it("counts match Binomial(steps, rate·dt) per population within 5 sd, Fano factor near 1", () => {
    const n = 1000;
    const rates = new Float32Array(n);
    for (let i = 0; i < n; i++) rates[i] = i < n / 2 ? 5 : 50;
    const pg = new PoissonGroup("p", n, rates, dt, Rng.fromSeed(3).fork("poisson"));
    const mon = new SpikeMonitor(pg, dt, { keepSpikes: false });
    const rate = new PopulationRateMonitor(pg, dt);
    const net = new Network({ dtMs: dt, groups: [pg], monitors: [mon, rate] });
    net.run(1000);
    const steps = 10_000;
    for (const [lo, hi, r] of [
      [0, 500, 5],
      [500, 1000, 50],
    ] as const) {
      let c = 0;
      for (let i = lo; i < hi; i++) c += mon.counts[i]!;
      const p = r * dt * 1e-3;
      const mean = (hi - lo) * steps * p;
      expect(Math.abs(c - mean)).toBeLessThan(5 * Math.sqrt(mean * (1 - p)));
    }
    // Fano factor of the 50 Hz neurons' counts: (1 - p) ≈ 0.995; sampling sd ≈ 0.063.
    let m = 0;
    for (let i = 500; i < n; i++) m += mon.counts[i]!;
    m /= 500;
    let v = 0;
    for (let i = 500; i < n; i++) v += (mon.counts[i]! - m) ** 2;
    const fano = v / 499 / m;
    expect(fano).toBeGreaterThan(0.75);
    expect(fano).toBeLessThan(1.25);
    // The population-rate monitor integrates back to the spike count.
    const total = mon.totalSpikes();
    expect(rate.samples).toBe(steps);
    expect(rate.meanHz()).toBeCloseTo(total / n, 2);
  });

  it("is reproducible from its Rng and differs between forks", () => {
    const draw = (label: string): number[] => {
      const pg = new PoissonGroup("p", 100, 100, dt, Rng.fromSeed(0).fork(label));
      const mon = new SpikeMonitor(pg, dt);
      new Network({ dtMs: dt, groups: [pg], monitors: [mon] }).runSteps(200);
      return Array.from(mon.indices);
    };
    expect(draw("a")).toEqual(draw("a"));
    expect(draw("a")).not.toEqual(draw("b"));
  });

  it("rate 0 never spikes and rate 1/dt always does", () => {
    const pg = new PoissonGroup("p", 2, Float32Array.from([0, 10_000]), dt, Rng.fromSeed(1));
    const mon = new SpikeMonitor(pg, dt);
    new Network({ dtMs: dt, groups: [pg], monitors: [mon] }).runSteps(500);
    expect(Array.from(mon.counts)).toEqual([0, 500]);
  });
});

describe("SpikeGeneratorGroup", () => {
  it("emits every spike at step round(t / dt), in time order, offset by startStep", () => {
    const sg = new SpikeGeneratorGroup("g", 5, [3, 0, 4, 0, 2], [1.0, 0.0, 0.33, 2.0, 1.0], dt);
    const mon = new SpikeMonitor(sg, dt);
    const net = new Network({ dtMs: dt, groups: [sg], monitors: [mon] });
    net.run(3);
    expect(Array.from(mon.steps)).toEqual([0, 3, 10, 10, 20]); // 0.33 ms rounds to step 3
    expect(Array.from(mon.indices)).toEqual([0, 4, 3, 2, 0]); // ties keep list order
    expect(Array.from(mon.timesMs())).toEqual([0, 0.30000000000000004, 1, 1, 2]);
    sg.set([1], [0.5], net.step);
    net.run(1);
    expect(mon.steps[mon.count - 1]).toBe(30 + 5);
    expect(mon.indices[mon.count - 1]).toBe(1);
  });

  it("refuses a neuron twice in one step and indices out of range", () => {
    expect(() => new SpikeGeneratorGroup("g", 2, [1, 1], [1.0, 1.04], dt)).toThrow(/twice in step 10/);
    expect(() => new SpikeGeneratorGroup("g", 2, [2], [1.0], dt)).toThrow(/outside/);
  });
});

describe("currents", () => {
  it("a stepped current writes amplitude·level from each change time on", () => {
    const g = new ProbeGroup("g", 3);
    const cur = new CurrentInput(
      {
        target: g,
        targetVar: "I",
        amplitude: Float32Array.from([1, 2, -1]),
        steps: { timesMs: [0, 1.0, 2.5], levels: [0, 3, -1] },
      },
      dt,
    );
    const sm = new StateMonitor({ group: g, vars: ["I"], indices: [1, 2] }, dt);
    const net = new Network({ dtMs: dt, groups: [g], currents: [cur], monitors: [sm] });
    net.run(4);
    const i1 = sm.trace("I", 0);
    const i2 = sm.trace("I", 1);
    for (let t = 0; t < 40; t++) {
      const level = t < 10 ? 0 : t < 25 ? 3 : -1;
      expect(i1[t]).toBe(2 * level);
      expect(i2[t]! + 0).toBe(-1 * level + 0); // +0 turns -0 into 0
    }
  });

  it("a constant current into a LIF neuron fires at the analytic rate (within 1 Hz or 2%)", () => {
    const params = { tauMs: 10, elMv: -65, vThreshMv: -50, vResetMv: -65, refractoryMs: 2, tauEMs: 5, tauIMs: 10 };
    const drives = [16, 20, 30, 50];
    const lif = new LifGroup("lif", drives.length, params, dt);
    const cur = new CurrentInput({ target: lif, targetVar: "iExt", amplitude: Float32Array.from(drives) }, dt);
    const mon = new SpikeMonitor(lif, dt);
    new Network({ dtMs: dt, groups: [lif], currents: [cur], monitors: [mon] }).run(2000);
    drives.forEach((ri, k) => {
      const f =
        1000 /
        (params.refractoryMs +
          params.tauMs * Math.log((ri - (params.vResetMv - params.elMv)) / (ri - (params.vThreshMv - params.elMv))));
      const sim = mon.counts[k]! / 2;
      expect(Math.abs(sim - f)).toBeLessThanOrEqual(Math.max(1, 0.02 * f));
    });
  });
});

describe("encoders", () => {
  it("rate coding maps pixel 255 to the max rate (Diehl & Cook: pixel / 4 Hz)", () => {
    const r = rateCode(Uint8Array.from([0, 4, 128, 255]), { maxRateHz: 63.75, maxValue: 255 });
    expect(Array.from(r)).toEqual([0, 1, 32, 63.75]);
  });

  it("linear latency coding: t = tMax·(1 - x), stronger earlier, zero silent", () => {
    const x = [0.2, 1, 0, 0.5, 0.9];
    const { indices, timesMs } = latencyCode(x, { tMaxMs: 10 });
    expect(Array.from(indices)).toEqual([1, 4, 3, 0]);
    const expected = [0, 1, 5, 8];
    timesMs.forEach((t, k) => expect(t).toBeCloseTo(expected[k]!, 12));
  });

  it("log latency coding: t = tau·ln(x / (x - threshold)), monotone, at or below threshold silent", () => {
    const x = [0.3, 0.1, 0.9, 0.5, 0.2];
    const { indices, timesMs } = latencyCode(x, { tMaxMs: 50, form: "log", tauMs: 5, threshold: 0.2 });
    expect(Array.from(indices)).toEqual([2, 3, 0]);
    expect(timesMs[0]).toBeCloseTo(5 * Math.log(0.9 / 0.7), 12);
    expect(timesMs[2]).toBeCloseTo(5 * Math.log(0.3 / 0.1), 12);
    for (let k = 1; k < timesMs.length; k++) expect(timesMs[k]!).toBeGreaterThan(timesMs[k - 1]!);
  });

  it("a latency code drives a spike generator: first spikes in order of intensity", () => {
    const x = Float32Array.from([0.1, 0.7, 0.4, 1.0]);
    const code = latencyCode(x, { tMaxMs: 20 });
    const sg = new SpikeGeneratorGroup("img", 4, code.indices, code.timesMs, dt);
    const mon = new SpikeMonitor(sg, dt);
    new Network({ dtMs: dt, groups: [sg], monitors: [mon] }).run(25);
    expect(Array.from(mon.indices)).toEqual([3, 1, 2, 0]);
    expect(Array.from(mon.steps)).toEqual([0, 60, 120, 180]);
  });
});
