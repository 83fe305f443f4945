/**
 * The one interface behind which an artificial network and a spiking network
 * both sit, so the runner never asks which kind of model it drives
 * (micrograd's Module and convnetjs's layers keep theirs as small).
 *
 * Inputs arrive as flat batches (sample i at x[i·inputSize ..]), labels as
 * class indices. Buffers belong to the caller and are valid only during the call.
 */
import type { Param } from "../ann/layer.js";
import type { PruneRequest, PruneResult } from "../plasticity/pruning/types.js";

export interface BatchResult {
  /** Mean loss over the batch (the learner's own training loss). */
  loss: number;
  /** Number of samples whose predicted class equals the label. */
  correct: number;
}

/** Per-epoch figures a learner reports beside accuracy: costs and plasticity. */
export type LearnerStats = Record<string, number>;

/** Each hidden unit's input weights as an image (Diehl & Cook receptive fields). */
export interface ReceptiveFields {
  width: number;
  height: number;
  count: number;
  /** count × height × width weights, row-major per unit. */
  data: Float32Array;
}

export interface Learner {
  /** The learner's label in results (unique within a scenario). */
  readonly name: string;
  /** The learner type as a scenario names it ("mlp", "lsm", ...). */
  readonly type: string;
  /** Largest batch `trainBatch` and `evaluate` accept (buffers sized for it). */
  readonly maxBatch: number;
  /** Learns from one batch; returns the training loss and correct count. */
  trainBatch(x: Float32Array, y: Int32Array, batch: number): BatchResult;
  /** Scores one batch without learning; writes predicted classes into `predictions` when given. */
  evaluate(x: Float32Array, y: Int32Array, batch: number, predictions?: Int32Array): BatchResult;
  /**
   * Costs and plasticity statistics accumulated since the previous call
   * (for example `spikesPerSample`, `meanWeight`); the counters then restart.
   */
  collectStats(): LearnerStats;
  /** The trainable or plastic parameters (for weight statistics and pruning). */
  params(): readonly Param[];
  /** Optional: input weights of each hidden unit as images, drawn as a grid in the report. */
  receptiveFields?(): ReceptiveFields;
  /**
   * Optional: removes synapses (weights) as the request says, between epochs;
   * pruned weights stay removed through later training.
   */
  prune?(request: PruneRequest): PruneResult;
}
