/**
 * The multilayer perceptron learner: Dense layers with an activation between
 * them, a softmax cross-entropy (or MSE) loss, mini-batch gradient descent.
 */
import { z } from "zod";
import { SequentialLearner } from "./sequential-learner.js";
import { Activation } from "../ann/activation.js";
import { Conv2D } from "../ann/conv2d.js";
import { Dense } from "../ann/dense.js";
import { initNames } from "../ann/init.js";
import type { Layer, Param } from "../ann/layer.js";
import { createOptimizer, type Optimizer } from "../ann/optimizer.js";
import { Sequential } from "../ann/sequential.js";
import type { Rng } from "../core/rng.js";
import type { TaskShape } from "../tasks/task.js";
import { effectiveOps } from "../plasticity/pruning/effective-ops.js";
import { maskCounts } from "../plasticity/pruning/mask-pruning.js";
import type { PruneRequest, PruneResult } from "../plasticity/pruning/types.js";
import { pruningConfigSchema } from "../plasticity/pruning/config.js";
import { maskStructure, type StructuralPlasticity } from "../plasticity/pruning/structural.js";
import type { LearnerStats } from "./learner.js";
import { optimizerSchema } from "./common-schema.js";

export const mlpConfigSchema = z.strictObject({
  type: z.literal("mlp"),
  name: z.string().min(1).optional().describe("label in results; defaults to the type"),
  hidden: z.array(z.int().min(1)).default([16]).describe("units per hidden layer"),
  activation: z.enum(["sigmoid", "tanh", "relu", "leaky-relu"]).default("relu"),
  loss: z.enum(["softmax-cross-entropy", "mse"]).default("softmax-cross-entropy"),
  init: z
    .enum(initNames)
    .default("pytorch")
    .describe(
      "pytorch (default, as torch.nn.Linear): weights and biases U(±1/√fan-in); glorot-* or he-*: those weights for the hidden layers, a Glorot-uniform output layer, zero biases",
    ),
  optimizer: optimizerSchema.default({ type: "sgd", learningRate: 0.1 }),
  batchSize: z.int().min(1).max(4096).default(32),
  pruning: pruningConfigSchema
    .optional()
    .describe(
      'prune (and grow) the dense weights while learning: magnitude or random, by schedule or iterative rounds (lottery ticket with rewind "init")',
    ),
});
export type MlpConfig = z.infer<typeof mlpConfigSchema>;

export class MlpLearner extends SequentialLearner {
  readonly name: string;
  readonly type = "mlp";
  readonly maxBatch: number;
  readonly net: Sequential;
  protected readonly optimizer: Optimizer;
  /** Draws of the random pruning control (a fork: drawing never shifts the initial weights). */
  private readonly pruneRng: Rng;

  constructor(config: MlpConfig, shape: TaskShape, rng: Rng) {
    super();
    this.name = config.name ?? "mlp";
    this.maxBatch = config.batchSize;
    const init = config.init;
    const layers: Layer[] = [];
    let size = shape.inputSize;
    config.hidden.forEach((units, i) => {
      // The first layer's input gradient has no consumer: skip it.
      layers.push(new Dense(size, units, this.maxBatch, rng.fork(`dense${i}`), init, { inputGrad: i > 0 }));
      layers.push(new Activation(config.activation, units, this.maxBatch));
      size = units;
    });
    layers.push(
      new Dense(size, shape.classes, this.maxBatch, rng.fork("output"), init === "pytorch" ? init : "glorot-uniform", {
        inputGrad: config.hidden.length > 0,
      }),
    );
    if (config.loss === "mse") layers.push(new Activation("sigmoid", shape.classes, this.maxBatch));
    this.net = new Sequential(layers, config.loss, this.maxBatch);
    this.optimizer = createOptimizer(config.optimizer);
    this.pruneRng = rng.fork("prune");
  }

  collectStats(): LearnerStats {
    const { remaining, total } = maskCounts(this.prunableWeights());
    return {
      ...this.weightStats(),
      denseOpsPerSample: denseOpsPerSample(this.net.layers),
      effectiveOpsPerSample: effectiveOps(this.net.layers),
      synapseCount: remaining,
      connectionDensity: total === 0 ? 0 : remaining / total,
    };
  }

  /** Prunes the Dense weight matrices (biases are never pruned) through masks the optimiser keeps at 0. */
  prune(request: PruneRequest): PruneResult {
    return this.structure().prune(request);
  }

  /** Masked pruning and growth of the Dense weights; the layers form a chain for the graph measures. */
  structure(): StructuralPlasticity {
    const dense = this.net.layers.filter((l): l is Dense => l instanceof Dense);
    return maskStructure({
      weights: dense.map((l) => l.weight),
      all: this.net.params(),
      shapes: dense.map((l) => [l.inSize, l.outSize] as const),
      rng: this.pruneRng,
      onRewind: () => this.optimizer.reset(),
    });
  }

  private prunableWeights(): Param[] {
    const out: Param[] = [];
    for (const l of this.net.layers) if (l instanceof Dense) out.push(l.weight);
    return out;
  }
}

/**
 * Multiply-accumulates per sample of the dense and convolution layers
 * (NeuroBench "dense" count: every possible operation, zero inputs included,
 * bias excluded).
 */
export function denseOpsPerSample(layers: readonly Layer[]): number {
  let ops = 0;
  for (const l of layers) {
    if (l instanceof Dense) ops += l.inSize * l.outSize;
    else if (l instanceof Conv2D) ops += l.macsPerSample();
  }
  return ops;
}
