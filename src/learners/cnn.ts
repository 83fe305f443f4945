/**
 * The convolutional network learner: a layer list from the scenario
 * (convolutions with an activation, max/average pooling, flatten, dense
 * layers), a softmax cross-entropy (or MSE) loss, mini-batch SGD/Adam.
 *
 *   {"type": "cnn", "layers": [
 *     {"type": "conv", "filters": 8, "kernel": 5, "activation": "relu"},
 *     {"type": "maxpool", "size": 2},
 *     {"type": "conv", "filters": 16, "kernel": 5, "activation": "relu"},
 *     {"type": "maxpool", "size": 2},
 *     {"type": "dense", "units": 10}],
 *    "optimizer": {"type": "adam", "learningRate": 0.002}, "batchSize": 32}
 *
 * Images arrive channel-last (TaskShape.image); a dense layer after a
 * convolution or pooling layer reads the flat feature map. The last layer
 * must produce one value per class.
 */
import { z } from "zod";
import { SequentialLearner } from "./sequential-learner.js";
import { Activation } from "../ann/activation.js";
import { Conv2D } from "../ann/conv2d.js";
import { Dense } from "../ann/dense.js";
import { initNames } from "../ann/init.js";
import { Flatten } from "../ann/flatten.js";
import type { Layer, Param } from "../ann/layer.js";
import { createOptimizer, type Optimizer } from "../ann/optimizer.js";
import { AvgPool2D, MaxPool2D } from "../ann/pool2d.js";
import { Sequential } from "../ann/sequential.js";
import { UserError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import { relaxedSimdAvailable } from "../core/wasm.js";
import type { TaskShape } from "../tasks/task.js";
import { optimizerSchema } from "./common-schema.js";
import type { LearnerStats } from "./learner.js";
import { pruningConfigSchema } from "../plasticity/pruning/config.js";
import { maskCounts } from "../plasticity/pruning/mask-pruning.js";
import { maskStructure, type StructuralPlasticity } from "../plasticity/pruning/structural.js";
import { denseOpsPerSample } from "./mlp.js";

const activationSchema = z.enum(["sigmoid", "tanh", "relu", "leaky-relu", "linear"]);

export const cnnKernelsSchema = z
  .enum(["exact", "relaxed-simd"])
  .default("exact")
  .describe(
    'arithmetic of the WebAssembly SIMD kernels. "exact" (default): a multiply and an add, each rounded to float32, ' +
      'bit-identical results on every runtime. "relaxed-simd": WebAssembly relaxed SIMD\'s f32x4.relaxed_madd, a fused ' +
      "multiply-add (one rounding) on CPUs with FMA: faster, results differ in the last bits (and may differ between " +
      "CPUs); needs relaxed SIMD (Node 22 or later), elsewhere the exact kernels run after a one-line warning",
  );
export type CnnKernels = z.infer<typeof cnnKernelsSchema>;

let warnedNoRelaxed = false;

/**
 * The kernels a learner asking for `kernels` gets on this runtime: relaxed-simd
 * only where WebAssembly relaxed SIMD validates; otherwise exact, after a
 * one-line notice on stderr (once per process).
 */
export function effectiveKernels(kernels: CnnKernels): CnnKernels {
  if (kernels !== "relaxed-simd" || relaxedSimdAvailable()) return kernels;
  if (!warnedNoRelaxed) {
    warnedNoRelaxed = true;
    process.stderr.write(
      `neurocompare: kernels "relaxed-simd" needs WebAssembly relaxed SIMD, which Node ${process.versions.node} lacks (Node 22 or later has it): running the exact kernels\n`,
    );
  }
  return "exact";
}

const poolSchema = (type: "maxpool" | "avgpool") =>
  z.strictObject({
    type: z.literal(type),
    size: z.int().min(1).max(64).default(2).describe("window side length"),
    stride: z.int().min(1).max(64).optional().describe("window step; default the window size"),
  });

export const cnnLayerSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("conv"),
    filters: z.int().min(1).max(4096).describe("output channels"),
    kernel: z.int().min(1).max(64).describe("kernel side length (square)"),
    stride: z.int().min(1).max(64).default(1),
    padding: z.int().min(0).max(64).default(0).describe("zero padding on every side"),
    activation: activationSchema.default("relu"),
  }),
  poolSchema("maxpool"),
  poolSchema("avgpool"),
  z.strictObject({ type: z.literal("flatten") }),
  z.strictObject({
    type: z.literal("dense"),
    units: z.int().min(1).max(1_000_000),
    activation: activationSchema.default("linear").describe("default linear (the output layer's logits)"),
  }),
]);
export type CnnLayerConfig = z.infer<typeof cnnLayerSchema>;

