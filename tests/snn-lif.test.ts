/**
 * LifGroup against the analytic LIF solutions:
 *   V(t) = El + R·I·(1 - exp(-t/tau)) under constant drive, and the f-I curve
 *   f = 1 / (t_ref + tau·ln((R·I - (Vr - El)) / (R·I - (Vth - El)))).
 */
import { describe, expect, it } from "vitest";
import { LifGroup, type LifParams } from "../src/snn/neurons/lif.js";
import { UserError } from "../src/core/errors.js";
import { ConductanceLifGroup, type ConductanceLifParams } from "../src/snn/neurons/conductance-lif.js";

const base: LifParams = {
  tauMs: 20,
  elMv: -70,
  vThreshMv: -50,
  vResetMv: -65,
  refractoryMs: 2,
  tauEMs: 5,
  tauIMs: 10,
};

/** Runs one step of the Brian2 schedule (no synapses) and returns the spike count. */
function stepOnce(g: LifGroup, step: number): number {
  g.integrateAndThreshold(step);
  g.reset(step);
  return g.spikeCount;
}

function spikeSteps(g: LifGroup, steps: number, neuron = 0): number[] {
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    g.integrateAndThreshold(s);
    for (let k = 0; k < g.spikeCount; k++) if (g.spiked[k] === neuron) out.push(s);
    g.reset(s);
  }
  return out;
}

describe("LifGroup", () => {
  // Tolerance 1e-4 mV: state is float32 (one ulp near -70 mV is 7.6e-6 mV) and rounding accumulates over 1000 steps.
  it("follows V(t) = El + R·I·(1 - exp(-t/tau)) below threshold (exact integration)", () => {
    const dt = 0.1;
    const g = new LifGroup("lif", 3, { ...base, vThreshMv: 1000 }, dt);
    const drives = [5, 15, 30];
    drives.forEach((d, i) => (g.iExt[i] = d));
    for (let s = 0; s < 1000; s++) {
      stepOnce(g, s);
      const t = (s + 1) * dt;
      for (let i = 0; i < 3; i++) {
        const expected = base.elMv + drives[i]! * (1 - Math.exp(-t / base.tauMs));
        expect(Math.abs(g.v[i]! - expected)).toBeLessThan(1e-4);
      }
    }
  });

  it("integrates a synaptic current exactly: the alpha-like response of v to one ge kick", () => {
    // Reference: with x = v - El, x(t) = ge0·tauE/(tauE - tau)·(exp(-t/tauE) - exp(-t/tau)),
    // and for tauE == tau the limit x(t) = ge0·(t/tau)·exp(-t/tau).
    for (const tauEMs of [5, 20]) {
      const g = new LifGroup("lif", 1, { ...base, tauEMs, vThreshMv: 1000 }, 0.1);
      g.ge[0] = 3;
      for (let s = 0; s < 500; s++) {
        stepOnce(g, s);
        const t = (s + 1) * 0.1;
        const x =
          tauEMs === base.tauMs
            ? 3 * (t / base.tauMs) * Math.exp(-t / base.tauMs)
            : ((3 * tauEMs) / (tauEMs - base.tauMs)) * (Math.exp(-t / tauEMs) - Math.exp(-t / base.tauMs));
        expect(Math.abs(g.v[0]! - base.elMv - x)).toBeLessThan(1e-4);
        expect(g.ge[0]!).toBeCloseTo(3 * Math.exp(-t / tauEMs), 5);
      }
    }
  });

  it("fires at the analytic f-I rate within 1% (dt = 0.01 ms) and exactly at the step-quantised rate", () => {
    // With Brian2's schedule, a neuron that spikes in step s is reset, holds v in
    // steps s+1 .. s+R-1 and integrates from step s+R; it next spikes after k more
    // integrating steps, k = floor(Tc/dt) + 1, Tc = tau·ln((RI - (Vr-El))/(RI - (Vth-El))).
    // So the quantised ISI is (R - 1 + floor(Tc/dt) + 1)·dt = t_ref + floor(Tc/dt)·dt,
    // within one dt below the analytic t_ref + Tc.
    const dt = 0.01;
    const drives = [21, 25, 30, 40, 60];
    const g = new LifGroup("lif", drives.length, base, dt);
    drives.forEach((d, i) => (g.iExt[i] = d));
    const steps = 100_000; // 1 s
    const spikes: number[][] = drives.map(() => []);
    for (let s = 0; s < steps; s++) {
      g.integrateAndThreshold(s);
      for (let k = 0; k < g.spikeCount; k++) spikes[g.spiked[k]!]!.push(s);
      g.reset(s);
    }
    drives.forEach((ri, i) => {
      const tc = base.tauMs * Math.log((ri - (base.vResetMv - base.elMv)) / (ri - (base.vThreshMv - base.elMv)));
      const fAnalytic = 1000 / (base.refractoryMs + tc);
      const s = spikes[i]!;
      expect(s.length).toBeGreaterThan(3);
      const isis = s.slice(2).map((x, k) => x - s[k + 1]!); // skip the first (starts from El, not Vr)
      const meanIsiMs = (isis.reduce((a, b) => a + b, 0) / isis.length) * dt;
      expect(Math.abs(1000 / meanIsiMs - fAnalytic) / fAnalytic).toBeLessThan(0.01);
      const quantised = base.refractoryMs / dt + Math.floor(tc / dt);
      // float32 state may move a crossing by one step; most ISIs must be exactly the quantised value
      for (const isi of isis) expect(Math.abs(isi - quantised)).toBeLessThanOrEqual(1);
      expect(isis.filter((isi) => isi === quantised).length).toBeGreaterThanOrEqual(0.9 * isis.length);
    });
  });

  it("stays silent below rheobase (R·I < Vth - El)", () => {
    const g = new LifGroup("lif", 1, base, 0.1);
    g.iExt[0] = 19.9;
    expect(spikeSteps(g, 20_000)).toEqual([]);
  });

  it("holds v at Vr and never spikes inside the refractory period, even under huge drive", () => {
    const dt = 0.1;
    const p = { ...base, refractoryMs: 5 };
    const g = new LifGroup("lif", 1, p, dt);
    g.iExt[0] = 10_000; // would cross threshold in every step if not refractory
    const s: number[] = [];
    for (let k = 0; k < 300; k++) {
      g.integrateAndThreshold(k);
      if (g.spikeCount > 0) s.push(k);
      g.reset(k);
      const sinceSpike = k - s[s.length - 1]!;
      if (s.length > 0 && sinceSpike > 0 && sinceSpike < 50) expect(g.v[0]!).toBe(p.vResetMv);
    }
    // Brian2 semantics: refractory until t_spike + 5 ms = 50 steps, spike again on the first integrating step.
    const isis = s.slice(1).map((x, k) => x - s[k]!);
    expect(isis.every((d) => d === 50)).toBe(true);
    expect(s[0]).toBe(0);
  });

  it("keeps ge and gi decaying while v is held", () => {
    const g = new LifGroup("lif", 1, { ...base, refractoryMs: 5 }, 0.1);
    g.iExt[0] = 10_000;
    stepOnce(g, 0); // spikes, refractory from now
    g.ge[0] = 2;
    g.gi[0] = -2;
    for (let k = 1; k <= 10; k++) stepOnce(g, k);
    expect(g.v[0]).toBe(base.vResetMv);
    expect(g.ge[0]!).toBeCloseTo(2 * Math.exp(-1 / 5), 5);
    expect(g.gi[0]!).toBeCloseTo(-2 * Math.exp(-1 / 10), 5);
  });

  it("rejects a non-positive time constant with a UserError", () => {
    expect(() => new LifGroup("lif", 1, { ...base, tauMs: 0 }, 0.1)).toThrow(UserError);
  });
});

