/**
 * What every synaptic plasticity rule shares. A rule watches one synapse
 * population (a CSR matrix from a spike source to a target group) and, once
 * per step after the spikes of that step were delivered with the old weights
 * (Brian2's order: `on_pre` adds w, then updates it), applies the updates of
 * this step's presynaptic spikes, then of its postsynaptic spikes. A pre and a
 * post spike in the same step therefore count as pre-before-post (Δt = 0
 * potentiates).
 *
 * A rule is also a `Monitor` recorded at the end of each step, so it plugs
 * into the engine's `Network` (network.addMonitor(rule)) with no change to the
 * schedule: at the end of a step every group's `spiked` list still holds that
 * step's spikes.
 */
import type { Monitor } from "../snn/monitors.js";
import type { SynapseMatrix } from "../snn/synapses/csr.js";

/** Anything with this step's spikes: neuron groups, Poisson groups, generators. */
export interface SpikeList {
  readonly size: number;
  readonly spiked: Int32Array;
  readonly spikeCount: number;
}

/** The synapse population a rule works on (the engine's `Synapses` fits). */
export interface PlasticPathway {
  readonly matrix: SynapseMatrix;
  readonly source: SpikeList;
  readonly target: SpikeList;
}

/** "additive": Δw independent of w, then clipped; "multiplicative": soft bounds (see pair-stdp.ts). */
export type StdpBound = "additive" | "multiplicative";
/** "all-to-all": every earlier spike pairs (traces add); "nearest": only the most recent one (traces reset to 1). */
export type StdpPairing = "all-to-all" | "nearest";

/** A synaptic plasticity rule on one synapse population; as a {@link Monitor} it plugs into a {@link Network}. */
export interface PlasticityRule extends Monitor {
  readonly rule: string;
  /** Applies the updates of this step's spikes (call once per step, after delivery). */
  update(step: number): void;
  /** Forgets all traces (and eligibilities); weights are kept. */
  resetTraces(): void;
  /**
   * Called after synapses were removed from or added to the matrix between
   * steps (pruning's compaction, regrowth): `origin[s]` is the index synapse
   * s had before, or -1 for a new synapse. The rule rebuilds its column
   * index and moves any per-synapse state with its synapse.
   */
  synapsesChanged(origin: Int32Array): void;
  /** Weight updates applied so far (synapse visits): a cost figure. */
  readonly updates: number;
}
