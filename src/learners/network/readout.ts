/**
 * The `network` learner's readouts, from the spike counts of one group during
 * a sample's presentation:
 *
 *   assignment  no trained weights (Diehl & Cook 2015): each neuron is
 *               labelled with the class it responds to most over the epoch's
 *               training samples (LabelAssigner), a sample gets the class
 *               whose neurons respond most ("all") or whose neurons'
 *               responses, weighted by their share of responses to it, sum
 *               highest ("proportion");
 *   linear      a softmax layer trained by gradient descent on the spike
 *               rates (units of 100 Hz), one batch at a time (the liquid-state
 *               learner's readout, Maass et al. 2002).
 */
import { Dense } from "../../ann/dense.js";
import type { Param } from "../../ann/layer.js";
import { computeLoss, softmaxCrossEntropy } from "../../ann/loss.js";
import { createOptimizer, type Optimizer } from "../../ann/optimizer.js";
import type { Rng } from "../../core/rng.js";
import { LabelAssigner, type Voting } from "../diehl-cook/assignment.js";
import type { ReadoutConfig } from "./schema.js";

/** Assignment readout: labels neurons by their responses during training, votes at test. */
export class AssignmentReadout {
  readonly kind = "assignment";
  readonly assigner: LabelAssigner;
  private phase: "train" | "eval" = "eval";

  constructor(neurons: number, classes: number, window: number, voting: Voting) {
    this.assigner = new LabelAssigner(neurons, classes, window, voting);
  }

  /** A training batch starts: a new epoch's labels are collected from scratch. */
  startTraining(): void {
    if (this.phase === "eval") {
      this.assigner.clear();
      this.phase = "train";
    }
  }

  /** Evaluation starts: the labels collected in training are assigned. */
  startEvaluation(): void {
    if (this.phase === "train") {
      this.assigner.assign();
      this.phase = "eval";
    }
  }

  predict(counts: Int32Array): number {
    return this.assigner.predict(counts);
  }

  /** The loss proxy: the share of the sample's spikes fired by neurons not assigned to its label. */
  loss(counts: Int32Array, label: number): number {
    return this.assigner.offLabelFraction(counts, label);
  }

  /** Records a training sample's response (labels are reassigned at the end of each batch). */
  record(counts: Int32Array, label: number): void {
    this.assigner.record(counts, label);
  }

  endBatch(): void {
    this.assigner.assign();
  }
}

/** Linear softmax readout on spike rates, trained per batch with its own optimiser. */
export class LinearReadout {
  readonly kind = "linear";
  readonly layer: Dense;
  readonly features: Float32Array;
  readonly neurons: number;
  readonly classes: number;
  private readonly dLogits: Float32Array;
  private readonly optimizer: Optimizer;
  /** counts → rate in units of 100 Hz: 1000 / (presentation ms) / 100. */
  private readonly toRate: number;

  constructor(
    neurons: number,
    classes: number,
    maxBatch: number,
    config: Extract<ReadoutConfig, { type: "linear" }>,
    presentationSteps: number,
    dtMs: number,
    rng: Rng,
  ) {
    this.neurons = neurons;
    this.classes = classes;
    this.features = new Float32Array(maxBatch * neurons);
    this.layer = new Dense(neurons, classes, maxBatch, rng);
    this.dLogits = new Float32Array(maxBatch * classes);
    this.optimizer = createOptimizer(config.optimizer);
    this.toRate = 1000 / (presentationSteps * dtMs) / 100;
  }

  /** Writes one sample's spike rates into row `row` of the feature batch. */
  setFeatures(row: number, counts: Int32Array): void {
    const H = this.neurons;
    const toRate = this.toRate;
    for (let i = 0; i < H; i++) this.features[row * H + i] = counts[i]! * toRate;
  }

  /** The class with the highest logit for feature row `row` under the current weights (no layer state touched). */
  predictRow(row: number): number {
    const H = this.neurons;
    const C = this.classes;
    const w = this.layer.weight.value;
    const b = this.layer.bias.value;
    let best = 0;
    let bestLogit = -Infinity;
    for (let c = 0; c < C; c++) {
      let z = b[c]!;
      for (let i = 0; i < H; i++) {
        const f = this.features[row * H + i]!;
        if (f !== 0) z += f * w[i * C + c]!;
      }
      if (z > bestLogit) {
        bestLogit = z;
        best = c;
      }
    }
    return best;
  }

  /** One gradient step on the batch's features; returns the batch's loss and correct count (before the step). */
  train(y: Int32Array, batch: number): { loss: number; correct: number } {
    const logits = this.layer.forward(this.features, batch);
    const r = softmaxCrossEntropy(logits, y, 0, batch, this.classes, this.dLogits);
    this.layer.backward(this.dLogits, batch);
    this.optimizer.step(this.layer.params());
    return r;
  }

  /** Scores a chunk of `n` feature rows against labels y[start ..]; writes predictions when given. */
  evaluate(
    y: Int32Array,
    start: number,
    n: number,
    predictions: Int32Array | undefined,
  ): { loss: number; correct: number } {
    const logits = this.layer.forward(this.features, n);
    const C = this.classes;
    const r = computeLoss("softmax-cross-entropy", logits, y, start, n, C, null);
    if (predictions !== undefined) {
      for (let b = 0; b < n; b++) {
        let arg = 0;
        for (let j = 1; j < C; j++) if (logits[b * C + j]! > logits[b * C + arg]!) arg = j;
        predictions[start + b] = arg;
      }
    }
    return { loss: r.loss * n, correct: r.correct };
  }

  params(): readonly Param[] {
    return this.layer.params();
  }
}

export type Readout = AssignmentReadout | LinearReadout;
