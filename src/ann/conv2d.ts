/**
 * 2-D convolution over channel-last images (sample b, row y, column x,
 * channel c at x[((b·H + y)·W + x)·C + c]), zero padding, square kernel,
 * optionally with a fused ReLU. Weights W are [K × F], K = k·k·C in (ky, kx, c)
 * order, F = outChannels.
 *
 * With WebAssembly SIMD and F a multiple of 4 (the usual case) the layer runs
 * the kernels of ann/conv-kernels.ts on buffers of one WebAssembly memory (a
 * PatchArena holding the working buffers; x, dy, W and the bias are copied in,
 * so the parameters stay plain arrays):
 *
 *   forward   sparse input (under 30% non-zero, e.g. MNIST pixels): scatter each
 *             non-zero input into the outputs whose window holds it; otherwise
 *             gather each output's patch straight from the image (no im2col
 *             buffer) in register tiles. With padding the patches are gathered
 *             from an im2col copy instead. Bias first, ReLU fused.
 *   backward  g = dy masked by the ReLU (y > 0), the bias gradient summed in
 *             float64; dW by scattering the non-zero inputs (after a scatter
 *             forward) or from per-channel lists of the non-zero g; dx from
 *             per-position lists of the non-zero g, added straight into dx's
 *             patches (no dcol buffer; with padding: dcol = g·Wᵀ, then col2im).
 *             `inputGrad: false` (a first layer) skips dx.
 *
 * All of these give the same float32 results, bit for bit, as the im2col +
 * matrix-product formulation (y = bias + Σ_k col[r, k]·W[k, f] with k
 * ascending, dWᵀ = gᵀ·col with r ascending, dx = col2im(g·Wᵀ)), whichever of
 * scatter or gather runs. `relaxedSimd: true` makes every vector multiply-add a
 * relaxed-SIMD f32x4.relaxed_madd, fused (one rounding) on CPUs with FMA: faster,
 * different in the last bits; where the engine lacks relaxed SIMD the exact
 * kernels run (see `fused`).
 *
 * `simd: false` (or F % 4 ≠ 0, or no WebAssembly SIMD) keeps plain JavaScript:
 * im2col + the products of core/matmul.ts, summing in float64 within groups of
 * four terms, so its results differ from the SIMD path's in the last bits.
 *
 * Measured on the benchmark CNN (8c5-p2-16c5-p2-fc10, batch 32, process CPU
 * time per epoch of 8,000 digits on a shared 2-core Xeon, Node 20): the first
 * layer's forward 272 ms with im2col + the sparse product vs 72 ms scattering,
 * its backward 237 vs 82 ms; the second layer's forward 210 vs 89 ms
 * gathering, its backward 310 ms with dcol + col2im vs 89 ms with the lists.
 */
import { PatchArena, matmul, matmulTransA, type PatchShape } from "../core/kernels.js";
import type { Rng } from "../core/rng.js";
import { GATHER_TILES, convModule } from "./conv-kernels.js";
import { initBias, initWeights, type InitName } from "./init.js";
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
  /** Use the WebAssembly SIMD kernels where possible (default true). */
  simd?: boolean;
  /**
   * Use relaxed SIMD's fused multiply-add where the engine has it (default
   * false: the exact kernels, bit-identical on every engine).
   */
  relaxedSimd?: boolean;
  /**
   * SIMD forward pass: "auto" (default) scatters inputs under 30% non-zero and
   * gathers patches otherwise; "scatter" or "gather" force one (tests and
   * benchmarks: both give the same results bit for bit).
   */
  strategy?: "auto" | "scatter" | "gather";
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

/** Below this fraction of non-zero inputs the forward pass scatters the inputs; at or above it, it gathers patches. */
export const SCATTER_BELOW_DENSITY = 0.3;

type Kernel = (...args: number[]) => number;

/** The WebAssembly kernels of one layer, bound to its arena. */
interface ConvKernels {
  scatterForward: Kernel;
  scatterWeightGrad: Kernel;
  gather: Kernel;
  maskGradient: Kernel;
  compactColumns: Kernel;
  weightGradLists: Kernel;
  inputGradLists: Kernel;
  countNonzero: Kernel;
}

