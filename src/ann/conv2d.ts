/**
 * 2-D convolution over channel-last images (sample b, row y, column x,
 * channel c at x[((b·H + y)·W + x)·C + c]), zero padding, square kernel.
 *
 * Computed as im2col + matrix products, with every buffer allocated once for
 * `maxBatch` samples:
 *
 *   col[r, k]  = the receptive field of output position r (k = (ky, kx, c))
 *   y  = col · W + b             W is [K × F], K = k·k·C, F = outChannels
 *   dWᵀ += dyᵀ · col             (skips zero dy: max pooling and ReLU zero most of it)
 *   dcol = dy · Wᵀ, dx = col2im(dcol)
 *
 * The forward product skips zero inputs (blank pixels, ReLU zeros), the
 * backward products skip zero output gradients. `inputGrad: false` (the first
 * layer) skips dx entirely.
 *
 * With WebAssembly SIMD (core/kernels.ts SimdArena) the products run four
 * lanes at a time: col, W and y always (outChannels a multiple of 4), the
 * backward products when K is a multiple of 4 too (dy is copied or
 * transposed into the arena first). `simd: false` keeps plain JavaScript.
 */
import { SimdArena, matmul, matmulTransA } from "../core/kernels.js";
import type { Rng } from "../core/rng.js";
import { initWeights, type InitName } from "./init.js";
import type { Layer, Param } from "./layer.js";

export interface Conv2DConfig {
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outChannels: number;
  /** Kernel side length (square kernels). */
  kernel: number;
  stride?: number;
  /** Zero padding on every side. */
  padding?: number;
  init?: InitName;
  /** Compute dLoss/dInput in backward (default true; false for a first layer). */
  inputGrad?: boolean;
  /** Use the WebAssembly SIMD kernel where possible (default true). */
  simd?: boolean;
}

/** Output side length of a convolution or pooling window sweep. */
export function convOutSize(inSize: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((inSize + 2 * padding - kernel) / stride) + 1;
}

export class Conv2D implements Layer {
  readonly kind = "conv2d";
  readonly inSize: number;
  readonly outSize: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  readonly inputGrad: boolean;
  /** Weights [K × F], K = kernel·kernel·inChannels in (ky, kx, c) order. */
  readonly weight: Param;
  readonly bias: Param;
  /** Rows of K per sample (output positions). */
  private readonly positions: number;
  private readonly patch: number;
  private readonly col: Float32Array;
  private readonly dcol: Float32Array;
  private readonly y: Float32Array;
  private readonly dx: Float32Array;
  private readonly wT: Float32Array;
  private readonly dwT: Float32Array;
  private readonly arena: SimdArena | null;
  /** SIMD backward only (K a multiple of 4): dy copied in, and dyᵀ [F × rows]. */
  private readonly simdBackward: boolean;
  private readonly dyIn: Float32Array;
  private readonly dyT: Float32Array;

  constructor(c: Conv2DConfig, maxBatch: number, rng: Rng) {
    const stride = c.stride ?? 1;
    const padding = c.padding ?? 0;
    this.inHeight = c.inHeight;
    this.inWidth = c.inWidth;
    this.inChannels = c.inChannels;
    this.outChannels = c.outChannels;
    this.kernel = c.kernel;
    this.stride = stride;
    this.padding = padding;
    this.outHeight = convOutSize(c.inHeight, c.kernel, stride, padding);
    this.outWidth = convOutSize(c.inWidth, c.kernel, stride, padding);
    if (this.outHeight < 1 || this.outWidth < 1) {
      throw new RangeError(`conv kernel ${c.kernel} (stride ${stride}, padding ${padding}) does not fit a ${c.inHeight}×${c.inWidth} input`);
    }
    this.inputGrad = c.inputGrad ?? true;
    this.inSize = c.inHeight * c.inWidth * c.inChannels;
    this.positions = this.outHeight * this.outWidth;
    this.outSize = this.positions * c.outChannels;
    this.patch = c.kernel * c.kernel * c.inChannels;
    const K = this.patch;
    const F = c.outChannels;
    const rowsMax = maxBatch * this.positions;
    const useSimd = (c.simd ?? true) && F % 4 === 0;
    const backK = K % 4 === 0;
    const arena = useSimd
      ? new SimdArena(K * F + rowsMax * K + maxBatch * this.outSize +
        (backK ? 2 * K * F + (this.inputGrad ? rowsMax * K : 0) + 2 * rowsMax * F : 0))
      : null;
    this.arena = arena !== null && arena.simd ? arena : null;
    this.simdBackward = this.arena !== null && backK;
    const alloc = (n: number) => (this.arena !== null ? this.arena.alloc(n) : new Float32Array(n));
    const allocBack = (n: number) => (this.simdBackward ? alloc(n) : new Float32Array(n));
    const w = alloc(K * F);
    initWeights(w, K, c.kernel * c.kernel * F, c.init ?? "he-uniform", rng);
    this.weight = { name: "W", value: w, grad: new Float32Array(w.length), decay: true };
    this.bias = { name: "b", value: new Float32Array(F), grad: new Float32Array(F), decay: false };
    this.col = alloc(rowsMax * K);
    this.y = alloc(maxBatch * this.outSize);
    this.dcol = this.inputGrad ? allocBack(rowsMax * K) : new Float32Array(0);
    this.dx = new Float32Array(this.inputGrad ? maxBatch * this.inSize : 0);
    this.wT = allocBack(K * F);
    this.dwT = allocBack(K * F);
    this.dyIn = this.simdBackward ? alloc(rowsMax * F) : new Float32Array(0);
    this.dyT = this.simdBackward ? alloc(rowsMax * F) : new Float32Array(0);
  }

