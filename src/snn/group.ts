/**
 * The contract between neuron groups, synapses, inputs and monitors of the
 * clock-driven spiking engine. State is struct-of-arrays: one typed array per
 * state variable, indexed by neuron. Each step follows Brian2's schedule:
 *
 *   1. every group integrates its equations over dt (refractory neurons hold v),
 *   2. every group applies its threshold and records who spiked,
 *   3. synapses deliver this step's (and delayed) spikes into target variables,
 *   4. every group resets the neurons that spiked and starts their refractory period.
 *
 * Precision. A group keeps its state in Float64Array ("float64": state and
 * arithmetic in float64, as Brian2 keeps them; the default) or in
 * Float32Array ("float32": the opt-in fast mode, half the memory traffic,
 * and four SIMD lanes instead of two for the LIF kernel). Rounding the state
 * to float32 each step moves spike times: an Izhikevich neuron under forward
 * Euler at dt 0.1 ms drifts from the float64 spike train by several steps
 * within half a second for some presets.
 */

export type Precision = "float64" | "float32";

/** The precision of state and arithmetic when none is asked for. */
export const DEFAULT_PRECISION: Precision = "float64";

/** A state variable's values, one per neuron. */
export type StateArray = Float32Array | Float64Array;

/** A zeroed state array of the given precision. */
export function stateArray(precision: Precision, size: number): StateArray {
  return precision === "float32" ? new Float32Array(size) : new Float64Array(size);
}

/** What every neuron group, input and spike source provides to the engine: named state arrays and the four steps of Brian2's schedule. */
export interface NeuronGroup {
  readonly name: string;
  readonly size: number;
  /** The time step this group integrates with, ms (it must be its network's). */
  readonly dtMs: number;
  /** State variables by name ("v", "ge", "gi", "I", "w", ...). */
  readonly state: Readonly<Record<string, StateArray>>;
  /** Indices of neurons that spiked in the last step: spiked[0 .. spikeCount). */
  readonly spiked: Int32Array;
  readonly spikeCount: number;
  /** Steps 1 and 2: integrate over dt, then threshold; fills `spiked`. `step` counts from 0. */
  integrateAndThreshold(step: number): void;
  /** Step 4: reset the neurons in `spiked` and start their refractory period. */
  reset(step: number): void;
}

/**
 * The state array of `variable`, or undefined when the group has none. Own
 * keys only: a user's variable name such as `toString` or `constructor` must
 * not find what every JavaScript object inherits.
 */
export function stateVariable(group: Pick<NeuronGroup, "state">, variable: string): StateArray | undefined {
  return Object.hasOwn(group.state, variable) ? group.state[variable] : undefined;
}
