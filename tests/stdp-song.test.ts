// Reference: Song, Miller & Abbott 2000 (Nat Neurosci 3:919), as in Brian2's examples/synapses/STDP.py: 1000 Poisson inputs at 15 Hz onto one
// conductance-based LIF neuron (taum 10 ms, El -74 mV, threshold -54 mV, reset
// -60 mV, Ee 0 mV, taue 5 ms), additive pair STDP with tau 20 ms on both sides,
// A+ = 0.01·wmax, A- = -1.05·A+, weights clipped to [0, wmax], wmax = 0.01,
// initial weights uniform in [0, wmax]. Competition between the synapses
// drives the weight distribution bimodal: most weights end near 0 or near wmax.
// Full length: 100 s of biological time at dt 0.1 ms (1 M steps), through the
// engine's Network with the rule plugged in as an end-of-step monitor (about
// 6 s of CPU). After 100 s the distribution is U-shaped but still moving
// towards the fully bimodal steady state: measured here (seeds 1-3) 63-65% of
// the weights lie in the outer fifths of [0, wmax] (40% at the uniform start),
// 72% at 250 s; "> 80%" would need several hundred seconds, and a larger
// learning rate does not shorten it (A+ = 0.02·wmax gives 55% at 100 s: the
// noise grows with the rate). So the test checks the U shape at 100 s: more
// than 55% of the weights in the outer fifths, each end bin (of ten) at least
// 2.5 times the mean of the six middle bins and the two largest bins.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { PairStdp } from "../src/plasticity/pair-stdp.js";
import { Network } from "../src/snn/network.js";
import { ConductanceLifGroup } from "../src/snn/neurons/conductance-lif.js";
import { PoissonGroup } from "../src/snn/inputs/poisson.js";
import { Synapses } from "../src/snn/synapses/synapses.js";

describe("Song, Miller & Abbott 2000: additive STDP makes weights bimodal", () => {
  it("drives 1000 uniform weights into a U-shaped distribution with peaks at 0 and wmax within 100 s", () => {
    const dtMs = 0.1;
    const wMax = 0.01;
    const rng = Rng.fromSeed(1);
    const input = new PoissonGroup("input", 1000, 15, dtMs, rng.fork("poisson"));
    const neuron = new ConductanceLifGroup(
      "neuron",
      1,
      {
        tauMs: 10,
        elMv: -74,
        eExcMv: 0,
        eInhMv: -70,
        vThreshMv: -54,
        vResetMv: -60,
        refractoryMs: 0,
        tauEMs: 5,
        tauIMs: 5,
      },
      dtMs,
    );
    const syn = new Synapses({
      source: input,
      target: neuron,
      targetVar: "ge",
      connect: { rule: "all-to-all" },
      weight: { dist: "uniform", lo: 0, hi: wMax },
      rng: rng.fork("weights"),
    });
    const aPlus = 0.01 * wMax;
    const stdp = new PairStdp(
      syn,
      {
        tauPlusMs: 20,
        tauMinusMs: 20,
        aPlus,
        aMinus: -1.05 * aPlus,
        wMin: 0,
        wMax,
        bound: "additive",
        pairing: "all-to-all",
      },
      dtMs,
    );
    const net = new Network({ dtMs, groups: [input, neuron], synapses: [syn], monitors: [stdp] });
    net.run(100_000);
    const w = syn.matrix.weight;
    const hist = new Array<number>(10).fill(0);
    for (let s = 0; s < w.length; s++) hist[Math.min(9, Math.floor((w[s]! / wMax) * 10))]!++;
    const outerFifths = hist[0]! + hist[1]! + hist[8]! + hist[9]!;
    expect(outerFifths / w.length).toBeGreaterThan(0.55);
    const middle = hist.slice(2, 8).reduce((a, b) => a + b, 0) / 6;
    expect(hist[0]!).toBeGreaterThan(2.5 * middle);
    expect(hist[9]!).toBeGreaterThan(2.5 * middle);
    const sorted = [...hist].sort((a, b) => b - a);
    expect([hist[0], hist[9]].sort((a, b) => b! - a!)).toEqual(sorted.slice(0, 2));
  });
});
