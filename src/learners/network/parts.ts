/**
 * The parts of a `network` learner that its pruning (./structure.ts) and its
 * cost measurement (./costs.ts) work on, apart from the learner class itself
 * so that neither imports it: the gate that runs plasticity while learning,
 * the synapse populations by name, and the view of the learner they need.
 */
import type { ActivityCriterion } from "../../plasticity/pruning/activity-criterion.js";
import type { CsrColumnNormalizer } from "../../plasticity/normalization.js";
import type { PlasticityRule } from "../../plasticity/rule.js";
import type { NeuronGroup } from "../../snn/group.js";
import type { Monitor, SpikeMonitor } from "../../snn/monitors.js";
import type { Network } from "../../snn/network.js";
import type { Synapses } from "../../snn/synapses/synapses.js";
import type { InputStage } from "./input-stage.js";
import type { Readout } from "./readout.js";
import type { NetworkLearnerConfig } from "./schema.js";

/** Runs the plasticity rules and pruning criteria at the end of each step while `learning` is on. */
export class LearningGate implements Monitor {
  readonly when = "end" as const;
  learning = false;
  readonly rules: PlasticityRule[];
  readonly criteria: ActivityCriterion[] = [];

  constructor(rules: PlasticityRule[]) {
    this.rules = rules;
  }

  record(step: number): void {
    if (!this.learning) return;
    const rules = this.rules;
    for (let k = 0; k < rules.length; k++) rules[k]!.update(step);
    const criteria = this.criteria;
    for (let k = 0; k < criteria.length; k++) criteria[k]!.record(step);
  }

  reserve(_steps: number): void {}
}

/** One synapse population of the learner, by name, with its rule and normaliser. */
export interface LearnerSynapses {
  name: string;
  synapses: Synapses;
  rule: PlasticityRule | null;
  normalizer: CsrColumnNormalizer | null;
  /**
   * Whether a neuron may hold a synapse onto itself: false only for a
   * recurrent population (source = target) connected with `allowSelf: false`
   * or made by direct lateral inhibition. Pruning counts the possible
   * positions and growth draws new synapses by it.
   */
  selfPairs: boolean;
}

/** What pruning and cost measurement see of a `network` learner. */
export interface NetworkLearnerParts {
  readonly name: string;
  readonly config: NetworkLearnerConfig;
  readonly network: Network;
  readonly input: InputStage;
  readonly hidden: readonly NeuronGroup[];
  readonly synapses: readonly LearnerSynapses[];
  readonly gate: LearningGate;
  readonly readout: Readout;
  readonly counts: Int32Array;
  readonly monitors: readonly SpikeMonitor[];
  readonly inputSize: number;
  readonly costSeeds: Uint32Array;
  synapsesNamed(name: string): LearnerSynapses | undefined;
  saveState(): () => void;
  resetState(): void;
  evaluatePresentation(x: Float32Array, offset: number): void;
}
