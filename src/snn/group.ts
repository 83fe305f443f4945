/**
 * The contract between neuron groups, synapses, inputs and monitors of the
 * clock-driven spiking engine. State is struct-of-arrays: one Float32Array per
 * state variable, indexed by neuron. Each step follows Brian2's schedule:
 *
 *   1. every group integrates its equations over dt (refractory neurons hold v),
 *   2. every group applies its threshold and records who spiked,
 *   3. synapses deliver this step's (and delayed) spikes into target variables,
 *   4. every group resets the neurons that spiked and starts their refractory period.
 */

export interface NeuronGroup {
  readonly name: string;
  readonly size: number;
  /** State variables by name ("v", "ge", "gi", "I", "w", ...). */
  readonly state: Readonly<Record<string, Float32Array>>;
  /** Indices of neurons that spiked in the last step: spiked[0 .. spikeCount). */
  readonly spiked: Int32Array;
  readonly spikeCount: number;
  /** Steps 1 and 2: integrate over dt, then threshold; fills `spiked`. `step` counts from 0. */
  integrateAndThreshold(step: number): void;
  /** Step 4: reset the neurons in `spiked` and start their refractory period. */
  reset(step: number): void;
}
