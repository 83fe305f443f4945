/**
 * One dt (issue: a monitor built with dt 1.0 ms in a 0.1 ms network reported
 * spike times ten times too late). The network owns dt: monitors and
 * currents given no dt take their group's, and anything built with another
 * dt is refused when added, with a message that names it. Reference: the
 * spike times a SpikeGeneratorGroup was given (exact on the 0.1 ms grid).
 */
import { describe, expect, it } from "vitest";
import { UserError } from "../src/core/errors.js";
import { CurrentInput } from "../src/snn/inputs/current.js";
import { SpikeGeneratorGroup } from "../src/snn/inputs/spike-generator.js";
import { PopulationRateMonitor, SpikeMonitor, StateMonitor } from "../src/snn/monitors.js";
import { Network } from "../src/snn/network.js";
import { LifGroup } from "../src/snn/neurons/lif.js";
import { CUBA_PARAMS } from "../src/snn/cuba.js";
import { Synapses } from "../src/snn/synapses/synapses.js";
import { createPlasticity } from "../src/plasticity/index.js";
import { pairStdpConfigSchema } from "../src/plasticity/pair-stdp.js";

const DT = 0.1;

function refused(f: () => unknown, ...parts: string[]): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UserError);
  for (const p of parts) expect((err as Error).message).toContain(p);
}

describe("one dt: the network owns it", () => {
  it("a monitor given no dt reports the generator's spike times exactly", () => {
    const gen = new SpikeGeneratorGroup("gen", 2, [0, 1, 0], [2.5, 7.3, 12], DT);
    const mon = new SpikeMonitor(gen);
    const rate = new PopulationRateMonitor(gen);
    const net = new Network({ dtMs: DT, groups: [gen], monitors: [mon, rate] });
    net.run(20);
    expect(Array.from(mon.indices)).toEqual([0, 1, 0]);
    expect(Array.from(mon.timesMs(), (t) => Math.round(t * 1e9) / 1e9)).toEqual([2.5, 7.3, 12]);
    expect(mon.dtMs).toBe(DT);
    // One spike among 2 neurons in one 0.1 ms step: 1 / 2 / 0.1 ms = 5000 Hz.
    expect(Math.max(...rate.rateHz)).toBeCloseTo(5000, 6);
  });

  it("refuses a monitor built with dt 1.0 ms in a 0.1 ms network, naming it", () => {
    const gen = new SpikeGeneratorGroup("gen", 1, [0], [5], DT);
    const net = new Network({ dtMs: DT, groups: [gen] });
    refused(() => net.addMonitor(new SpikeMonitor(gen, 1.0)), "SpikeMonitor(gen)", "dt 1 ms", "dt 0.1 ms");
    refused(() => net.addMonitor(new PopulationRateMonitor(gen, 1.0)), "PopulationRateMonitor(gen)");
    refused(() => new Network({ dtMs: DT, monitors: [new SpikeMonitor(gen, 0.2)] }), "SpikeMonitor(gen)");
  });

  it("refuses groups, currents, synapses and plasticity rules built with another dt", () => {
    const lif = new LifGroup("exc", 4, CUBA_PARAMS, 0.5);
    refused(() => new Network({ dtMs: DT, groups: [lif] }), 'group "exc"', "dt 0.5 ms");
    const ok = new LifGroup("ok", 4, CUBA_PARAMS, DT);
    const net = new Network({ dtMs: DT, groups: [ok] });
    refused(() => net.addCurrent(new CurrentInput({ target: ok, targetVar: "iExt", amplitude: 1 }, 1)), "ok.iExt");
    refused(() => net.addMonitor(new StateMonitor({ group: ok, vars: ["v"] }, 1)), "StateMonitor(ok)");
    const gen = new SpikeGeneratorGroup("slow", 4, [0], [1], 1);
    const syn = new Synapses({ source: gen, target: ok, targetVar: "ge", connect: { rule: "one-to-one" } });
    refused(() => net.addSynapses(syn), "slow");
    const fast = new SpikeGeneratorGroup("fast", 4, [0], [1], DT);
    const plastic = new Synapses({ source: fast, target: ok, targetVar: "ge", connect: { rule: "one-to-one" } });
    const rule = createPlasticity(pairStdpConfigSchema.parse({ rule: "pair-stdp" }), plastic, 1);
    refused(() => net.addMonitor(rule), "PairStdp(", "dt 1 ms");
    // The same pieces at the network's dt are accepted; monitors and currents default to it.
    net.addSynapses(plastic);
    net.addMonitor(createPlasticity(pairStdpConfigSchema.parse({ rule: "pair-stdp" }), plastic, DT));
    net.addCurrent(new CurrentInput({ target: ok, targetVar: "iExt", amplitude: 1 }));
    net.addMonitor(new StateMonitor({ group: ok, vars: ["v"] }));
    expect(net.run(1)).toBe(10);
  });
});
