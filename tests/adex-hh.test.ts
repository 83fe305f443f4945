/**
 * AdEx against Brette & Gerstner 2005 (spike-frequency adaptation of their
 * regular cell: inter-spike intervals lengthen under a current step; without
 * adaptation, a = b = 0, they are constant), and Hodgkin-Huxley against the
 * classic squid-axon behaviour: repetitive firing above a rheobase of about
 * 6.2 µA/cm² (about 68 Hz at 10 µA/cm²), no repetitive firing below it.
 */
import { describe, expect, it } from "vitest";
import { ADEX_BRETTE_GERSTNER_2005, AdexGroup, type AdexMethod } from "../src/snn/neurons/adex.js";
import { HodgkinHuxleyGroup, type HodgkinHuxleyMethod } from "../src/snn/neurons/hodgkin-huxley.js";
import type { NeuronGroup } from "../src/snn/group.js";

function run(g: NeuronGroup, steps: number, dt: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    g.integrateAndThreshold(s);
    if (g.spikeCount > 0) out.push(s * dt);
    g.reset(s);
  }
  return out;
}
const isis = (s: number[]): number[] => s.slice(1).map((x, k) => x - s[k]!);

describe("AdEx (Brette & Gerstner 2005)", () => {
  for (const method of ["euler", "rk4"] as AdexMethod[]) {
    it(`${method}: ISIs lengthen under a 1 nA step (adaptation), and stay constant with a = b = 0`, () => {
      const g = new AdexGroup("adex", 1, ADEX_BRETTE_GERSTNER_2005, 0.1, method);
      g.iExt[0] = 1000; // pA
      const d = isis(run(g, 5000, 0.1));
      expect(d.length).toBeGreaterThan(8);
      for (let k = 1; k < d.length; k++) expect(d[k]!).toBeGreaterThanOrEqual(d[k - 1]! - 0.1);
      expect(d[d.length - 1]! / d[0]!).toBeGreaterThan(2);

      const flat = new AdexGroup("adex", 1, { ...ADEX_BRETTE_GERSTNER_2005, aNs: 0, bPa: 0 }, 0.1, method);
      flat.iExt[0] = 1000;
      const f = isis(run(flat, 5000, 0.1));
      expect(f.length).toBeGreaterThan(d.length); // adaptation lowers the rate
      expect(Math.max(...f) - Math.min(...f)).toBeLessThanOrEqual(0.1 + 1e-9); // one dt of jitter
    });
  }

  it("stays silent for a current below rheobase (500 pA; rheobase of this cell is above gL·(VT - EL - ΔT))", () => {
    const g = new AdexGroup("adex", 1, ADEX_BRETTE_GERSTNER_2005, 0.1, "rk4");
    g.iExt[0] = 500;
    expect(run(g, 5000, 0.1)).toEqual([]);
  });

  it("euler and rk4 agree on the adapted ISI within 1% at dt = 0.1 ms", () => {
    const last = (m: AdexMethod) => {
      const g = new AdexGroup("adex", 1, ADEX_BRETTE_GERSTNER_2005, 0.1, m);
      g.iExt[0] = 1000;
      const d = isis(run(g, 5000, 0.1));
      return d[d.length - 1]!;
    };
    expect(Math.abs(last("euler") - last("rk4")) / last("rk4")).toBeLessThan(0.01);
  });
});

describe("Hodgkin-Huxley (squid axon, 1952 parameters, rest -65 mV)", () => {
  const dt = 0.01;
  const spikes = (iUa: number, method: HodgkinHuxleyMethod = "exponential-euler") => {
    const g = new HodgkinHuxleyGroup("hh", 1, undefined, dt, method);
    g.iExt[0] = iUa;
    return run(g, 50_000, dt); // 500 ms
  };

  it("fires repetitively above rheobase at a plausible rate (about 68 Hz at 10 µA/cm²)", () => {
    for (const method of ["exponential-euler", "euler"] as HodgkinHuxleyMethod[]) {
      const s = spikes(10, method);
      const d = isis(s);
      const rateHz = 1000 / d[d.length - 1]!;
      expect(rateHz).toBeGreaterThan(60);
      expect(rateHz).toBeLessThan(75);
      expect(s.length).toBeGreaterThan(25);
    }
    expect(spikes(7).length).toBeGreaterThan(20);
    const r7 = spikes(7).length;
    const r20 = spikes(20).length;
    expect(r20).toBeGreaterThan(r7); // rate rises with current
  });

  it("does not fire repetitively below rheobase (~6.2 µA/cm²): none at 2, at most one onset spike at 5", () => {
    expect(spikes(2)).toEqual([]);
    expect(spikes(5).length).toBeLessThanOrEqual(1);
  });

  it("holds its resting potential with no input (gates start at steady state)", () => {
    const g = new HodgkinHuxleyGroup("hh", 1, undefined, dt);
    run(g, 10_000, dt);
    expect(Math.abs(g.v[0]! + 65)).toBeLessThan(0.1);
  });
});
