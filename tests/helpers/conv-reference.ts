/**
 * A scalar float32 reference of Conv2D's exact SIMD kernels: the im2col +
 * matrix-product formulation written out element by element, every multiply
 * and add rounded to float32 with Math.fround, in the order the kernels sum:
 *
 *   y[r, f]    = bias[f], then + col[r, k]·W[k, f] for k = (ky, kx, c) ascending;
 *                max(y, 0) with the fused ReLU
 *   g[r, f]    = dy[r, f] where y[r, f] > 0 (ReLU), else 0; dy without ReLU
 *   db[f]     += Σ_r g[r, f] summed in float64, r ascending, rounded once
 *   dW[k, f]  += (0, then + g[r, f]·col[r, k] for r ascending)
 *   dx         = 0, then for r ascending: + dcol[r, k] at the pixel of tap k,
 *                dcol[r, k] = 0, then + g[r, f]·W[k, f] for f ascending
 *
 * Zero terms are left out, as the kernels may (adding ±0 to a sum that starts
 * at a bias or at +0 does not change it). col[r, k] is the input pixel under
 * tap k of output position r, or 0 in the padding.
 */
import type { Conv2D } from "../../src/ann/conv2d.js";

const fr = Math.fround;

/** Flat input index under tap k of output position r, or -1 in the padding. */
function pixel(conv: Conv2D, r: number, k: number): number {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, kernel, stride, padding } = conv;
  const b = Math.floor(r / (OH * OW));
  const oy = Math.floor((r % (OH * OW)) / OW);
  const ox = r % OW;
  const c = k % C;
  const kx = Math.floor(k / C) % kernel;
  const ky = Math.floor(k / (C * kernel));
  const iy = oy * stride - padding + ky;
  const ix = ox * stride - padding + kx;
  if (iy < 0 || iy >= H || ix < 0 || ix >= W) return -1;
  return ((b * H + iy) * W + ix) * C + c;
}

export interface ReferenceResult {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  db: Float32Array;
}

/** Forward and backward of `conv`'s weights on x and dy, gradients added to copies of `dw0`, `db0`. */
export function convReference(
  conv: Conv2D,
  x: Float32Array,
  dy: Float32Array,
  batch: number,
  dw0: Float32Array,
  db0: Float32Array,
): ReferenceResult {
  const F = conv.outChannels;
  const K = conv.kernel * conv.kernel * conv.inChannels;
  const rows = batch * conv.outHeight * conv.outWidth;
  const w = conv.weight.value;
  const bias = conv.bias.value;
  const col = (r: number, k: number) => {
    const i = pixel(conv, r, k);
    return i < 0 ? 0 : x[i]!;
  };
  const y = new Float32Array(rows * F);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) {
      let acc = bias[f]!;
      for (let k = 0; k < K; k++) {
        const a = col(r, k);
        if (a !== 0) acc = fr(acc + fr(a * w[k * F + f]!));
      }
      y[r * F + f] = conv.relu ? Math.max(acc, 0) : acc;
    }
  }
  const g = new Float32Array(rows * F);
  for (let i = 0; i < rows * F; i++) g[i] = conv.relu && !(y[i]! > 0) ? 0 : dy[i]!;
  const db = db0.slice();
  for (let f = 0; f < F; f++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += g[r * F + f]!;
    db[f] = fr(db[f]! + sum);
  }
  const dw = dw0.slice();
  for (let f = 0; f < F; f++) {
    for (let k = 0; k < K; k++) {
      let acc = 0;
      for (let r = 0; r < rows; r++) {
        const v = g[r * F + f]!;
        if (v !== 0) acc = fr(acc + fr(v * col(r, k)));
      }
      dw[k * F + f] = fr(dw[k * F + f]! + acc);
    }
  }
  const dx = new Float32Array(batch * conv.inSize);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < K; k++) {
      let acc = 0;
      for (let f = 0; f < F; f++) {
        const v = g[r * F + f]!;
        if (v !== 0) acc = fr(acc + fr(v * w[k * F + f]!));
      }
      const i = pixel(conv, r, k);
      if (i >= 0) dx[i] = fr(dx[i]! + acc);
    }
  }
  return { y, dx, dw, db };
}

/**
 * Per output element, Σ over its terms of |term| in float64 (|bias| + Σ_k |col·W| for y,
 * Σ_r |g·col| for dW, Σ_r Σ_f |g·W| over the dx pixel's contributions): the scale of
 * the float32 rounding error bounds in the relaxed-SIMD tests.
 */
export function convMagnitudes(
  conv: Conv2D,
  x: Float32Array,
  g: Float32Array,
  batch: number,
): { y: Float64Array; dw: Float64Array; dx: Float64Array } {
  const F = conv.outChannels;
  const K = conv.kernel * conv.kernel * conv.inChannels;
  const rows = batch * conv.outHeight * conv.outWidth;
  const w = conv.weight.value;
  const y = new Float64Array(rows * F);
  const dw = new Float64Array(K * F);
  const dx = new Float64Array(batch * conv.inSize);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < K; k++) {
      const i = pixel(conv, r, k);
      const a = i < 0 ? 0 : Math.abs(x[i]!);
      for (let f = 0; f < F; f++) {
        const gv = Math.abs(g[r * F + f]!);
        const wv = Math.abs(w[k * F + f]!);
        y[r * F + f]! += a * wv;
        dw[k * F + f]! += gv * a;
        if (i >= 0) dx[i]! += gv * wv;
      }
    }
  }
  for (let r = 0; r < rows; r++) for (let f = 0; f < F; f++) y[r * F + f]! += Math.abs(conv.bias.value[f]!);
  return { y, dw, dx };
}
