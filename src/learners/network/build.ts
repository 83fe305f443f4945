/**
 * A network description (./description.ts) -> the engine's groups, synapse
 * populations and plasticity rules. Shared by network scenarios
 * (src/scenario/build-network.ts, which adds currents and monitors) and the
 * `network` learner (./learner.ts, which adds an input stage and a readout).
 *
 * What the schema cannot check (names that must refer to groups, variables
 * that must exist, ranges within a group) is collected as issues, each at
 * its JSON path under `path` (for example `$.groups[2].model`), so the
 * caller reports them all at once before anything runs.
 *
 * Randomness: `root.fork("group:<name>")` per group (its initial values from
 * `.fork("initial:<variable>")`, a Poisson group's spikes from
 * `.fork("poisson")`) and `root.fork("synapses:<i>")` per synapse population.
 */
import { type Issue, isUserError } from "../../core/errors.js";
import type { Rng } from "../../core/rng.js";
import { createPlasticity } from "../../plasticity/index.js";
import type { PlasticityRule } from "../../plasticity/rule.js";
import { EquationGroup } from "../../snn/equations/equation-group.js";
import { type NeuronGroup, type Precision, type StateArray, stateVariable } from "../../snn/group.js";
import { PoissonGroup } from "../../snn/inputs/poisson.js";
import { SpikeGeneratorGroup } from "../../snn/inputs/spike-generator.js";
import { nirNeuronGroup, type NirNeuronKind, type NirNeuronParams } from "../../snn/nir/groups.js";
import { AdexGroup } from "../../snn/neurons/adex.js";
import { ConductanceLifGroup } from "../../snn/neurons/conductance-lif.js";
import { HodgkinHuxleyGroup } from "../../snn/neurons/hodgkin-huxley.js";
import { IzhikevichGroup } from "../../snn/neurons/izhikevich.js";
import { LifGroup } from "../../snn/neurons/lif.js";
import type { SpikeSource } from "../../snn/synapses/synapses.js";
import { Synapses } from "../../snn/synapses/synapses.js";
import type { GroupConfig, InitialValue, NeuronModelConfig, SynapsesDescription } from "./description.js";

/** The network models that are NIR primitives. */
export type NirModelConfig = Extract<NeuronModelConfig, { type: `nir-${string}` }>;

/** Builds one neuron group or spike source of a model config. */
export function createGroup(
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

/** Fills a state array with an initial value: a constant, or a uniform or normal draw per neuron. */
export function fillInitial(arr: StateArray, value: InitialValue, rng: Rng): void {
  if (typeof value === "number") arr.fill(value);
  else if ("uniform" in value) rng.fillUniform(arr, value.uniform[0], value.uniform[1]);
  else rng.fillNormal(arr, value.normal[0], value.normal[1]);
}

const found = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** What the builders need besides the description. */
export interface BuildContext {
  dtMs: number;
  precision: Precision;
  /** The network's stream; forked per group and per synapse population. */
  root: Rng;
  /** Where problems go, each at its JSON path. */
  issues: Issue[];
  /** The JSON path of the description's object, e.g. "$" or "$.learners[1]". */
  path: string;
}

/** Groups by name, and the names of groups that were written but failed to build (no further errors about them). */
export interface GroupTable {
  byName: Map<string, NeuronGroup>;
  failed: Set<string>;
}

/** Builds each group of the description (with its initial values); problems go to `ctx.issues`. */
export function buildGroups(configs: readonly GroupConfig[], ctx: BuildContext, table: GroupTable): NeuronGroup[] {
  const { byName, failed } = table;
  const groups: NeuronGroup[] = [];
  configs.forEach((g, i) => {
    const at = `${ctx.path}.groups[${i}]`;
    failed.add(g.name);
    if (byName.has(g.name)) {
      ctx.issues.push({ path: `${at}.name`, expected: "a group name used once", found: `"${g.name}" again` });
      return;
    }
    if (
      g.model.type === "izhikevich" &&
      g.model.preset === undefined &&
      [g.model.a, g.model.b, g.model.c, g.model.d].some((v) => v === undefined)
    ) {
      ctx.issues.push({
        path: `${at}.model`,
        expected: "a preset (RS, IB, CH, FS, LTS, TC, RZ) or all of a, b, c, d",
        found: "neither",
      });
      return;
    }
    if (g.model.type === "spike-generator" && g.model.indices.length !== g.model.timesMs.length) {
      ctx.issues.push({
        path: `${at}.model.timesMs`,
        expected: `one time per index (${g.model.indices.length})`,
        found: `${g.model.timesMs.length} times`,
      });
      return;
    }
    try {
      const rng = ctx.root.fork(`group:${g.name}`);
      const group = createGroup(g.name, g.size, g.model, ctx.dtMs, ctx.precision, rng);
      for (const [variable, value] of Object.entries(g.initial)) {
        const arr = stateVariable(group, variable);
        if (arr === undefined) {
          ctx.issues.push({
            path: `${at}.initial.${variable}`,
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
      ctx.issues.push({ path: `${at}.model`, expected: "a valid model", found: found(e) });
    }
  });
  return groups;
}

/** Looks a group up by name; an unknown name (not one that failed to build) is an issue at `path`. */
export function groupRef(table: GroupTable, name: string, path: string, issues: Issue[]): NeuronGroup | undefined {
  const g = table.byName.get(name);
  if (g === undefined && !table.failed.has(name))
    issues.push({ path, expected: `a group name (${[...table.byName.keys()].join(", ")})`, found: `"${name}"` });
  return g;
}

/** One built synapse population, with its plasticity rule when it has one. */
export interface BuiltSynapses {
  /** Its index in the description's `synapses`. */
  index: number;
  synapses: Synapses;
  rule: PlasticityRule | null;
}

/**
 * Builds each synapse population of the description between groups of
 * `table` (a learner puts its input stage's group there too). Problems go to
 * `ctx.issues`.
 */
export function buildSynapses(
  configs: readonly SynapsesDescription[],
  ctx: BuildContext,
  table: GroupTable,
): BuiltSynapses[] {
  const built: BuiltSynapses[] = [];
  configs.forEach((c, i) => {
    const at = `${ctx.path}.synapses[${i}]`;
    const source: SpikeSource | undefined = groupRef(table, c.source, `${at}.source`, ctx.issues);
    const target = groupRef(table, c.target, `${at}.target`, ctx.issues);
    if (source === undefined || target === undefined) return;
    if (stateVariable(target, c.targetVar) === undefined) {
      ctx.issues.push({
        path: `${at}.targetVar`,
        expected: `a variable of group ${target.name} (${Object.keys(target.state).join(", ")})`,
        found: `"${c.targetVar}"`,
      });
      return;
    }
    if (c.sourceRange !== undefined && !(c.sourceRange[0] <= c.sourceRange[1] && c.sourceRange[1] <= source.size)) {
      ctx.issues.push({
        path: `${at}.sourceRange`,
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
        delaySteps: Math.round(c.delayMs / ctx.dtMs),
        ...(c.sourceRange !== undefined ? { preRange: c.sourceRange } : {}),
        rng: ctx.root.fork(`synapses:${i}`),
      });
      const rule = c.plasticity !== undefined ? createPlasticity(c.plasticity, syn, ctx.dtMs) : null;
      built.push({ index: i, synapses: syn, rule });
    } catch (e) {
      if (!isUserError(e) && !(e instanceof RangeError)) throw e;
      ctx.issues.push({ path: at, expected: "a valid synapse population", found: found(e) });
    }
  });
  return built;
}
