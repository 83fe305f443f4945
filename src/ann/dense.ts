/**
 * Fully connected layer: y = x·W + b, with W stored [in × out] row-major.
 * Backward: dW = xᵀ·dy, db = Σ dy, dx = dy·Wᵀ.
 *
 * The first layer of a network has nobody to pass dx to: `inputGrad: false`
 * skips that product (for a 784-128 layer it is a third of the training cost)
 * and `backward` then returns an empty array.
 *
 * When the output width is a multiple of 4, W, its gradient and the layer's
 * working buffers live in a SimdArena (core/simd-gemm.ts) and the two big
 * products (x·W and xᵀ·dy, both skipping zero inputs) run in WebAssembly SIMD;
 * the inputs are copied in (a few thousand floats per batch). Other widths (a
 * 10-class output layer) run the kernels of ann/dense-kernels.ts, which give
 * the JavaScript products' results bit for bit, in float64 lanes (measured on
 * the benchmark CNN's 256→10 layer: 81 ms vs 23 ms of CPU time per epoch
 * of 8,000 digits). `simd: false`, or an engine without SIMD, keeps
 * everything in plain JavaScript.
 */
import { matmul, matmulTransA, matmulTransB, sumRows } from "../core/kernels.js";
import { SimdArena } from "../core/simd-gemm.js";
import type { Rng } from "../core/rng.js";
import { copyInto } from "./conv2d.js";
import { denseExactModule } from "./dense-kernels.js";
import { initBias, initWeights, type InitName } from "./init.js";
import type { Layer, Param } from "./layer.js";

/** Options of a {@link Dense} layer. */
export interface DenseOptions {
  /** Compute dLoss/dInput in backward (default true; false for a first layer). */
  inputGrad?: boolean;
  /** Use the WebAssembly SIMD kernel where possible (default true). */
  simd?: boolean;
  /** Use relaxed SIMD's fused multiply-add where the engine has it (default false: exact). */
  relaxedSimd?: boolean;
}

/**
 * A fully connected layer, y = x·W + b, with W stored [in × out]; WebAssembly SIMD when the output width is a multiple of 4.
 *
 * ```ts
 * const hidden = new Dense(784, 128, 32, rng.fork("dense1"), "he-uniform");
 * ```
 */
export class Dense implements Layer {
  readonly kind = "dense";
  readonly inSize: number;
  readonly outSize: number;
  readonly weight: Param;
  readonly bias: Param;
  readonly inputGrad: boolean;
  private readonly arena: SimdArena | null;
  private readonly y: Float32Array;
  private readonly dx: Float32Array;
  /** SIMD only: the input copied in, its transpose [in × batch], dy copied in. */
  private readonly xIn: Float32Array;
  private readonly xT: Float32Array;
  private readonly dyIn: Float32Array;
  private readonly biasIn: Float32Array;
  /** Widths not a multiple of 4: the float64-lane kernels, Wᵀ and their scratch list. */
  private readonly exact: { grouped: (...a: number[]) => void; dot: (...a: number[]) => void } | null;
  private readonly wT: Float32Array;
  private readonly scratch: Int32Array;
  private x: Float32Array | null = null;

  constructor(
    inSize: number,
    outSize: number,
    maxBatch: number,
    rng: Rng,
    init: InitName = "glorot-uniform",
    options: DenseOptions = {},
  ) {
    this.inSize = inSize;
    this.outSize = outSize;
    this.inputGrad = options.inputGrad ?? true;
    const useSimd = (options.simd ?? true) && outSize % 4 === 0;
    const arena = useSimd
      ? new SimdArena(
          2 * inSize * outSize + 2 * maxBatch * inSize + 2 * maxBatch * outSize + outSize,
          true,
          options.relaxedSimd ?? false,
        )
      : null;
    this.arena = arena?.simd ? arena : null;
    const exactModule = (options.simd ?? true) && !useSimd ? denseExactModule() : null;
    const exactArena =
      exactModule !== null
        ? new SimdArena(
            3 * inSize * outSize + 2 * maxBatch * inSize + 2 * maxBatch * outSize + 2 * Math.max(inSize, maxBatch) + 64,
          )
        : null;
    const exports = exactArena?.simd ? exactArena.instantiate(exactModule) : null;
    this.exact =
      exports !== null
        ? { grouped: exports["grouped"] as (...a: number[]) => void, dot: exports["dot"] as (...a: number[]) => void }
        : null;
    const inArena = this.arena ?? (exports !== null ? exactArena : null);
    const alloc = (n: number) => (inArena !== null ? inArena.alloc(n) : new Float32Array(n));
    const w = alloc(inSize * outSize);
    initWeights(w, inSize, outSize, init, rng);
    this.weight = { name: "W", value: w, grad: alloc(w.length), decay: true };
    const b = new Float32Array(outSize);
    initBias(b, inSize, init, rng.fork("bias"));
    this.bias = { name: "b", value: b, grad: new Float32Array(outSize), decay: false };
    this.y = alloc(maxBatch * outSize);
    const ex = this.exact !== null ? exactArena : null;
    this.dx =
      ex !== null && this.inputGrad
        ? ex.alloc(maxBatch * inSize)
        : new Float32Array(this.inputGrad ? maxBatch * inSize : 0);
    const simdBuffer = (n: number) => (this.arena !== null ? this.arena.alloc(n) : new Float32Array(0));
    this.xIn = ex !== null ? ex.alloc(maxBatch * inSize) : simdBuffer(maxBatch * inSize);
    this.xT = simdBuffer(maxBatch * inSize);
    this.dyIn = ex !== null ? ex.alloc(maxBatch * outSize) : simdBuffer(maxBatch * outSize);
    this.biasIn = simdBuffer(outSize);
    this.wT = ex !== null ? ex.alloc(inSize * outSize) : new Float32Array(0);
    this.scratch = ex !== null ? ex.allocInt32(2 * Math.max(inSize, maxBatch)) : new Int32Array(0);
  }

