/**
 * 2-D pooling over channel-last images (same layout as Conv2D), each channel
 * on its own, no padding: a window of `size`×`size` moved by `stride`
 * (default `size`). Output side = floor((in - size) / stride) + 1.
 *
 * MaxPool2D keeps the flat input index of each window's maximum (the first
 * one on ties) and routes the gradient there; AvgPool2D spreads it evenly.
 *
 * With WebAssembly SIMD and channels % 4 = 0, MaxPool2D runs the kernels of
 * ann/pool-kernels.ts (four channels per instruction, the same results bit for
 * bit) on buffers of its own SimdArena, x and dy copied in; `simd: false`
 * keeps the JavaScript loops. Measured on the benchmark CNN's first pooling
 * layer (24×24×8, batch 32; CPU time per epoch of 8,000 digits): forward
 * 124 ms in JavaScript vs 20 ms in WebAssembly (27 ms with the copy in).
 */
import { SimdArena } from "../core/simd-gemm.js";
import type { Layer, Param } from "./layer.js";
import { convOutSize, copyInto } from "./conv2d.js";
import { maxPoolModule } from "./pool-kernels.js";

/** Shape of a pooling layer: a `size`×`size` window moved by `stride` (default `size`) over channel-last images. */
export interface Pool2DConfig {
  inHeight: number;
  inWidth: number;
  channels: number;
  size: number;
  stride?: number;
  /** Max pooling: use the WebAssembly SIMD kernels where possible (default true). */
  simd?: boolean;
}

abstract class Pool2D implements Layer {
  abstract readonly kind: string;
  readonly inSize: number;
  readonly outSize: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly size: number;
  readonly stride: number;
  protected readonly y: Float32Array;
  protected readonly dx: Float32Array;

  /** `alloc` gives the output and input-gradient buffers (a SIMD arena's, or plain arrays). */
  constructor(c: Pool2DConfig, maxBatch: number, alloc: (n: number) => Float32Array = (n) => new Float32Array(n)) {
    this.inHeight = c.inHeight;
    this.inWidth = c.inWidth;
    this.channels = c.channels;
    this.size = c.size;
    this.stride = c.stride ?? c.size;
    this.outHeight = convOutSize(c.inHeight, c.size, this.stride, 0);
    this.outWidth = convOutSize(c.inWidth, c.size, this.stride, 0);
    if (this.outHeight < 1 || this.outWidth < 1) {
      throw new RangeError(`pool window ${c.size} does not fit a ${c.inHeight}×${c.inWidth} input`);
    }
    this.inSize = c.inHeight * c.inWidth * c.channels;
    this.outSize = this.outHeight * this.outWidth * c.channels;
    this.y = alloc(maxBatch * this.outSize);
    this.dx = alloc(maxBatch * this.inSize);
  }

  /** Pools `batch` images. */
  abstract forward(x: Float32Array, batch: number): Float32Array;
  /** Routes dLoss/dOutput back to the inputs. */
  abstract backward(dy: Float32Array, batch: number): Float32Array;

  /** None: pooling has no parameters. */
  params(): readonly Param[] {
    return [];
  }
}

type PoolKernel = (...args: number[]) => void;

/** The SIMD arena of a max-pooling layer and its kernels, or null (JavaScript). */
function poolArena(
  c: Pool2DConfig,
  maxBatch: number,
): { arena: SimdArena; forward: PoolKernel; backward: PoolKernel } | null {
  const module = (c.simd ?? true) && c.channels % 4 === 0 ? maxPoolModule() : null;
  if (module === null) return null;
  const inFloats = maxBatch * c.inHeight * c.inWidth * c.channels;
  const outH = convOutSize(c.inHeight, c.size, c.stride ?? c.size, 0);
  const outW = convOutSize(c.inWidth, c.size, c.stride ?? c.size, 0);
  const outFloats = maxBatch * Math.max(0, outH) * Math.max(0, outW) * c.channels;
  const arena = new SimdArena(2 * inFloats + 3 * outFloats + 64);
  const exports = arena.simd ? arena.instantiate(module) : null;
  if (exports === null) return null;
  return {
    arena,
    forward: exports["maxPoolForward"] as PoolKernel,
    backward: exports["maxPoolBackward"] as PoolKernel,
  };
}

