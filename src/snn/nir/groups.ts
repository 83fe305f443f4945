/**
 * NIR's neuron primitives as neuron groups of the network engine: equation
 * models (snn/equations) integrated with forward Euler, every parameter a
 * per-neuron constant, times in ms. Input reaches them through synapses, as
 * jumps: a spike through NIR weight w acts as NIR's input current w held for
 * one step, so the synapse adds w·scale to the input variable, with
 *
 *   LIF, LI          v += w·r·dt/τ          (τ dv/dt = v_leak − v + r·I over one step)
 *   CubaLIF, CubaLI  I += w·w_in·dt/τ_syn   (τ_syn dI/dt = −I + w_in·S)
 *   IF, I            v += w·r               (charge per step, as the NIR executor)
 *
 * and `bias` (the bias of NIR's Affine node) as a constant current.
 *
 * One difference from NIR's executors (snn/nir/executor.ts) remains, the
 * engine's schedule (Brian2's): a spike emitted in a step reaches its target
 * after the target has integrated that step, so each synaptic layer adds one
 * step of latency, where PyTorch-based simulators pass spikes on in the same
 * step.
 */
import { UserError } from "../../core/errors.js";
import type { Precision } from "../group.js";
import { EquationGroup } from "../equations/equation-group.js";

export type NirNeuronKind = "LIF" | "CubaLIF" | "LI" | "CubaLI" | "IF" | "I";

/** Per-neuron parameters by NIR name (tau, tau_syn, tau_mem in ms), one value or one per neuron. */
export type NirNeuronParams = Readonly<Record<string, number | readonly number[]>>;

const PARAMS: Readonly<Record<NirNeuronKind, readonly string[]>> = {
  LIF: ["tau", "r", "v_leak", "v_threshold", "v_reset", "bias"],
  CubaLIF: ["tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in", "bias"],
  LI: ["tau", "r", "v_leak", "bias"],
  CubaLI: ["tau_syn", "tau_mem", "r", "v_leak", "w_in", "bias"],
  IF: ["r", "v_threshold", "v_reset", "bias"],
  I: ["r", "bias"],
};

const EQUATIONS: Readonly<Record<NirNeuronKind, string>> = {
  LIF: "dv/dt = (v_leak - v + r*bias)/tau",
  LI: "dv/dt = (v_leak - v + r*bias)/tau",
  CubaLIF: "dI/dt = (w_in*bias - I)/tau_syn\ndv/dt = (v_leak - v + r*I)/tau_mem",
  CubaLI: "dI/dt = (w_in*bias - I)/tau_syn\ndv/dt = (v_leak - v + r*I)/tau_mem",
  IF: "dv/dt = r*bias/dt",
  I: "dv/dt = r*bias/dt",
};

/** The variable synapses into a group of this kind add to. */
export function nirInputVariable(kind: NirNeuronKind): "v" | "I" {
  return kind === "CubaLIF" || kind === "CubaLI" ? "I" : "v";
}

/** The parameter names of a kind. */
export function nirParameterNames(kind: NirNeuronKind): readonly string[] {
  return PARAMS[kind];
}

function valueAt(p: number | readonly number[] | undefined, i: number): number {
  if (p === undefined) return Number.NaN;
  return typeof p === "number" ? p : p[i]!;
}

/** What a synapse into neuron `i` adds per unit of NIR weight (see the header). */
export function nirJumpScale(kind: NirNeuronKind, params: NirNeuronParams, i: number, dtMs: number): number {
  const at = (k: string) => valueAt(params[k], i);
  switch (kind) {
    case "LIF":
    case "LI":
      return (at("r") * dtMs) / at("tau");
    case "CubaLIF":
    case "CubaLI":
      return (at("w_in") * dtMs) / at("tau_syn");
    default:
      return at("r");
  }
}

/** A group of `size` neurons of one NIR kind. */
export function nirNeuronGroup(
  name: string,
  size: number,
  kind: NirNeuronKind,
  params: NirNeuronParams,
  dtMs: number,
  precision: Precision,
): EquationGroup {
  const names = PARAMS[kind];
  const spiking = kind === "LIF" || kind === "CubaLIF" || kind === "IF";
  const g = new EquationGroup(
    name,
    size,
    {
      equations: [EQUATIONS[kind], ...names.map((n) => `${n} : 1 (constant)`)].join("\n"),
      parameters: {},
      threshold: spiking ? "v > v_threshold" : "false",
      reset: spiking ? "v = v_reset" : "",
      method: "euler",
    },
    dtMs,
    { precision },
  );
  for (const n of names) {
    const p = params[n];
    const arr = g.state[n]!;
    if (typeof p === "number") arr.fill(p);
    else if (p !== undefined) {
      if (p.length !== size) {
        throw new UserError(
          "E_CONFIG_INVALID",
          `neuron group "${name}": ${n} has ${p.length} values for ${size} neurons`,
        );
      }
      arr.set(p);
    }
  }
  return g;
}
