/**
 * 2-D convolution over channel-last images (sample b, row y, column x,
 * channel c at x[((b·H + y)·W + x)·C + c]), zero padding, square kernel,
 * optionally with a fused ReLU.
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
 * layer) skips dx entirely. `relu: true` clamps y at zero inside the product
 * and masks dy with y > 0 while copying it, saving a separate ReLU layer's
 * two passes and buffers.
 *
 * With WebAssembly SIMD (a PatchArena from core/kernels.ts, outChannels a
 * multiple of 4) all three products run four lanes at a time (core/simd-gemm.ts),
 * and im2col / col2im run in WebAssembly too: col rows are padded with zeros
 * to Kp = K rounded up to a multiple of 4, W and b are copied into the arena
 * for each forward pass, and x and dy are copied (dy also transposed) in.
 * `simd: false` keeps plain JavaScript throughout (the same layout with Kp = K).
 *
 * Measured on the benchmark CNN (2-core machine, batch 32, ms per 8,000
 * digits): the second layer's forward product 1,300 in JavaScript vs 150 in
 * SIMD; the first layer's im2col 300 in JavaScript vs 100 in WebAssembly.
 */
import { PatchArena, matmul, matmulTransA, type PatchShape } from "../core/kernels.js";
import type { Rng } from "../core/rng.js";
import { initWeights, type InitName } from "./init.js";
import type { Layer, Param } from "./layer.js";

/** Shape and options of a {@link Conv2D} layer over channel-last images. */
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
  /** Fused ReLU on the output (default false: linear). */
  relu?: boolean;
  /** Compute dLoss/dInput in backward (default true; false for a first layer). */
  inputGrad?: boolean;
  /** Use the WebAssembly SIMD kernel where possible (default true). */
  simd?: boolean;
}

/** Output side length of a convolution or pooling window sweep. */
export function convOutSize(inSize: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((inSize + 2 * padding - kernel) / stride) + 1;
}

/** dst[0..n) = src[0..n); a view is made only when src is longer than dst. */
export function copyInto(dst: Float32Array, src: Float32Array, n: number): void {
  if (src.length <= dst.length) dst.set(src);
  else dst.set(src.subarray(0, n));
}

/**
 * A 2-D convolution over channel-last images (square kernel, zero padding, optional fused ReLU),
 * computed as im2col and matrix products in WebAssembly SIMD where available.
 *
 * ```ts
 * const conv = new Conv2D({ inHeight: 28, inWidth: 28, inChannels: 1, outChannels: 8, kernel: 5, relu: true }, 32, rng);
 * ```
 */
export class Conv2D implements Layer {
  readonly kind: string;
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
  readonly relu: boolean;
  readonly inputGrad: boolean;
  /** Weights [K × F], K = kernel·kernel·inChannels in (ky, kx, c) order. */
  readonly weight: Param;
  readonly bias: Param;
  /** Output positions per sample (rows of col per sample). */
  private readonly positions: number;
  /** K, and the row stride of col, dcol, wT and dwT (K padded to a multiple of 4 with SIMD). */
  private readonly patch: number;
  private readonly kp: number;
  private readonly arena: PatchArena | null;
  private readonly col: Float32Array;
  private readonly y: Float32Array;
  private readonly dcol: Float32Array;
  private readonly dx: Float32Array;
  /** SIMD only: the input copied into the arena, and the im2col geometry. */
  private readonly xIn: Float32Array;
  private readonly patchShape: PatchShape;
  /** W padded to [Kp × F] and the bias, copied into the arena (SIMD only). */
  private readonly wPad: Float32Array;
  private readonly biasIn: Float32Array;
  private readonly wT: Float32Array;
  private readonly dwT: Float32Array;
  /** dy after the ReLU mask, as is [rows × F] and transposed [F × rows]. */
  private readonly g: Float32Array;
  private readonly gT: Float32Array;

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
    this.relu = c.relu ?? false;
    this.kind = this.relu ? "conv2d+relu" : "conv2d";
    this.outHeight = convOutSize(c.inHeight, c.kernel, stride, padding);
    this.outWidth = convOutSize(c.inWidth, c.kernel, stride, padding);
    if (this.outHeight < 1 || this.outWidth < 1) {
      throw new RangeError(
        `conv kernel ${c.kernel} (stride ${stride}, padding ${padding}) does not fit a ${c.inHeight}×${c.inWidth} input`,
      );
    }
    this.inputGrad = c.inputGrad ?? true;
    this.inSize = c.inHeight * c.inWidth * c.inChannels;
    this.positions = this.outHeight * this.outWidth;
    this.outSize = this.positions * c.outChannels;
    const K = c.kernel * c.kernel * c.inChannels;
    const F = c.outChannels;
    this.patch = K;
    const w = new Float32Array(K * F);
    initWeights(w, K, c.kernel * c.kernel * F, c.init ?? "he-uniform", rng);
    this.weight = { name: "W", value: w, grad: new Float32Array(w.length), decay: true };
    this.bias = { name: "b", value: new Float32Array(F), grad: new Float32Array(F), decay: false };