  /** Computes x·W + b for `batch` samples. */
  forward(x: Float32Array, batch: number): Float32Array {
    // y starts as the bias rows, then x·W accumulates (zero inputs are skipped inside).
    const y = this.y;
    const n = this.outSize;
    const bias = this.bias.value;
    const arena = this.arena;
    const xIn = this.xIn;
    const biasIn = this.biasIn;
    const w = this.weight.value;
    const exact = this.exact;
    if (arena !== null) {
      copyInto(xIn, x, batch * this.inSize);
      biasIn.set(bias);
      this.x = xIn;
      arena.spmm(xIn, w, y, batch, this.inSize, n, false, false, biasIn);
    } else if (exact !== null) {
      copyInto(xIn, x, batch * this.inSize);
      this.x = xIn;
      for (let i = 0; i < batch; i++) y.set(bias, i * n);
      exact.grouped(
        xIn.byteOffset,
        4 * this.inSize,
        4,
        w.byteOffset,
        y.byteOffset,
        batch,
        this.inSize,
        n,
        this.scratch.byteOffset,
      );
    } else {
      for (let i = 0; i < batch; i++) {
        const o = i * n;
        for (let j = 0; j < n; j++) y[o + j] = bias[j]!;
      }
      this.x = x;
      matmul(x, w, y, batch, this.inSize, n, true);
    }
    return y;
  }

  backward(dy: Float32Array, batch: number): Float32Array {
    const x = this.x;
    if (x === null) throw new Error("Dense.backward called before forward");
    const m = this.inSize;
    const n = this.outSize;
    const exact = this.exact;
    if (exact !== null) {
      // the JavaScript products' arithmetic, in WebAssembly: dW += xᵀ·dy, db, dx = dy·Wᵀ
      const dyIn = this.dyIn;
      copyInto(dyIn, dy, batch * n);
      exact.grouped(
        x.byteOffset,
        4,
        4 * m,
        dyIn.byteOffset,
        this.weight.grad.byteOffset,
        m,
        batch,
        n,
        this.scratch.byteOffset,
      );
      sumRows(dy, this.bias.grad, batch, n, true);
      if (this.inputGrad) {
        const w = this.weight.value;
        const wT = this.wT;
        for (let p = 0; p < m; p++) for (let j = 0; j < n; j++) wT[j * m + p] = w[p * n + j]!;
        exact.dot(dyIn.byteOffset, wT.byteOffset, this.dx.byteOffset, batch, n, m);
      }
      return this.dx;
    }
    if (this.arena !== null) {
      // dW += xᵀ·dy as a product whose left operand (xᵀ) has the zeros to skip.
      const xT = this.xT;
      for (let p = 0; p < m; p++) {
        const o = p * batch;
        for (let b = 0; b < batch; b++) xT[o + b] = x[b * m + p]!;
      }
      const dyIn = this.dyIn;
      copyInto(dyIn, dy, batch * n);
      this.arena.spmm(xT, dyIn, this.weight.grad, m, batch, n, true);
    } else {
      matmulTransA(x, dy, this.weight.grad, m, batch, n, true);
    }
    sumRows(dy, this.bias.grad, batch, n, true);
    if (this.inputGrad) matmulTransB(dy, this.weight.value, this.dx, batch, n, m);
    return this.dx;
  }

  /** The weights `[inSize × outSize]` and the biases. */
  params(): readonly Param[] {
    return [this.weight, this.bias];
  }
}
