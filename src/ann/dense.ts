/**
 * Fully connected layer: y = x·W + b, with W stored [in × out] row-major.
 * Backward: dW = xᵀ·dy, db = Σ dy, dx = dy·Wᵀ.
 *
 * The first layer of a network has nobody to pass dx to: `inputGrad: false`
 * skips that product (for a 784-128 layer it is a third of the training cost)
 * and `backward` then returns an empty array.
 */
import { matmul, matmulTransA, matmulTransB, sumRows } from "../core/kernels.js";
import type { Rng } from "../core/rng.js";
import { initWeights, type InitName } from "./init.js";
import type { Layer, Param } from "./layer.js";

export interface DenseOptions {
  /** Compute dLoss/dInput in backward (default true; false for a first layer). */
  inputGrad?: boolean;
}

export class Dense implements Layer {
  readonly kind = "dense";
  readonly inSize: number;
  readonly outSize: number;
  readonly weight: Param;
  readonly bias: Param;
  readonly inputGrad: boolean;
  private readonly y: Float32Array;
  private readonly dx: Float32Array;
  private x: Float32Array | null = null;

  constructor(inSize: number, outSize: number, maxBatch: number, rng: Rng, init: InitName = "glorot-uniform",
    options: DenseOptions = {}) {
    this.inSize = inSize;
    this.outSize = outSize;
    this.inputGrad = options.inputGrad ?? true;
    const w = new Float32Array(inSize * outSize);
    initWeights(w, inSize, outSize, init, rng);
    this.weight = { name: "W", value: w, grad: new Float32Array(w.length), decay: true };
    this.bias = { name: "b", value: new Float32Array(outSize), grad: new Float32Array(outSize), decay: false };
    this.y = new Float32Array(maxBatch * outSize);
    this.dx = new Float32Array(this.inputGrad ? maxBatch * inSize : 0);
  }

  forward(x: Float32Array, batch: number): Float32Array {
    this.x = x;
    // y starts as the bias rows, then x·W accumulates (zero inputs are skipped inside).
    const y = this.y;
    const n = this.outSize;
    for (let i = 0; i < batch; i++) y.set(this.bias.value, i * n);
    matmul(x, this.weight.value, y, batch, this.inSize, n, true);
    return y;
  }

  backward(dy: Float32Array, batch: number): Float32Array {
    const x = this.x;
    if (x === null) throw new Error("Dense.backward called before forward");
    matmulTransA(x, dy, this.weight.grad, this.inSize, batch, this.outSize, true);
    sumRows(dy, this.bias.grad, batch, this.outSize, true);
    if (this.inputGrad) matmulTransB(dy, this.weight.value, this.dx, batch, this.outSize, this.inSize);
    return this.dx;
  }

  params(): readonly Param[] {
    return [this.weight, this.bias];
  }
}