describe("ConductanceLifGroup", () => {
  const coba: ConductanceLifParams = {
    tauMs: 20,
    elMv: -65,
    eExcMv: 0,
    eInhMv: -80,
    vThreshMv: 1000,
    vResetMv: -65,
    refractoryMs: 2,
    tauEMs: 1e12, // conductances effectively constant: the analytic solution below applies
    tauIMs: 1e12,
  };

  it("with constant conductances follows v(t) = v∞ + (v0 - v∞)·exp(-t(1 + ge + gi)/tau), v∞ = (El + ge·Ee + gi·Ei)/(1 + ge + gi)", () => {
    const g = new ConductanceLifGroup("coba", 2, coba, 0.1);
    g.ge[0] = 0.5;
    g.gi[1] = 0.3;
    g.ge[1] = 0.2;
    const cases = [
      { ge: 0.5, gi: 0 },
      { ge: 0.2, gi: 0.3 },
    ];
    for (let s = 0; s < 500; s++) {
      g.integrateAndThreshold(s);
      g.reset(s);
      const t = (s + 1) * 0.1;
      cases.forEach(({ ge, gi }, i) => {
        const gTot = 1 + ge + gi;
        const vInf = (coba.elMv + ge * coba.eExcMv + gi * coba.eInhMv) / gTot;
        const expected = vInf + (coba.elMv - vInf) * Math.exp((-t * gTot) / coba.tauMs);
        expect(Math.abs(g.v[i]! - expected)).toBeLessThan(1e-4);
      });
    }
  });

  it("an adaptive threshold (theta += thetaPlus per spike) lengthens the inter-spike intervals", () => {
    const p = { ...coba, vThreshMv: -52, thetaPlusMv: 1, tauThetaMs: 1e7, tauEMs: 5, tauIMs: 10 };
    const g = new ConductanceLifGroup("coba", 1, p, 0.1);
    g.iExt[0] = 30; // v∞ = -35 mV without input conductances
    const s: number[] = [];
    for (let k = 0; k < 5000; k++) {
      g.integrateAndThreshold(k);
      if (g.spikeCount > 0) s.push(k);
      g.reset(k);
    }
    expect(s.length).toBeGreaterThan(5);
    const d = s.slice(1).map((x, k) => x - s[k]!);
    for (let k = 1; k < d.length; k++) expect(d[k]!).toBeGreaterThan(d[k - 1]!);
    expect(g.theta[0]!).toBeCloseTo(s.length * 1, 2);
  });
});