export const cnnConfigSchema = z.strictObject({
  type: z.literal("cnn"),
  name: z.string().min(1).optional().describe("label in results; defaults to the type"),
  layers: z
    .array(cnnLayerSchema)
    .min(1)
    .default([
      { type: "conv", filters: 8, kernel: 5, stride: 1, padding: 0, activation: "relu" },
      { type: "maxpool", size: 2 },
      { type: "conv", filters: 16, kernel: 5, stride: 1, padding: 0, activation: "relu" },
      { type: "maxpool", size: 2 },
      { type: "dense", units: 10, activation: "linear" },
    ])
    .describe("layers in order; the last must output one value per class"),
  loss: z.enum(["softmax-cross-entropy", "mse"]).default("softmax-cross-entropy"),
  init: z
    .enum(initNames)
    .default("pytorch")
    .describe(
      "pytorch (default, as torch.nn.Conv2d and nn.Linear): weights and biases U(±1/√fan-in), a convolution's fan-in kernel² × input channels; glorot-* or he-*: those weights in every layer, zero biases",
    ),
  optimizer: optimizerSchema.default({ type: "adam", learningRate: 0.002 }),
  batchSize: z.int().min(1).max(4096).default(32),
  kernels: cnnKernelsSchema,
  pruning: pruningConfigSchema
    .optional()
    .describe(
      "prune (and grow) the convolution and dense weights while learning through masks: magnitude or random (no graph measures)",
    ),
});
export type CnnConfig = z.infer<typeof cnnConfigSchema>;

/** Feature-map shape between layers (a dense layer flattens it to h = w = 1). */
interface MapShape {
  h: number;
  w: number;
  c: number;
}

export class CnnLearner extends SequentialLearner {
  readonly name: string;
  readonly type = "cnn";
  readonly maxBatch: number;
  /** The kernels that run (config.kernels, or exact where relaxed SIMD is missing). */
  readonly kernels: CnnKernels;
  readonly net: Sequential;
  protected readonly optimizer: Optimizer;
  /** Draws of the random pruning criterion (a fork: never shifts the initial weights). */
  private readonly pruneRng: Rng;