  forward(x: Float32Array, batch: number): Float32Array {
    const rows = batch * this.positions;
    const F = this.outChannels;
    this.im2col(x, batch);
    const y = this.y;
    const b = this.bias.value;
    for (let r = 0; r < rows; r++) y.set(b, r * F);
    if (this.arena !== null) this.arena.spmm(this.col, this.weight.value, y, rows, this.patch, F, true);
    else matmul(this.col, this.weight.value, y, rows, this.patch, F, true);
    return y;
  }

  backward(dy: Float32Array, batch: number): Float32Array {
    const rows = batch * this.positions;
    const F = this.outChannels;
    const K = this.patch;
    // Bias: column sums of dy.
    const db = this.bias.grad;
    for (let r = 0; r < rows; r++) {
      const o = r * F;
      for (let f = 0; f < F; f++) db[f]! += dy[o + f]!;
    }
    // Weights: dWᵀ[F×K] = dyᵀ · col (skips zero dy), then added transposed.
    const dwT = this.dwT;
    const arena = this.simdBackward ? this.arena : null;
    if (arena !== null) {
      const dyT = this.dyT;
      for (let r = 0; r < rows; r++) {
        const o = r * F;
        for (let f = 0; f < F; f++) dyT[f * rows + r] = dy[o + f]!;
      }
      arena.spmm(dyT, this.col, dwT, F, rows, K, false);
    } else {
      matmulTransA(dy, this.col, dwT, F, rows, K, false);
    }
    const dw = this.weight.grad;
    for (let f = 0; f < F; f++) {
      const o = f * K;
      for (let k = 0; k < K; k++) dw[k * F + f]! += dwT[o + k]!;
    }
    if (!this.inputGrad) return this.dx;
    // Input: dcol = dy · Wᵀ (skips zero dy), then scattered back (col2im).
    const w = this.weight.value;
    const wT = this.wT;
    for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) wT[f * K + k] = w[k * F + f]!;
    if (arena !== null) {
      const dyIn = this.dyIn;
      dyIn.set(dy.subarray(0, rows * F));
      arena.spmm(dyIn, wT, this.dcol, rows, F, K, false);
    } else {
      matmul(dy, wT, this.dcol, rows, F, K, false);
    }
    this.col2im(batch);
    return this.dx;
  }

  params(): readonly Param[] {
    return [this.weight, this.bias];
  }

  /** Multiply-accumulates per sample (bias excluded). */
  macsPerSample(): number {
    return this.positions * this.patch * this.outChannels;
  }

  /** Fills col[r, (ky, kx, c)] with the receptive field of each output position (zeros outside the image). */
  private im2col(x: Float32Array, batch: number): void {
    const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, kernel: k, stride: s, padding: p } = this;
    const col = this.col;
    const rowLen = k * C; // one kernel row: kx and c, contiguous in x when fully inside
    let o = 0;
    for (let b = 0; b < batch; b++) {
      const xb = b * H * W * C;
      for (let oy = 0; oy < OH; oy++) {
        const y0 = oy * s - p;
        for (let ox = 0; ox < OW; ox++) {
          const x0 = ox * s - p;
          const inside = x0 >= 0 && x0 + k <= W;
          for (let ky = 0; ky < k; ky++) {
            const iy = y0 + ky;
            if (iy < 0 || iy >= H) {
              for (let t = 0; t < rowLen; t++) col[o + t] = 0;
            } else if (inside) {
              const src = xb + (iy * W + x0) * C;
              for (let t = 0; t < rowLen; t++) col[o + t] = x[src + t]!;
            } else {
              for (let kx = 0; kx < k; kx++) {
                const ix = x0 + kx;
                const dst = o + kx * C;
                if (ix < 0 || ix >= W) {
                  for (let c = 0; c < C; c++) col[dst + c] = 0;
                } else {
                  const src = xb + (iy * W + ix) * C;
                  for (let c = 0; c < C; c++) col[dst + c] = x[src + c]!;
                }
              }
            }
            o += rowLen;
          }
        }
      }
    }
  }

  /** dx = Σ over output positions of dcol scattered back to the receptive fields. */
  private col2im(batch: number): void {
    const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, kernel: k, stride: s, padding: p } = this;
    const dcol = this.dcol;
    const dx = this.dx;
    dx.fill(0, 0, batch * this.inSize);
    const rowLen = k * C;
    let o = 0;
    for (let b = 0; b < batch; b++) {
      const xb = b * H * W * C;
      for (let oy = 0; oy < OH; oy++) {
        const y0 = oy * s - p;
        for (let ox = 0; ox < OW; ox++) {
          const x0 = ox * s - p;
          const inside = x0 >= 0 && x0 + k <= W;
          for (let ky = 0; ky < k; ky++) {
            const iy = y0 + ky;
            if (iy >= 0 && iy < H) {
              if (inside) {
                const dst = xb + (iy * W + x0) * C;
                for (let t = 0; t < rowLen; t++) dx[dst + t]! += dcol[o + t]!;
              } else {
                for (let kx = 0; kx < k; kx++) {
                  const ix = x0 + kx;
                  if (ix < 0 || ix >= W) continue;
                  const dst = xb + (iy * W + ix) * C;
                  const src = o + kx * C;
                  for (let c = 0; c < C; c++) dx[dst + c]! += dcol[src + c]!;
                }
              }
            }
            o += rowLen;
          }
        }
      }
    }
  }
}