    const rowsMax = maxBatch * this.positions;
    const kp = Math.ceil(K / 4) * 4;
    const useSimd = (c.simd ?? true) && F % 4 === 0;
    const arena = useSimd
      ? new PatchArena(
          rowsMax * kp * (this.inputGrad ? 2 : 1) +
            maxBatch * this.outSize +
            3 * kp * F +
            F +
            2 * rowsMax * F +
            maxBatch * this.inSize * (this.inputGrad ? 2 : 1),
        )
      : null;
    this.arena = arena?.simd ? arena : null;
    this.kp = this.arena !== null ? kp : K;
    const simd = this.arena;
    const alloc = (n: number) => (simd !== null ? simd.alloc(n) : new Float32Array(n));
    this.col = alloc(rowsMax * this.kp);
    this.y = alloc(maxBatch * this.outSize);
    this.dcol = this.inputGrad ? alloc(rowsMax * this.kp) : new Float32Array(0);
    this.dx = this.inputGrad ? alloc(maxBatch * this.inSize) : new Float32Array(0);
    this.xIn = simd !== null ? alloc(maxBatch * this.inSize) : new Float32Array(0);
    this.patchShape = {
      height: c.inHeight,
      width: c.inWidth,
      channels: c.inChannels,
      kernel: c.kernel,
      stride,
      padding,
      outHeight: this.outHeight,
      outWidth: this.outWidth,
      rowStride: this.kp,
    };
    this.wPad = simd !== null ? alloc(this.kp * F) : new Float32Array(0);
    this.biasIn = simd !== null ? alloc(F) : new Float32Array(0);
    this.wT = alloc(this.kp * F);
    this.dwT = alloc(this.kp * F);
    this.g = simd !== null || this.relu ? alloc(rowsMax * F) : new Float32Array(0);
    this.gT = simd !== null ? alloc(rowsMax * F) : new Float32Array(0);
  }

  /** Convolves `batch` images (`batch × inHeight × inWidth × inChannels`, channel-last). */
  forward(x: Float32Array, batch: number): Float32Array {
    // Fields first (see backward): no property is first read after a loop.
    const rows = batch * this.positions;
    const F = this.outChannels;
    const K = this.patch;
    const kp = this.kp;
    const arena = this.arena;
    const relu = this.relu;
    const col = this.col;
    const wPad = this.wPad;
    const w = this.weight.value;
    const b = this.bias.value;
    const y = this.y;
    const biasIn = this.biasIn;
    const xIn = this.xIn;
    let gathered = false;
    if (arena !== null) {
      copyInto(xIn, x, batch * this.inSize);
      gathered = arena.im2col(xIn, col, batch, this.patchShape);
    }
    if (!gathered) this.im2col(x, batch);
    if (arena !== null) {
      wPad.set(w); // rows K..Kp stay zero
      biasIn.set(b);
      arena.spmm(col, wPad, y, rows, kp, F, false, relu, biasIn);
    } else {
      for (let r = 0; r < rows; r++) {
        const o = r * F;
        for (let f = 0; f < F; f++) y[o + f] = b[f]!;
      }
      matmul(col, w, y, rows, K, F, true);
      if (relu) for (let i = 0; i < rows * F; i++) if (y[i]! < 0) y[i] = 0;
    }
    return y;
  }

  backward(dy: Float32Array, batch: number): Float32Array {
    const rows = batch * this.positions;
    const F = this.outChannels;
    const K = this.patch;
    const kp = this.kp;
    const arena = this.arena;
    // Every field is read here, on every call: a property first read on a branch
    // that one layer never takes (conv1 has no dx) left V8 without type feedback
    // there, and the optimised code deoptimised on every call (3× slower).
    const dx = this.dx;
    const inputGrad = this.inputGrad;
    const col = this.col;
    const dcol = this.dcol;
    const dwT = this.dwT;
    const wT = this.wT;
    const gT = this.gT;
    const gOut = this.g;
    const w = this.weight.value;
    const dw = this.weight.grad;
    // g = dy masked by the ReLU (y > 0); with SIMD also gᵀ [F × rows] in the arena,
    // and g itself only when dx is wanted. One pass per channel f: sequential writes
    // to gᵀ (writing down its columns, at a stride of rows·4 bytes, thrashes the L1
    // cache) and the bias gradient summed on the way.
    const relu = this.relu;
    const y = this.y;
    const db = this.bias.grad;
    let g = dy;
    if (arena !== null) {
      const wantG = inputGrad;
      for (let f = 0; f < F; f++) {
        const o = f * rows;
        let sum = 0;
        for (let r = 0, i = f; r < rows; r++, i += F) {
          const v = relu && !(y[i]! > 0) ? 0 : dy[i]!;
          gT[o + r] = v;
          if (wantG) gOut[i] = v;
          sum += v;
        }
        db[f]! += sum;
      }
      g = gOut;
    } else {
      if (relu) {
        g = gOut;
        for (let i = 0; i < rows * F; i++) g[i] = y[i]! > 0 ? dy[i]! : 0;
      }
      for (let r = 0; r < rows; r++) {
        const o = r * F;
        for (let f = 0; f < F; f++) db[f]! += g[o + f]!;
      }
    }
    // Weights: dWᵀ[F×Kp] = gᵀ · col (skips zero g), then added transposed.
    if (arena !== null) arena.spmm(gT, col, dwT, F, rows, kp, false);
    else matmulTransA(g, col, dwT, F, rows, K, false);
    for (let f = 0; f < F; f++) {
      const o = f * kp;
      for (let k = 0; k < K; k++) dw[k * F + f]! += dwT[o + k]!;
    }
    if (!inputGrad) return dx;
    // Input: dcol = g · Wᵀ (skips zero g), then scattered back (col2im).
    for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) wT[f * kp + k] = w[k * F + f]!;
    if (arena !== null) {
      arena.spmm(g, wT, dcol, rows, F, kp, false);
      dx.fill(0, 0, batch * this.inSize);
      if (!arena.col2im(dcol, dx, batch, this.patchShape)) this.col2im(batch);
    } else {
      matmul(g, wT, dcol, rows, F, K, false);
      this.col2im(batch);
    }
    return dx;
  }

  /** The kernel weights `[kernel·kernel·inChannels × outChannels]` and the biases. */
  params(): readonly Param[] {
    return [this.weight, this.bias];
  }

  /** Multiply-accumulates per sample (bias excluded). */
  macsPerSample(): number {
    return this.positions * this.patch * this.outChannels;
  }

  /** Fills col[r, (ky, kx, c)] with the receptive field of each output position (zeros outside the image). */
  private im2col(x: Float32Array, batch: number): void {
    const {
      inHeight: H,
      inWidth: W,
      inChannels: C,
      outHeight: OH,
      outWidth: OW,
      kernel: k,
      stride: s,
      padding: p,
    } = this;
    const col = this.col;
    const kp = this.kp;
    const rowLen = k * C; // one kernel row: kx and c, contiguous in x when fully inside
    let r = 0;
    for (let b = 0; b < batch; b++) {
      const xb = b * H * W * C;
      for (let oy = 0; oy < OH; oy++) {
        const y0 = oy * s - p;
        for (let ox = 0; ox < OW; ox++, r++) {
          let o = r * kp; // entries K..Kp of each row stay zero
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
    const {
      inHeight: H,
      inWidth: W,
      inChannels: C,
      outHeight: OH,
      outWidth: OW,
      kernel: k,
      stride: s,
      padding: p,
    } = this;
    const dcol = this.dcol;
    const dx = this.dx;
    dx.fill(0, 0, batch * this.inSize);
    const kp = this.kp;
    const rowLen = k * C;
    let r = 0;
    for (let b = 0; b < batch; b++) {
      const xb = b * H * W * C;
      for (let oy = 0; oy < OH; oy++) {
        const y0 = oy * s - p;
        for (let ox = 0; ox < OW; ox++, r++) {
          let o = r * kp;
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