  constructor(config: CnnConfig, shape: TaskShape, rng: Rng) {
    super();
    this.pruneRng = rng.fork("prune");
    this.name = config.name ?? "cnn";
    this.maxBatch = config.batchSize;
    this.kernels = effectiveKernels(config.kernels);
    const relaxedSimd = this.kernels === "relaxed-simd";
    const where = `learner "${this.name}"`;
    const img = shape.image;
    let m: MapShape =
      img !== undefined ? { h: img.height, w: img.width, c: img.channels } : { h: 1, w: 1, c: shape.inputSize };
    const layers: Layer[] = [];
    const maxBatch = this.maxBatch;
    config.layers.forEach((lc, i) => {
      const first = layers.length === 0;
      const path = `${where}: layers[${i}] (${lc.type})`;
      switch (lc.type) {
        case "conv": {
          if (img === undefined)
            throw new UserError(
              "E_CONFIG_INVALID",
              `${path}: a convolution needs an image task (the task has no image shape)`,
            );
          if (m.h + 2 * lc.padding < lc.kernel || m.w + 2 * lc.padding < lc.kernel) {
            throw new UserError(
              "E_CONFIG_INVALID",
              `${path}: kernel ${lc.kernel} does not fit the ${m.h}×${m.w} input (padding ${lc.padding})`,
            );
          }
          // ReLU is fused into the convolution (one pass fewer each way); other activations follow it.
          const relu = lc.activation === "relu";
          const conv = new Conv2D(
            {
              inHeight: m.h,
              inWidth: m.w,
              inChannels: m.c,
              outChannels: lc.filters,
              kernel: lc.kernel,
              stride: lc.stride,
              padding: lc.padding,
              init: config.init,
              inputGrad: !first,
              relu,
              relaxedSimd,
            },
            maxBatch,
            rng.fork(`conv${i}`),
          );
          layers.push(conv);
          if (lc.activation !== "linear" && !relu) layers.push(new Activation(lc.activation, conv.outSize, maxBatch));
          m = { h: conv.outHeight, w: conv.outWidth, c: lc.filters };
          break;
        }
        case "maxpool":
        case "avgpool": {
          if (img === undefined)
            throw new UserError(
              "E_CONFIG_INVALID",
              `${path}: pooling needs an image task (the task has no image shape)`,
            );
          if (m.h < lc.size || m.w < lc.size) {
            throw new UserError("E_CONFIG_INVALID", `${path}: window ${lc.size} does not fit the ${m.h}×${m.w} input`);
          }
          const pc = {
            inHeight: m.h,
            inWidth: m.w,
            channels: m.c,
            size: lc.size,
            ...(lc.stride !== undefined ? { stride: lc.stride } : {}),
          };
          const pool = lc.type === "maxpool" ? new MaxPool2D(pc, maxBatch) : new AvgPool2D(pc, maxBatch);
          layers.push(pool);
          m = { h: pool.outHeight, w: pool.outWidth, c: m.c };
          break;
        }
        case "flatten": {
          layers.push(new Flatten(m.h * m.w * m.c));
          m = { h: 1, w: 1, c: m.h * m.w * m.c };
          break;
        }
        case "dense": {
          const inSize = m.h * m.w * m.c;
          layers.push(
            new Dense(inSize, lc.units, maxBatch, rng.fork(`dense${i}`), config.init, {
              inputGrad: !first,
              relaxedSimd,
            }),
          );
          if (lc.activation !== "linear") layers.push(new Activation(lc.activation, lc.units, maxBatch));
          m = { h: 1, w: 1, c: lc.units };
          break;
        }
      }
    });
    const outSize = m.h * m.w * m.c;
    if (outSize !== shape.classes) {
      throw new UserError(
        "E_CONFIG_INVALID",
        `${where}: the last layer gives ${outSize} values per sample, expected one per class (${shape.classes}); end with {"type": "dense", "units": ${shape.classes}}`,
      );
    }
    if (config.loss === "mse") layers.push(new Activation("sigmoid", shape.classes, maxBatch));
    this.net = new Sequential(layers, config.loss, maxBatch);
    this.optimizer = createOptimizer(config.optimizer);
  }

  collectStats(): LearnerStats {
    const { remaining, total } = maskCounts(this.prunableWeights());
    return {
      ...this.weightStats(),
      denseOpsPerSample: denseOpsPerSample(this.net.layers),
      synapseCount: remaining,
      connectionDensity: total === 0 ? 0 : remaining / total,
    };
  }

  /** Masked pruning and growth of the convolution and Dense weights (biases are never pruned). */
  structure(): StructuralPlasticity {
    return maskStructure({
      weights: this.prunableWeights(),
      all: this.net.params(),
      shapes: null,
      rng: this.pruneRng,
      onRewind: () => this.optimizer.reset(),
    });
  }

  private prunableWeights(): Param[] {
    const out: Param[] = [];
    for (const l of this.net.layers) if (l instanceof Dense || l instanceof Conv2D) out.push(l.weight);
    return out;
  }
}
