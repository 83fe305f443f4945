/**
 * Element-wise activation layers. Each keeps its output (sigmoid, tanh) or its
 * input (ReLU family) to compute the derivative in backward.
 */
import type { Layer, Param } from "./layer.js";

/** The element-wise nonlinearities: leaky ReLU has slope `alpha` (default 0.01) below zero. */
export type ActivationName = "sigmoid" | "tanh" | "relu" | "leaky-relu" | "linear";

/**
 * An element-wise activation layer (sigmoid, tanh, ReLU, leaky ReLU or linear).
 *
 * ```ts
 * const layers = [new Dense(784, 128, 32, rng), new Activation("relu", 128, 32), new Dense(128, 10, 32, rng)];
 * ```
 */
export class Activation implements Layer {
  readonly kind: string;
  readonly inSize: number;
  readonly outSize: number;
  readonly fn: ActivationName;
  /** Slope for x < 0 (leaky ReLU only). */
  readonly alpha: number;
  private readonly y: Float32Array;
  private readonly dx: Float32Array;
  private x: Float32Array | null = null;

  constructor(fn: ActivationName, size: number, maxBatch: number, alpha = 0.01) {
    this.kind = fn;
    this.fn = fn;
    this.inSize = size;
    this.outSize = size;
    this.alpha = alpha;
    this.y = new Float32Array(maxBatch * size);
    this.dx = new Float32Array(maxBatch * size);
  }

  /** Applies the nonlinearity to `batch × size` values. */
  forward(x: Float32Array, batch: number): Float32Array {
    this.x = x;
    const n = batch * this.inSize;
    const y = this.y;
    switch (this.fn) {
      case "sigmoid":
        for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i]!));
        break;
      case "tanh":
        for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!);
        break;
      case "relu":
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          y[i] = v > 0 ? v : 0;
        }
        break;
      case "leaky-relu": {
        const a = this.alpha;
        for (let i = 0; i < n; i++) {
          const v = x[i]!;
          y[i] = v > 0 ? v : a * v;
        }
        break;
      }
      case "linear":
        y.set(x.subarray(0, n));
        break;
    }
    return y;
  }

  backward(dy: Float32Array, batch: number): Float32Array {
    const n = batch * this.inSize;
    const y = this.y;
    const x = this.x!;
    const dx = this.dx;
    switch (this.fn) {
      case "sigmoid":
        for (let i = 0; i < n; i++) dx[i] = dy[i]! * y[i]! * (1 - y[i]!);
        break;
      case "tanh":
        for (let i = 0; i < n; i++) dx[i] = dy[i]! * (1 - y[i]! * y[i]!);
        break;
      case "relu":
        for (let i = 0; i < n; i++) dx[i] = x[i]! > 0 ? dy[i]! : 0;
        break;
      case "leaky-relu": {
        const a = this.alpha;
        for (let i = 0; i < n; i++) dx[i] = x[i]! > 0 ? dy[i]! : a * dy[i]!;
        break;
      }
      case "linear":
        dx.set(dy.subarray(0, n));
        break;
    }
    return dx;
  }

  /** None: an activation has no parameters. */
  params(): readonly Param[] {
    return [];
  }
}
