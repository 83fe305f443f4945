/**
 * Register-blocked matrix product for the recurrent cells' dense products
 * (hidden states are never sparse, so the zero-skipping kernels of
 * core/kernels.ts gain nothing there). Same signature as `matmulTransB`:
 *
 *   C[m×n] (=|+=) A[m×k] · Bᵀ, A row-major [m×k], B row-major [n×k].
 *
 * Both operands are walked contiguously along k, and each pass computes a 2×4
 * tile of C in eight local accumulators, so every load feeds more than one
 * multiply-add. On this project's machines that runs ~3× faster than the
 * one-row axpy and dot loops.
 */
export function gemmNT(
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, k: number, n: number, accumulate = false,
): void {
  const m2 = m & ~1;
  const n4 = n & ~3;
  for (let i = 0; i < m2; i += 2) {
    const a0 = i * k;
    const a1 = a0 + k;
    const c0 = i * n;
    const c1 = c0 + n;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p]!;
        const x1 = a[a1 + p]!;
        const y0 = b[b0 + p]!;
        const y1 = b[b1 + p]!;
        const y2 = b[b2 + p]!;
        const y3 = b[b3 + p]!;
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      if (accumulate) {
        c[c0 + j]! += s00; c[c0 + j + 1]! += s01; c[c0 + j + 2]! += s02; c[c0 + j + 3]! += s03;
        c[c1 + j]! += s10; c[c1 + j + 1]! += s11; c[c1 + j + 2]! += s12; c[c1 + j + 3]! += s13;
      } else {
        c[c0 + j] = s00; c[c0 + j + 1] = s01; c[c0 + j + 2] = s02; c[c0 + j + 3] = s03;
        c[c1 + j] = s10; c[c1 + j + 1] = s11; c[c1 + j + 2] = s12; c[c1 + j + 3] = s13;
      }
    }
    for (let j = n4; j < n; j++) {
      const bj = j * k;
      let s0 = 0, s1 = 0;
      for (let p = 0; p < k; p++) {
        const y = b[bj + p]!;
        s0 += a[a0 + p]! * y;
        s1 += a[a1 + p]! * y;
      }
      c[c0 + j] = accumulate ? c[c0 + j]! + s0 : s0;
      c[c1 + j] = accumulate ? c[c1 + j]! + s1 : s1;
    }
  }
  for (let i = m2; i < m; i++) {
    const ai = i * k;
    const ci = i * n;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
      c[ci + j] = accumulate ? c[ci + j]! + s : s;
    }
  }
}

/** dst[cols×rows] = srcᵀ for a row-major src[rows×cols]. */
export function transpose(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) dst[j * rows + i] = src[r + j]!;
  }
}
