/**
 * The one interface behind which an artificial network and a spiking network
 * both sit, so the runner never asks which kind of model it drives
 * (micrograd's Module and convnetjs's layers keep theirs as small).
 *
 * Inputs arrive as flat batches (sample i at x[i·inputSize ..]), labels as
 * class indices. Buffers belong to the caller and are valid only during the call.
 */
import type { Param } from "../ann/layer.js";
import type { InferenceCosts } from "../metrics/costs.js";
import type { Rng } from "../core/rng.js";
export type { InferenceCosts };
import type { StructuralPlasticity } from "../plasticity/pruning/structural.js";

/** What one batch of training or evaluation gave. */
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

/**
 * What the runner sees of every learner, artificial or spiking: train on a batch, evaluate a batch, report costs
 * and plasticity figures. The runner never asks which kind it is.
 *
 * ```ts
 * const task = createTask({ type: "moons" }, rng.fork("task"));
 * const mlp = createLearner({ type: "mlp", hidden: [16] }, task.shape, rng.fork("learner:mlp"));
 * const r = mlp.trainBatch(x, y, 32);
 * ```
 */
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
   * Optional: the learner's synapses as something that can be pruned and
   * grown while it learns (the `pruning` config block; plasticity/pruning/structural.ts).
   */
  structure?(): StructuralPlasticity;
  /**
   * Optional: runs inference on `batch` samples (no learning, no change of
   * state that outlives the call) and returns the costs per sample.
   */
  measureCosts?(x: Float32Array, batch: number): InferenceCosts;
  /**
   * Optional: silences a random `fraction` of the hidden neurons (units): they
   * no longer affect anything downstream. Returns a function that undoes it.
   */
  silenceUnits?(fraction: number, rng: Rng): () => void;
  /**
   * Optional: every synaptic weight array, fixed or learned, for lesion
   * studies and connection sparsity, when `params()` holds only the trained
   * ones (a liquid-state pool's random synapses are fixed, yet synapses).
   * Without it, the weights among `params()` (those marked `decay`) are used.
   */
  synapticWeights?(): Float32Array[];
  /**
   * Optional, with `synapticWeights` when it holds fixed weights too: the
   * weights learning changes (plastic synapses, a trained readout), for the
   * weight histogram, so that a network written with fixed inhibitory
   * synapses shows the same distribution as a learner that keeps its
   * inhibition implicit. Without it, `synapticWeights` (or the `decay` params).
   */
  learnedWeights?(): Float32Array[];
  /**
   * Optional, with `synapticWeights` when some of them are stored sparsely
   * (CSR): how many synapses the connectivity could hold (nPre·nPost per
   * population), so connection sparsity counts the absent ones as zeros.
   */
  possibleSynapses?(): number;
  /**
   * Optional: removes a random `fraction` of the live synapses and returns the
   * undo; needed only when removing them from `synapticWeights()` would not
   * reach what `evaluate` uses (for example averaged weights).
   */
  lesionSynapses?(fraction: number, rng: Rng): () => void;
  /**
   * Optional, for learners whose `evaluate` draws random numbers or changes
   * state (spiking learners): saves that state; the returned function puts it
   * back, so evaluations made after it see the same noise as without them.
   */
  saveState?(): () => void;
  /** Optional (spiking learners): each spiking neuron's mean firing rate over the most recent `evaluate` call, in Hz. */
  neuronRatesHz?(): Float32Array;
}
