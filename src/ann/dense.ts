/**
 * Fully connected layer: y = x·W + b, with W stored [in × out] row-major.
 * Backward: dW = xᵀ·dy, db = Σ dy, dx = dy·Wᵀ.
 */
import { addRowVector, matmul, matmulTransA, matmulTransB, sumRows } from "../core/kernels.js";
import type { Rng } from "../core/rng.js";
import { initWeights, type InitName } from "./init.js";
import type { Layer, Param } from "./layer.js";

export class Dense implements Layer {
  readonly kind = "dense";
  readonly inSize: number;
  readonly outSize: number;
  readonly weight: Param;
  readonly bias: Param;
  private readonly y: Float32Array;
  private readonly dx: Float32Array;
  private x: Float32Array | null = null;

  constructor(inSize: number, outSize: number, maxBatch: number, rng: Rng, init: InitName = "glorot-uniform") {
    this.inSize = inSize;
    this.outSize = outSize;
    const w = new Float32Array(inSize * outSize);
    initWeights(w, inSize, outSize, init, rng);
    this.weight = { name: "W", value: w, grad: new Float32Array(w.length), decay: true };
    this.bias = { name: "b", value: new Float32Array(outSize), grad: new Float32Array(outSize), decay: false };
    this.y = new Float32Array(maxBatch * outSize);
    this.dx = new Float32Array(maxBatch * inSize);
  }

  forward(x: Float32Array, batch: number): Float32Array {
    this.x = x;
    matmul(x, this.weight.value, this.y, batch, this.inSize, this.outSize);
    addRowVector(this.y, this.bias.value, batch, this.outSize);
    return this.y;
  }

  backward(dy: Float32Array, batch: number): Float32Array {
    const x = this.x;
    if (x === null) throw new Error("Dense.backward called before forward");
    matmulTransA(x, dy, this.weight.grad, this.inSize, batch, this.outSize, true);
    sumRows(dy, this.bias.grad, batch, this.outSize, true);
    matmulTransB(dy, this.weight.value, this.dx, batch, this.outSize, this.inSize);
    return this.dx;
  }

  params(): readonly Param[] {
    return [this.weight, this.bias];
  }
}
