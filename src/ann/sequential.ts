/**
 * A stack of layers trained end to end by backpropagation: forward through
 * every layer, loss on the last output, backward in reverse order.
 */
import type { Layer, Param } from "./layer.js";
import { computeLoss, type LossName, type LossResult } from "./loss.js";

/**
 * A stack of layers trained end to end by backpropagation.
 *
 * ```ts
 * const net = new Sequential([new Dense(2, 8, 32, rng), new Activation("tanh", 8, 32), new Dense(8, 2, 32, rng)],
 *   "softmax-cross-entropy", 32);
 * const opt = createOptimizer({ type: "sgd", learningRate: 0.1 });
 * net.trainStep(x, y, 0, 32); opt.step(net.params());
 * ```
 */
export class Sequential {
  readonly layers: readonly Layer[];
  readonly loss: LossName;
  readonly outSize: number;
  readonly inSize: number;
  readonly maxBatch: number;
  private readonly dOut: Float32Array;
  private readonly allParams: readonly Param[];

  constructor(layers: readonly Layer[], loss: LossName, maxBatch: number) {
    if (layers.length === 0) throw new Error("Sequential needs at least one layer");
    for (let i = 1; i < layers.length; i++) {
      if (layers[i]!.inSize !== layers[i - 1]!.outSize) {
        throw new Error(
          `layer ${i} (${layers[i]!.kind}) expects ${layers[i]!.inSize} inputs but layer ${i - 1} gives ${layers[i - 1]!.outSize}`,
        );
      }
    }
    this.layers = layers;
    this.loss = loss;
    this.inSize = layers[0]!.inSize;
    this.outSize = layers[layers.length - 1]!.outSize;
    this.maxBatch = maxBatch;
    this.dOut = new Float32Array(maxBatch * this.outSize);
    this.allParams = layers.flatMap((l) => l.params());
  }

  /** Every layer's parameters, in layer order. */
  params(): readonly Param[] {
    return this.allParams;
  }

  /** Runs every layer on `batch` samples; returns the last layer's outputs. */
  forward(x: Float32Array, batch: number, training: boolean): Float32Array {
    let h = x;
    for (const l of this.layers) h = l.forward(h, batch, training);
    return h;
  }

  /**
   * Scores `count` samples without learning, in chunks of maxBatch: mean loss,
   * correct count, and the predicted class of each sample when asked.
   */
  evaluate(x: Float32Array, labels: Int32Array, count: number, predictions?: Int32Array): LossResult {
    const classes = this.outSize;
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < count; start += this.maxBatch) {
      const n = Math.min(this.maxBatch, count - start);
      const out = this.forward(x.subarray(start * this.inSize, (start + n) * this.inSize), n, false);
      if (predictions !== undefined) {
        for (let i = 0; i < n; i++) {
          let arg = 0;
          for (let j = 1; j < classes; j++) if (out[i * classes + j]! > out[i * classes + arg]!) arg = j;
          predictions[start + i] = arg;
        }
      }
      const r = computeLoss(this.loss, out, labels, start, n, classes, null);
      loss += r.loss * n;
      correct += r.correct;
    }
    return { loss: loss / Math.max(1, count), correct };
  }

  /** Forward, loss, backward: leaves batch-mean gradients in the params. */
  trainStep(x: Float32Array, labels: Int32Array, labelOffset: number, batch: number): LossResult {
    const out = this.forward(x, batch, true);
    const r = computeLoss(this.loss, out, labels, labelOffset, batch, this.outSize, this.dOut);
    let g = this.dOut;
    for (let i = this.layers.length - 1; i >= 0; i--) g = this.layers[i]!.backward(g, batch);
    return r;
  }
}