/** Max pooling: each window's maximum; the gradient goes to the input that won (the first one on ties). */
export class MaxPool2D extends Pool2D {
  readonly kind = "maxpool2d";
  /** Flat index (within the batch) of the input that won each output. */
  private readonly argmax: Int32Array;
  private readonly simd: ReturnType<typeof poolArena>;
  /** SIMD only: x and dy copied into the arena. */
  private readonly xIn: Float32Array;
  private readonly dyIn: Float32Array;

  constructor(c: Pool2DConfig, maxBatch: number) {
    const simd = poolArena(c, maxBatch);
    super(c, maxBatch, simd !== null ? (n) => simd.arena.alloc(n) : undefined);
    this.simd = simd;
    this.argmax =
      simd !== null ? simd.arena.allocInt32(maxBatch * this.outSize) : new Int32Array(maxBatch * this.outSize);
    this.xIn = simd !== null ? simd.arena.alloc(maxBatch * this.inSize) : new Float32Array(0);
    this.dyIn = simd !== null ? simd.arena.alloc(maxBatch * this.outSize) : new Float32Array(0);
  }

  forward(x: Float32Array, batch: number): Float32Array {
    const simd = this.simd;
    if (simd !== null) {
      const xIn = this.xIn;
      copyInto(xIn, x, batch * this.inSize);
      simd.forward(
        xIn.byteOffset,
        this.y.byteOffset,
        this.argmax.byteOffset,
        batch,
        this.inHeight,
        this.inWidth,
        this.channels,
        this.size,
        this.stride,
        this.outHeight,
        this.outWidth,
      );
      return this.y;
    }
    const { inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW, size: k, stride: s } = this;
    const y = this.y;
    const arg = this.argmax;
    let o = 0;
    for (let b = 0; b < batch; b++) {
      const xb = b * H * W * C;
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          const first = xb + (oy * s * W + ox * s) * C;
          // Start every channel at the window's top-left pixel, then scan the rest.
          for (let c = 0; c < C; c++) {
            y[o + c] = x[first + c]!;
            arg[o + c] = first + c;
          }
          for (let ky = 0; ky < k; ky++) {
            for (let kx = ky === 0 ? 1 : 0; kx < k; kx++) {
              const i = xb + ((oy * s + ky) * W + ox * s + kx) * C;
              for (let c = 0; c < C; c++) {
                const v = x[i + c]!;
                if (v > y[o + c]!) {
                  y[o + c] = v;
                  arg[o + c] = i + c;
                }
              }
            }
          }
          o += C;
        }
      }
    }
    return y;
  }

  backward(dy: Float32Array, batch: number): Float32Array {
    const dx = this.dx;
    const simd = this.simd;
    if (simd !== null) {
      const dyIn = this.dyIn;
      const n = batch * this.outSize;
      copyInto(dyIn, dy, n);
      simd.backward(dyIn.byteOffset, this.argmax.byteOffset, dx.byteOffset, n, batch * this.inSize);
      return dx;
    }
    dx.fill(0, 0, batch * this.inSize);
    const arg = this.argmax;
    const n = batch * this.outSize;
    for (let i = 0; i < n; i++) dx[arg[i]!]! += dy[i]!;
    return dx;
  }
}

/** Average pooling: each window's mean; the gradient is spread evenly over the window. */
export class AvgPool2D extends Pool2D {
  readonly kind = "avgpool2d";

  forward(x: Float32Array, batch: number): Float32Array {
    const { inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW, size: k, stride: s } = this;
    const y = this.y;
    const scale = 1 / (k * k);
    y.fill(0, 0, batch * this.outSize);
    let o = 0;
    for (let b = 0; b < batch; b++) {
      const xb = b * H * W * C;
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const i = xb + ((oy * s + ky) * W + ox * s + kx) * C;
              for (let c = 0; c < C; c++) y[o + c]! += x[i + c]!;
            }
          }
          for (let c = 0; c < C; c++) y[o + c]! *= scale;
          o += C;
        }
      }
    }
    return y;
  }

  backward(dy: Float32Array, batch: number): Float32Array {
    const { inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW, size: k, stride: s } = this;
    const dx = this.dx;
    const scale = 1 / (k * k);
    dx.fill(0, 0, batch * this.inSize);
    let o = 0;
    for (let b = 0; b < batch; b++) {
      const xb = b * H * W * C;
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const i = xb + ((oy * s + ky) * W + ox * s + kx) * C;
              for (let c = 0; c < C; c++) dx[i + c]! += dy[o + c]! * scale;
            }
          }
          o += C;
        }
      }
    }
    return dx;
  }
}
