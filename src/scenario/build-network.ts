/**
 * Network scenario -> a runnable Network with its monitors. Checks what the
 * schema cannot (names that must refer to groups, variables that must exist,
 * indices in range) and reports each as an issue at its JSON path, before
 * anything runs. Randomness: Rng.fromSeed(seed).fork("network") forked per
 * group ("group:<name>") and per synapse population ("synapses:<i>").
 */
import { type Issue, isUserError, ScenarioError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { EquationGroup } from "../snn/equations/equation-group.js";
import type { NeuronGroup, Precision, StateArray } from "../snn/group.js";
import { CurrentInput } from "../snn/inputs/current.js";
import { PoissonGroup } from "../snn/inputs/poisson.js";
import { SpikeGeneratorGroup } from "../snn/inputs/spike-generator.js";
import {
  PopulationRateMonitor,
  type SpikeChunk,
  SpikeMonitor,
  type StateChunk,
  StateMonitor,
} from "../snn/monitors.js";
import { Network } from "../snn/network.js";
import { AdexGroup } from "../snn/neurons/adex.js";
import { ConductanceLifGroup } from "../snn/neurons/conductance-lif.js";
import { HodgkinHuxleyGroup } from "../snn/neurons/hodgkin-huxley.js";
import { IzhikevichGroup } from "../snn/neurons/izhikevich.js";
import { LifGroup } from "../snn/neurons/lif.js";
import { Synapses } from "../snn/synapses/synapses.js";
import { createPlasticity } from "../plasticity/index.js";
import type { PlasticityRule } from "../plasticity/rule.js";
import type { InitialValue, NetworkScenario, NeuronModelConfig } from "./network-schema.js";
import { nirNeuronGroup, type NirNeuronKind, type NirNeuronParams } from "../snn/nir/groups.js";

/** The network models that are NIR primitives. */
export type NirModelConfig = Extract<NeuronModelConfig, { type: `nir-${string}` }>;
import { stateVariable } from "../snn/group.js";

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

function createGroup(
  name: string,
  size: number,
  m: NeuronModelConfig,
  dtMs: number,
  precision: Precision,
  rng: Rng,
): NeuronGroup {
  const options = { precision };
  switch (m.type) {
    case "lif":
      return new LifGroup(name, size, m, dtMs, options);
    case "conductance-lif":
      return new ConductanceLifGroup(name, size, m, dtMs, m.method, options);
    case "izhikevich": {
      if (m.preset !== undefined) return new IzhikevichGroup(name, size, m.preset, dtMs, m.method, options);
      return new IzhikevichGroup(
        name,
        size,
        { a: m.a!, b: m.b!, c: m.c!, d: m.d!, vPeakMv: m.vPeakMv },
        dtMs,
        m.method,
        options,
      );
    }
    case "adex":
      return new AdexGroup(name, size, undefined, dtMs, m.method, options);
    case "hodgkin-huxley":
      return new HodgkinHuxleyGroup(name, size, undefined, dtMs, m.method, options);
    case "equations":
      return new EquationGroup(
        name,
        size,
        {
          equations: m.equations,
          parameters: m.parameters,
          threshold: m.threshold,
          reset: m.reset,
          ...(m.refractoryMs !== undefined ? { refractoryMs: m.refractoryMs } : {}),
          ...(m.refractory !== undefined ? { refractory: m.refractory } : {}),
          ...(m.method !== undefined ? { method: m.method } : {}),
        },
        dtMs,
        options,
      );
    case "poisson":
      return new PoissonGroup(name, size, m.rateHz, dtMs, rng.fork("poisson"));
    case "spike-generator":
      return new SpikeGeneratorGroup(name, size, m.indices, m.timesMs, dtMs);
    default: {
      const nir = nirGroupConfig(m);
      return nirNeuronGroup(name, size, nir.kind, nir.params, dtMs, precision);
    }
  }
}

/** A nir-* group's NIR kind and parameters under NIR's names (time constants still in ms). */
export function nirGroupConfig(m: NirModelConfig): { kind: NirNeuronKind; params: NirNeuronParams } {
  switch (m.type) {
    case "nir-lif":
      return {
        kind: "LIF",
        params: { tau: m.tauMs, r: m.r, v_leak: m.vLeak, v_threshold: m.vThreshold, v_reset: m.vReset, bias: m.bias },
      };
    case "nir-cuba-lif":
      return {
        kind: "CubaLIF",
        params: {
          tau_syn: m.tauSynMs,
          tau_mem: m.tauMemMs,
          r: m.r,
          v_leak: m.vLeak,
          v_threshold: m.vThreshold,
          v_reset: m.vReset,
          w_in: m.wIn,
          bias: m.bias,
        },
      };
    case "nir-li":
      return { kind: "LI", params: { tau: m.tauMs, r: m.r, v_leak: m.vLeak, bias: m.bias } };
    case "nir-cuba-li":
      return {
        kind: "CubaLI",
        params: { tau_syn: m.tauSynMs, tau_mem: m.tauMemMs, r: m.r, v_leak: m.vLeak, w_in: m.wIn, bias: m.bias },
      };
    case "nir-if":
      return { kind: "IF", params: { r: m.r, v_threshold: m.vThreshold, v_reset: m.vReset, bias: m.bias } };
    case "nir-i":
      return { kind: "I", params: { r: m.r, bias: m.bias } };
  }
}

function fillInitial(arr: StateArray, value: InitialValue, rng: Rng): void {
  if (typeof value === "number") arr.fill(value);
  else if ("uniform" in value) rng.fillUniform(arr, value.uniform[0], value.uniform[1]);
  else rng.fillNormal(arr, value.normal[0], value.normal[1]);
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
  const byName = new Map<string, NeuronGroup>();
  const groups: NeuronGroup[] = [];
  // Groups that exist in the file but failed to build: references to them are not further errors.
  const failed = new Set<string>();
  s.groups.forEach((g, i) => {
    failed.add(g.name);
    if (byName.has(g.name)) {
      issues.push({ path: `$.groups[${i}].name`, expected: "a group name used once", found: `"${g.name}" again` });
      return;
    }
    if (
      g.model.type === "izhikevich" &&
      g.model.preset === undefined &&
      [g.model.a, g.model.b, g.model.c, g.model.d].some((v) => v === undefined)
    ) {
      issues.push({
        path: `$.groups[${i}].model`,
        expected: "a preset (RS, IB, CH, FS, LTS, TC, RZ) or all of a, b, c, d",
        found: "neither",
      });
      return;
    }
    if (g.model.type === "spike-generator" && g.model.indices.length !== g.model.timesMs.length) {
      issues.push({
        path: `$.groups[${i}].model.timesMs`,
        expected: `one time per index (${g.model.indices.length})`,
        found: `${g.model.timesMs.length} times`,
      });
      return;
    }
    try {
      const rng = root.fork(`group:${g.name}`);
      const group = createGroup(g.name, g.size, g.model, s.dtMs, s.precision, rng);
      for (const [variable, value] of Object.entries(g.initial)) {
        const arr = stateVariable(group, variable);
        if (arr === undefined) {
          issues.push({
            path: `$.groups[${i}].initial.${variable}`,
            expected: `a state variable of this model (${Object.keys(group.state).join(", ")})`,
            found: `"${variable}"`,
          });
        } else fillInitial(arr, value, rng.fork(`initial:${variable}`));
      }
      byName.set(g.name, group);
      failed.delete(g.name);
      groups.push(group);
    } catch (e) {
      if (!isUserError(e)) throw e;
      issues.push({ path: `$.groups[${i}].model`, expected: "a valid model", found: found(e) });
    }
  });
  const groupRef = (name: string, path: string): NeuronGroup | undefined => {
    const g = byName.get(name);
    if (g === undefined && !failed.has(name))
      issues.push({ path, expected: `a group name (${[...byName.keys()].join(", ")})`, found: `"${name}"` });
    return g;
  };

  const synapses: Synapses[] = [];
  const plastic: BuiltNetwork["plastic"] = [];
  s.synapses.forEach((c, i) => {
    const source = groupRef(c.source, `$.synapses[${i}].source`);
    const target = groupRef(c.target, `$.synapses[${i}].target`);
    if (source === undefined || target === undefined) return;
    if (stateVariable(target, c.targetVar) === undefined) {
      issues.push({
        path: `$.synapses[${i}].targetVar`,
        expected: `a variable of group ${target.name} (${Object.keys(target.state).join(", ")})`,
        found: `"${c.targetVar}"`,
      });
      return;
    }
    if (c.sourceRange !== undefined && !(c.sourceRange[0] <= c.sourceRange[1] && c.sourceRange[1] <= source.size)) {
      issues.push({
        path: `$.synapses[${i}].sourceRange`,
        expected: `[lo, hi] with 0 ≤ lo ≤ hi ≤ ${source.size}`,
        found: JSON.stringify(c.sourceRange),
      });
      return;
    }
    try {
      const syn = new Synapses({
        ...(c.name !== undefined ? { name: c.name } : {}),
        source,
        target,
        targetVar: c.targetVar,
        connect: c.connect,
        weight: c.weight,
        delaySteps: Math.round(c.delayMs / s.dtMs),
        ...(c.sourceRange !== undefined ? { preRange: c.sourceRange } : {}),
        rng: root.fork(`synapses:${i}`),
      });
      synapses.push(syn);
      if (c.plasticity !== undefined)
        plastic.push({ name: syn.name, synapses: syn, rule: createPlasticity(c.plasticity, syn, s.dtMs) });
    } catch (e) {
      if (!isUserError(e) && !(e instanceof RangeError)) throw e;
      issues.push({ path: `$.synapses[${i}]`, expected: "a valid synapse population", found: found(e) });
    }
  });

  const currents: CurrentInput[] = [];
  s.currents.forEach((c, i) => {
    const target = groupRef(c.target, `$.currents[${i}].target`);
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
    const g = groupRef(name, `$.monitors.spikes[${i}]`);
    if (g === undefined) return;
    const sink = sinks.spikes?.(g, spikeMonitors.length);
    spikeMonitors.push(new SpikeMonitor(g, s.dtMs, sink !== undefined ? { sink } : {}));
    rateMonitors.push(new PopulationRateMonitor(g, s.dtMs));
  });
  const stateMonitors: { group: string; monitor: StateMonitor }[] = [];
  s.monitors.state.forEach((m, i) => {
    const g = groupRef(m.group, `$.monitors.state[${i}].group`);
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
