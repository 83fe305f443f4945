/**
 * 2-D pooling over channel-last images (same layout as Conv2D), each channel
 * on its own, no padding: a window of `size`×`size` moved by `stride`
 * (default `size`). Output side = floor((in - size) / stride) + 1.
 *
 * MaxPool2D keeps the flat input index of each window's maximum (the first
 * one on ties) and routes the gradient there; AvgPool2D spreads it evenly.
 */
import type { Layer, Param } from "./layer.js";
import { convOutSize } from "./conv2d.js";

/** Shape of a pooling layer: a `size`×`size` window moved by `stride` (default `size`) over channel-last images. */
export interface Pool2DConfig {
  inHeight: number;
  inWidth: number;
  channels: number;
  size: number;
  stride?: number;
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

  constructor(c: Pool2DConfig, maxBatch: number) {
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
    this.y = new Float32Array(maxBatch * this.outSize);
    this.dx = new Float32Array(maxBatch * this.inSize);
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

/** Max pooling: each window's maximum; the gradient goes to the input that won (the first one on ties). */
export class MaxPool2D extends Pool2D {
  readonly kind = "maxpool2d";
  /** Flat index (within the batch) of the input that won each output. */
  private readonly argmax: Int32Array;

  constructor(c: Pool2DConfig, maxBatch: number) {
    super(c, maxBatch);
    this.argmax = new Int32Array(maxBatch * this.outSize);
  }

  forward(x: Float32Array, batch: number): Float32Array {
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
