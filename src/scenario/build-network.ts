/**
 * Network scenario -> a runnable Network with its monitors. Checks what the
 * schema cannot (names that must refer to groups, variables that must exist,
 * indices in range) and reports each as an issue at its JSON path, before
 * anything runs. Randomness: Rng.fromSeed(seed).fork("network") forked per
 * group ("group:<name>") and per synapse population ("synapses:<i>").
 */
import { type Issue, isUserError, ScenarioError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { buildGroups, buildSynapses, groupRef, type GroupTable } from "../learners/network/build.js";
import type { PlasticityRule } from "../plasticity/rule.js";
import { type NeuronGroup, stateVariable } from "../snn/group.js";
import { CurrentInput } from "../snn/inputs/current.js";
import {
  PopulationRateMonitor,
  type SpikeChunk,
  SpikeMonitor,
  type StateChunk,
  StateMonitor,
} from "../snn/monitors.js";
import { Network } from "../snn/network.js";
import type { Synapses } from "../snn/synapses/synapses.js";
import type { NetworkScenario } from "./network-schema.js";

export { createGroup, nirGroupConfig, type NirModelConfig } from "../learners/network/build.js";

export interface BuiltNetwork {
  network: Network;
  groups: NeuronGroup[];
  synapses: Synapses[];
  spikeMonitors: SpikeMonitor[];
  rateMonitors: PopulationRateMonitor[];
  stateMonitors: { group: string; monitor: StateMonitor }[];
  /** Synapse populations with a plasticity rule (the rule runs as an end-of-step monitor). */
  plastic: { name: string; synapses: Synapses; rule: PlasticityRule }[];
}

const found = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Where the monitors stream what they record (absent: they keep everything in memory). */
export interface MonitorSinks {
  /** A sink for the spike monitor of group `group` (position `i` in the spike monitor list). */
  spikes?: (group: NeuronGroup, i: number) => ((chunk: SpikeChunk) => void) | undefined;
  /** A sink for state monitor `i` of the scenario. */
  state?: (i: number, group: NeuronGroup) => ((chunk: StateChunk) => void) | undefined;
}

export function buildNetwork(s: NetworkScenario, seed: number, file: string, sinks: MonitorSinks = {}): BuiltNetwork {
  const issues: Issue[] = [];
  const root = Rng.fromSeed(seed).fork("network");
  const table: GroupTable = { byName: new Map(), failed: new Set() };
  const ctx = { dtMs: s.dtMs, precision: s.precision, root, issues, path: "$" };
  const groups = buildGroups(s.groups, ctx, table);
  const built = buildSynapses(s.synapses, ctx, table);
  const synapses = built.map((b) => b.synapses);
  const plastic: BuiltNetwork["plastic"] = built.flatMap((b) =>
    b.rule === null ? [] : [{ name: b.synapses.name, synapses: b.synapses, rule: b.rule }],
  );
  const groupRefAt = (name: string, path: string): NeuronGroup | undefined => groupRef(table, name, path, issues);

  const currents: CurrentInput[] = [];
  s.currents.forEach((c, i) => {
    const target = groupRefAt(c.target, `$.currents[${i}].target`);
    if (target === undefined) return;
    if (stateVariable(target, c.variable) === undefined) {
      issues.push({
        path: `$.currents[${i}].variable`,
        expected: `a variable of group ${target.name} (${Object.keys(target.state).join(", ")})`,
        found: `"${c.variable}"`,
      });
      return;
    }
    const bad = c.indices?.find((k) => k >= target.size);
    if (bad !== undefined) {
      issues.push({
        path: `$.currents[${i}].indices`,
        expected: `indices below the group size ${target.size}`,
        found: String(bad),
      });
      return;
    }
    try {
      currents.push(
        new CurrentInput(
          {
            target,
            targetVar: c.variable,
            amplitude: c.amplitude,
            ...(c.indices !== undefined ? { indices: Int32Array.from(c.indices) } : {}),
            ...(c.steps !== undefined ? { steps: c.steps } : {}),
          },
          s.dtMs,
        ),
      );
    } catch (e) {
      if (!isUserError(e)) throw e;
      issues.push({ path: `$.currents[${i}]`, expected: "a valid current", found: found(e) });
    }
  });

  const spikeGroups = s.monitors.spikes ?? s.groups.map((g) => g.name);
  const spikeMonitors: SpikeMonitor[] = [];
  const rateMonitors: PopulationRateMonitor[] = [];
  spikeGroups.forEach((name, i) => {
    const g = groupRefAt(name, `$.monitors.spikes[${i}]`);
    if (g === undefined) return;
    const sink = sinks.spikes?.(g, spikeMonitors.length);
    spikeMonitors.push(new SpikeMonitor(g, s.dtMs, sink !== undefined ? { sink } : {}));
    rateMonitors.push(new PopulationRateMonitor(g, s.dtMs));
  });
  const stateMonitors: { group: string; monitor: StateMonitor }[] = [];
  s.monitors.state.forEach((m, i) => {
    const g = groupRefAt(m.group, `$.monitors.state[${i}].group`);
    if (g === undefined) return;
    const seen = new Set<string>();
    const twice = m.variables.find((v) => seen.size === seen.add(v).size);
    if (twice !== undefined) {
      issues.push({
        path: `$.monitors.state[${i}].variables`,
        expected: "each variable once",
        found: `"${twice}" more than once`,
      });
      return;
    }
    const missing = m.variables.find((v) => stateVariable(g, v) === undefined);
    if (missing !== undefined) {
      issues.push({
        path: `$.monitors.state[${i}].variables`,
        expected: `variables of group ${g.name} (${Object.keys(g.state).join(", ")})`,
        found: `"${missing}"`,
      });
      return;
    }
    const bad = m.indices.find((k) => k >= g.size);
    if (bad !== undefined) {
      issues.push({
        path: `$.monitors.state[${i}].indices`,
        expected: `indices below the group size ${g.size}`,
        found: String(bad),
      });
      return;
    }
    stateMonitors.push({
      group: g.name,
      monitor: new StateMonitor(
        { group: g, vars: m.variables, indices: m.indices, every: m.everySteps, sink: sinks.state?.(i, g) },
        s.dtMs,
      ),
    });
  });

  if (issues.length > 0) throw new ScenarioError(file, issues);
  const network = new Network({
    dtMs: s.dtMs,
    groups,
    synapses,
    currents,
    // Plasticity rules run at the end of each step, after delivery, before the spike monitors look.
    monitors: [
      ...stateMonitors.map((m) => m.monitor),
      ...plastic.map((p) => p.rule),
      ...spikeMonitors,
      ...rateMonitors,
    ],
  });
  return { network, groups, synapses, spikeMonitors, rateMonitors, stateMonitors, plastic };
}
