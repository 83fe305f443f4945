// Reference: Song, Miller & Abbott 2000 (Nat Neurosci 3:919), as in ANCHORS.md
// and Brian2's examples/synapses/STDP.py: 1000 Poisson inputs at 15 Hz onto one
// conductance-based LIF neuron (taum 10 ms, El -74 mV, threshold -54 mV, reset
// -60 mV, Ee 0 mV, taue 5 ms), additive pair STDP with tau 20 ms on both sides,
// A+ = 0.01·wmax, A- = -1.05·A+, weights clipped to [0, wmax], wmax = 0.01,
// initial weights uniform in [0, wmax]. Competition between the synapses
// drives the weight distribution bimodal: most weights end near 0 or near wmax.
// Full length: 100 s of biological time at dt 0.1 ms (1 M steps), through the
// engine's Network with the rule plugged in as an end-of-step monitor.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { PairStdp } from "../src/plasticity/pair-stdp.js";
import { Network } from "../src/snn/network.js";
import { ConductanceLifGroup } from "../src/snn/neurons/conductance-lif.js";
import { PoissonGroup } from "../src/snn/inputs/poisson.js";
import { Synapses } from "../src/snn/synapses/synapses.js";

describe("Song, Miller & Abbott 2000: additive STDP makes weights bimodal", () => {
  it("ends with > 80% of 1000 weights in the bottom or top 20% of [0, wmax], both ends populated", () => {
    const dtMs = 0.1;
    const wMax = 0.01;
    const rng = Rng.fromSeed(1);
    const input = new PoissonGroup("input", 1000, 15, dtMs, rng.fork("poisson"));
    const neuron = new ConductanceLifGroup("neuron", 1, {
      tauMs: 10, elMv: -74, eExcMv: 0, eInhMv: -70, vThreshMv: -54, vResetMv: -60, refractoryMs: 0, tauEMs: 5, tauIMs: 5,
    }, dtMs);
    const syn = new Synapses({
      source: input, target: neuron, targetVar: "ge", connect: { rule: "all-to-all" },
      weight: { dist: "uniform", lo: 0, hi: wMax }, rng: rng.fork("weights"),
    });
    const aPlus = 0.01 * wMax;
    const stdp = new PairStdp(syn, {
      tauPlusMs: 20, tauMinusMs: 20, aPlus, aMinus: -1.05 * aPlus, wMin: 0, wMax, bound: "additive", pairing: "all-to-all",
    }, dtMs);
    const net = new Network({ dtMs, groups: [input, neuron], synapses: [syn], monitors: [stdp] });
    net.run(100_000);
    const w = syn.matrix.weight;
    let low = 0;
    let high = 0;
    for (let s = 0; s < w.length; s++) {
      if (w[s]! <= 0.2 * wMax) low++;
      else if (w[s]! >= 0.8 * wMax) high++;
    }
    expect((low + high) / w.length).toBeGreaterThan(0.8);
    expect(low).toBeGreaterThan(50);
    expect(high).toBeGreaterThan(50);
  });
});