/**
 * A 2-D convolution over channel-last images (square kernel, zero padding, optional fused ReLU),
 * computed by the WebAssembly SIMD kernels of ann/conv-kernels.ts where available.
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
  /** Whether the relaxed-SIMD (fused multiply-add) kernels run. */
  readonly fused: boolean;
  /** Weights [K × F], K = kernel·kernel·inChannels in (ky, kx, c) order. */
  readonly weight: Param;
  readonly bias: Param;
  /** Output positions per sample (rows of col per sample). */
  private readonly positions: number;
  /** K, and the row stride of col, dcol and wT (K padded to a multiple of 4 with SIMD). */
  private readonly patch: number;
  private readonly kp: number;
  private readonly arena: PatchArena | null;
  private readonly kernels: ConvKernels | null;
  private readonly col: Float32Array;
  private readonly y: Float32Array;
  private readonly dcol: Float32Array;
  private readonly dx: Float32Array;
  /** SIMD only: the input copied into the arena, and the im2col geometry. */
  private readonly xIn: Float32Array;
  private readonly patchShape: PatchShape;
  private readonly wT: Float32Array;
  /** SIMD only: W and the bias copied into the arena before each forward pass (the params stay plain arrays). */
  private readonly wIn: Float32Array;
  private readonly biasIn: Float32Array;
  /** dWᵀ [F × Kp] (JavaScript), or the kernels' dW [K × F] / dWᵀ [F × K] (SIMD). */
  private readonly dwT: Float32Array;
  /** dy after the ReLU mask [rows × F]; JavaScript: also transposed [F × rows]. */
  private readonly g: Float32Array;
  /** SIMD only: each output position's patch address, the bias sums, the non-zero lists. */
  private readonly table: Int32Array;
  private readonly db64: Float64Array;
  private readonly lists: Int32Array;
  private readonly counts: Int32Array;
  private readonly scratch: Int32Array;
  /** Patches as segments (see gatherForward): count, floats each, bytes apart. */
  private readonly segs: number;
  private readonly segLen: number;
  private readonly segStride: number;
  private readonly strategy: "auto" | "scatter" | "gather";
  /** Whether the last forward pass scattered (its backward then scatters dW too). */
  private scattered = false;

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
    this.strategy = c.strategy ?? "auto";
    this.inSize = c.inHeight * c.inWidth * c.inChannels;
    this.positions = this.outHeight * this.outWidth;
    this.outSize = this.positions * c.outChannels;
    const K = c.kernel * c.kernel * c.inChannels;
    const F = c.outChannels;
    this.patch = K;

    const rowsMax = maxBatch * this.positions;
    const kp = Math.ceil(K / 4) * 4;
    const useSimd = (c.simd ?? true) && F % 4 === 0;
    const fma = c.relaxedSimd ?? false;
    const module = useSimd ? ((fma ? convModule(true, F) : null) ?? convModule(false, F)) : null;
    const padded = padding > 0;
    const arena =
      module !== null
        ? new PatchArena(
            maxBatch * this.inSize * (this.inputGrad ? 2 : 1) + // xIn, dx
              maxBatch * this.outSize + // y
              K * F +
              2 * kp * F + // W, dW (either layout), Wᵀ
              F + // bias
              rowsMax * F + // g
              2 * F + // db64
              rowsMax + // table
              2 * rowsMax * F + // lists
              F + // counts
              2 * F + // scratch
              (padded ? rowsMax * kp * (this.inputGrad ? 2 : 1) : 0) + // col, dcol
              64 * 4, // alignment of the allocations above
            true,
            fma,
          )
        : null;
    const exports = arena?.simd ? arena.instantiate(module) : null;
    this.arena = exports !== null ? arena : null;
    const F4 = F % 16 === 0 ? 0 : F % 8 === 0 ? 1 : 2;
    this.kernels =
      exports !== null
        ? {
            scatterForward: exports["scatterForward"] as Kernel,
            scatterWeightGrad: exports["scatterWeightGrad"] as Kernel,
            gather: exports[GATHER_TILES[F4]!.name] as Kernel,
            maskGradient: exports["maskGradient"] as Kernel,
            compactColumns: exports["compactColumns"] as Kernel,
            weightGradLists: exports["weightGradLists"] as Kernel,
            inputGradLists: exports["inputGradLists"] as Kernel,
            countNonzero: exports["countNonzero"] as Kernel,
          }
        : null;
    this.fused = this.arena !== null && fma && module === convModule(true, F);
    const simd = this.arena;
    const alloc = (n: number) => (simd !== null ? simd.alloc(n) : new Float32Array(n));
    const simdOnly = (n: number) => (simd !== null ? simd.alloc(n) : new Float32Array(0));
    this.kp = simd !== null ? kp : K;
    const w = new Float32Array(K * F);
    const init = c.init ?? "he-uniform";
    initWeights(w, K, c.kernel * c.kernel * F, init, rng);
    this.weight = { name: "W", value: w, grad: new Float32Array(w.length), decay: true };
    const bias = new Float32Array(F);
    initBias(bias, K, init, rng.fork("bias"));
    this.bias = { name: "b", value: bias, grad: new Float32Array(F), decay: false };
    this.wIn = simdOnly(K * F);
    this.biasIn = simdOnly(F);
    this.y = alloc(maxBatch * this.outSize);
    this.xIn = simdOnly(maxBatch * this.inSize);
    this.dx = this.inputGrad ? alloc(maxBatch * this.inSize) : new Float32Array(0);
    const needCol = simd === null || padded;
    this.col = needCol ? alloc(rowsMax * this.kp) : new Float32Array(0);
    this.dcol = needCol && this.inputGrad ? alloc(rowsMax * this.kp) : new Float32Array(0);
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
    this.wT = alloc(this.kp * F);
    this.dwT = alloc(this.kp * F);
    this.g = simd !== null ? alloc(rowsMax * F) : this.relu ? new Float32Array(rowsMax * F) : new Float32Array(0);
    this.table = simd !== null ? simd.allocInt32(rowsMax) : new Int32Array(0);
    this.db64 = simd !== null ? simd.allocFloat64(F) : new Float64Array(0);
    this.lists = simd !== null ? simd.allocInt32(2 * rowsMax * F) : new Int32Array(0);
    this.counts = simd !== null ? simd.allocInt32(F) : new Int32Array(0);
    this.scratch = simd !== null ? simd.allocInt32(2 * F) : new Int32Array(0);
    // Patches: k kernel rows of k·C floats each, W·C floats apart in the image; with padding, im2col rows.
    this.segs = padded ? 1 : c.kernel;
    this.segLen = padded ? K : c.kernel * c.inChannels;
    this.segStride = padded ? 0 : 4 * c.inWidth * c.inChannels;
    if (simd !== null) {
      const C = c.inChannels;
      for (let r = 0; r < rowsMax; r++) {
        const b = Math.floor(r / this.positions);
        const oy = Math.floor((r % this.positions) / this.outWidth);
        const ox = r % this.outWidth;
        this.table[r] = padded
          ? this.col.byteOffset + 4 * r * kp
          : this.xIn.byteOffset + 4 * ((b * c.inHeight + oy * stride) * c.inWidth + ox * stride) * C;
      }
    }
  }

  /** Convolves `batch` images (`batch × inHeight × inWidth × inChannels`, channel-last). */
  forward(x: Float32Array, batch: number): Float32Array {
    const kernels = this.kernels;
    if (kernels !== null) return this.forwardSimd(kernels, x, batch);
    const rows = batch * this.positions;
    const F = this.outChannels;
    const K = this.patch;
    const relu = this.relu;
    const w = this.weight.value;
    const b = this.bias.value;
    const y = this.y;
    this.im2col(x, batch);
    for (let r = 0; r < rows; r++) {
      const o = r * F;
      for (let f = 0; f < F; f++) y[o + f] = b[f]!;
    }
    matmul(this.col, w, y, rows, K, F, true);
    if (relu) for (let i = 0; i < rows * F; i++) if (y[i]! < 0) y[i] = 0;
    return y;
  }

  private forwardSimd(kernels: ConvKernels, x: Float32Array, batch: number): Float32Array {
    const n = batch * this.inSize;
    const xIn = this.xIn;
    const y = this.y;
    const F = this.outChannels;
    copyInto(xIn, x, n);
    const strategy = this.strategy;
    const scatter =
      strategy === "auto"
        ? kernels.countNonzero(xIn.byteOffset, n) < SCATTER_BELOW_DENSITY * n
        : strategy === "scatter";
    this.scattered = scatter;
    const relu = this.relu ? 1 : 0;
    const wIn = this.wIn;
    const biasIn = this.biasIn;
    wIn.set(this.weight.value);
    biasIn.set(this.bias.value);
    const w = wIn.byteOffset;
    const bias = biasIn.byteOffset;
    if (scatter) {
      kernels.scatterForward(
        xIn.byteOffset,
        w,
        y.byteOffset,
        bias,
        batch,
        this.inHeight,
        this.inWidth,
        this.inChannels,
        this.kernel,
        this.stride,
        this.padding,
        this.outHeight,
        this.outWidth,
        F,
        relu,
      );
    } else {
      if (this.padding > 0) this.arena!.im2col(xIn, this.col, batch, this.patchShape);
      kernels.gather(
        this.table.byteOffset,
        batch * this.positions,
        w,
        bias,
        y.byteOffset,
        F,
        this.segs,
        this.segLen,
        this.segStride,
        relu,
      );
    }
    return y;
  }

  backward(dy: Float32Array, batch: number): Float32Array {
    const kernels = this.kernels;
    if (kernels !== null) return this.backwardSimd(kernels, dy, batch);
    const rows = batch * this.positions;
    const F = this.outChannels;
    const K = this.patch;
    const kp = this.kp;
    // Every field is read here, on every call: a property first read on a branch
    // that one layer never takes (conv1 has no dx) left V8 without type feedback
    // there, and the optimised code deoptimised on every call (3× slower).
    const dx = this.dx;
    const inputGrad = this.inputGrad;
    const col = this.col;
    const dcol = this.dcol;
    const dwT = this.dwT;
    const wT = this.wT;
    const w = this.weight.value;
    const dw = this.weight.grad;
    const relu = this.relu;
    const y = this.y;
    const db = this.bias.grad;
    let g = dy;
    if (relu) {
      g = this.g;
      for (let i = 0; i < rows * F; i++) g[i] = y[i]! > 0 ? dy[i]! : 0;
    }
    for (let r = 0; r < rows; r++) {
      const o = r * F;
      for (let f = 0; f < F; f++) db[f]! += g[o + f]!;
    }
    // Weights: dWᵀ[F×K] = gᵀ · col (skips zero g), then added transposed.
    matmulTransA(g, col, dwT, F, rows, K, false);
    for (let f = 0; f < F; f++) {
      const o = f * kp;
      for (let k = 0; k < K; k++) dw[k * F + f]! += dwT[o + k]!;
    }
    if (!inputGrad) return dx;
    // Input: dcol = g · Wᵀ (skips zero g), then scattered back (col2im).
    for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) wT[f * kp + k] = w[k * F + f]!;
    matmul(g, wT, dcol, rows, F, K, false);
    this.col2im(batch);
    return dx;
  }

  private backwardSimd(kernels: ConvKernels, dy: Float32Array, batch: number): Float32Array {
    const rows = batch * this.positions;
    const F = this.outChannels;
    const K = this.patch;
    const kp = this.kp;
    const g = this.g;
    const db64 = this.db64;
    const db = this.bias.grad;
    const dw = this.weight.grad;
    const dwT = this.dwT;
    const w = this.weight.value;
    const wT = this.wT;
    const dx = this.dx;
    const xIn = this.xIn;
    copyInto(g, dy, rows * F);
    kernels.maskGradient(g.byteOffset, this.y.byteOffset, db64.byteOffset, rows, F, this.relu ? 1 : 0);
    for (let f = 0; f < F; f++) db[f]! += db64[f]!;
    if (this.scattered) {
      // dW [K × F] by scattering the non-zero inputs against g
      kernels.scatterWeightGrad(
        xIn.byteOffset,
        g.byteOffset,
        dwT.byteOffset,
        0,
        batch,
        this.inHeight,
        this.inWidth,
        this.inChannels,
        this.kernel,
        this.stride,
        this.padding,
        this.outHeight,
        this.outWidth,
        F,
        0,
      );
      for (let i = 0; i < K * F; i++) dw[i]! += dwT[i]!;
    } else {
      // dWᵀ [F × K] from each channel's list of non-zero g against the patches
      const cap = 8 * rows;
      kernels.compactColumns(
        g.byteOffset,
        this.table.byteOffset,
        rows,
        F,
        this.lists.byteOffset,
        cap,
        this.counts.byteOffset,
      );
      kernels.weightGradLists(
        this.lists.byteOffset,
        this.counts.byteOffset,
        cap,
        F,
        this.segs,
        this.segLen,
        this.segStride,
        dwT.byteOffset,
        K,
      );
      for (let f = 0; f < F; f++) {
        const o = f * K;
        for (let k = 0; k < K; k++) dw[k * F + f]! += dwT[o + k]!;
      }
    }
    if (!this.inputGrad) return dx;
    for (let k = 0; k < K; k++) for (let f = 0; f < F; f++) wT[f * kp + k] = w[k * F + f]!;
    dx.fill(0, 0, batch * this.inSize);
    if (this.padding === 0) {
      kernels.inputGradLists(
        g.byteOffset,
        wT.byteOffset,
        4 * kp,
        this.table.byteOffset,
        dx.byteOffset - xIn.byteOffset,
        rows,
        F,
        this.segs,
        this.segLen,
        this.segStride,
        this.scratch.byteOffset,
      );
    } else {
      const arena = this.arena!;
      arena.spmm(g, wT, this.dcol, rows, F, kp, false);
      arena.col2im(this.dcol, dx, batch, this.patchShape);
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
