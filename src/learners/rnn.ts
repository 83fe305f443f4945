/**
 * The recurrent learner: one recurrent layer (simple RNN, LSTM or GRU) read
 * many-to-one, then a dense read-out to the classes with softmax
 * cross-entropy, trained by backpropagation through time on mini-batches.
 * It needs a sequence task (TaskShape.sequence).
 */
import { z } from "zod";
import { SequentialLearner } from "./sequential-learner.js";
import { Dense } from "../ann/dense.js";
import { createOptimizer, type Optimizer } from "../ann/optimizer.js";
import { Recurrent } from "../ann/recurrent.js";
import { Sequential } from "../ann/sequential.js";
import { UserError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import type { TaskShape } from "../tasks/task.js";
import { optimizerSchema } from "./common-schema.js";
import type { InferenceCosts, LearnerStats } from "./learner.js";
import { CostCounter, effectiveRowOps, nonZeroPerRow, paramBytes } from "../metrics/costs.js";
import { WeightPatch, chooseUnits } from "./silence.js";

export const rnnConfigSchema = z.strictObject({
  type: z.literal("rnn"),
  name: z.string().min(1).optional().describe("label in results; defaults to the type"),
  cell: z
    .enum(["lstm", "gru", "rnn"])
    .default("lstm")
    .describe("recurrent cell: LSTM, GRU (PyTorch variant) or simple tanh RNN"),
  hidden: z.int().min(1).max(4096).default(64).describe("hidden units of the recurrent layer"),
  init: z
    .enum(["pytorch", "keras"])
    .default("pytorch")
    .describe(
      "pytorch (default, as torch.nn.LSTM/GRU/RNN and nn.Linear): every weight and bias U(±1/√fan-in), fan-in = hidden in the cell, two biases per gate; keras: Glorot-uniform input weights, orthogonal recurrent weights, zero biases (LSTM forget gate 1), Glorot read-out",
    ),
  optimizer: optimizerSchema.default({ type: "adam", learningRate: 0.002, clipNorm: 5 }),
  batchSize: z.int().min(1).max(4096).default(32),
});
export type RnnConfig = z.infer<typeof rnnConfigSchema>;

export class RnnLearner extends SequentialLearner {
  readonly name: string;
  readonly type = "rnn";
  readonly maxBatch: number;
  readonly net: Sequential;
  readonly recurrent: Recurrent;
  protected readonly optimizer: Optimizer;

  constructor(config: RnnConfig, shape: TaskShape, rng: Rng) {
    super();
    this.name = config.name ?? "rnn";
    const seq = shape.sequence;
    if (seq === undefined) {
      throw new UserError(
        "E_CONFIG_INVALID",
        `learner "${this.name}" (type "rnn") needs a sequence task (steps × features per sample, such as "mnist-rows" or "cue-recall"), but the task gives flat inputs of ${shape.inputSize} values`,
      );
    }
    if (seq.steps * seq.features !== shape.inputSize) {
      throw new Error(`task shape: sequence ${seq.steps}×${seq.features} does not match inputSize ${shape.inputSize}`);
    }
    this.maxBatch = config.batchSize;
    this.recurrent = new Recurrent(
      {
        cell: config.cell,
        steps: seq.steps,
        features: seq.features,
        hidden: config.hidden,
        maxBatch: this.maxBatch,
        output: "last",
        inputGradient: false,
        init: config.init,
      },
      rng.fork(config.cell),
    );
    const readout = new Dense(
      config.hidden,
      shape.classes,
      this.maxBatch,
      rng.fork("output"),
      config.init === "pytorch" ? "pytorch" : "glorot-uniform",
    );
    this.net = new Sequential([this.recurrent, readout], "softmax-cross-entropy", this.maxBatch);
    this.optimizer = createOptimizer(config.optimizer);
  }

  collectStats(): LearnerStats {
    const stats = this.weightStats();
    const readoutMacs = this.net.layers[1]!.inSize * this.net.layers[1]!.outSize;
    return { ...stats, denseOpsPerSample: this.recurrent.macsPerSample() + readoutMacs };
  }

  /**
   * Inference costs (src/metrics/costs.ts), counted step by step: x_t·W_x
   * and h_{t-1}·W_h (h_0 = 0 adds no effective MAC) for every step, then
   * h_T·W_out. Activations: the hidden states h_1..h_T. Footprint: parameters
   * plus one sample's carried state (h, and c for the LSTM).
   */
  override measureCosts(x: Float32Array, batch: number): InferenceCosts {
    const counter = new CostCounter();
    const rec = this.recurrent;
    const cell = rec.cell;
    const T = rec.steps;
    const F = rec.features;
    const H = rec.hidden;
    const G = cell.gateSize;
    const w = cell.params()[0]!.value; // fused [W_x; W_h]
    const readout = this.readout();
    const classes = readout.outSize;
    const nnzX = nonZeroPerRow(w, F, G);
    const nnzH = nonZeroPerRow(w, H, G, F * G);
    const nnzOut = nonZeroPerRow(readout.weight.value, H, classes);
    counter.denseOps = batch * (rec.macsPerSample() + H * classes);
    const xs = cell.input;
    for (let start = 0; start < batch; start += this.maxBatch) {
      const n = Math.min(this.maxBatch, batch - start);
      // Time-major, as Recurrent.forward lays it out: xs[t][b][f].
      for (let b = 0; b < n; b++) {
        for (let t = 0; t < T; t++) {
          const src = ((start + b) * T + t) * F;
          const dst = (t * n + b) * F;
          for (let k = 0; k < F; k++) xs[dst + k] = x[src + k]!;
        }
      }
      const hs = cell.forward(xs, T, n); // [(T + 1) × n × H], hs[0] = 0
      counter.effectiveMacs +=
        effectiveRowOps(xs, T * n, F, nnzX) +
        effectiveRowOps(hs, T * n, H, nnzH) +
        effectiveRowOps(hs, n, H, nnzOut, T * n * H);
      counter.addActivations(hs.subarray(n * H), T * n * H);
    }
    const stateBytes = 4 * H * (cell.kind === "lstm" ? 2 : 1);
    return counter.finish(batch, paramBytes(this.net.params()) + stateBytes);
  }

  /**
   * Silences a random share of the hidden units: their rows of W_h (every
   * gate) and of the read-out are zeroed, so h_j feeds neither the recurrence
   * nor the classes.
   */
  override silenceUnits(fraction: number, rng: Rng): () => void {
    const patch = new WeightPatch();
    const cell = this.recurrent.cell;
    const F = this.recurrent.features;
    const G = cell.gateSize;
    const w = cell.params()[0]!.value;
    const readout = this.readout();
    for (const u of chooseUnits(this.recurrent.hidden, fraction, rng)) {
      patch.zero(w, (F + u) * G, G);
      patch.zero(readout.weight.value, u * readout.outSize, readout.outSize);
    }
    return () => patch.undo();
  }

  private readout(): Dense {
    const l = this.net.layers[1];
    if (!(l instanceof Dense)) throw new Error("rnn learner: the read-out is not a Dense layer");
    return l;
  }
}
