/**
 * Kernels for spike-shaped operands, where most entries of the left-hand
 * matrix are zero. Like core/kernels.ts they write into caller-owned buffers
 * and allocate nothing.
 */

/**
 * G[k×n] += Xᵀ·D for X [rows×k] and D [rows×n], row by row: each non-zero
 * x[r,p] (a spike, or a lit pixel) adds x[r,p]·D[r,:] to row p of G. The cost
 * is (non-zeros of X)·n multiply-adds plus one compare per entry of X, with
 * contiguous inner loops and no transpose. Four non-zeros of one row are
 * gathered before D's row is read, so each load of d[r, j] feeds four rows of G.
 */
export function scatterOuterProduct(
  x: Float32Array,
  d: Float32Array,
  g: Float32Array,
  rows: number,
  k: number,
  n: number,
): void {
  for (let r = 0; r < rows; r++) {
    const xr = r * k;
    const dr = r * n;
    let q = 0;
    let a0 = 0,
      a1 = 0,
      a2 = 0;
    let g0 = 0,
      g1 = 0,
      g2 = 0;
    for (let p = 0; p < k; p++) {
      const v = x[xr + p]!;
      if (v === 0) continue;
      if (q === 0) {
        a0 = v;
        g0 = p * n;
        q = 1;
      } else if (q === 1) {
        a1 = v;
        g1 = p * n;
        q = 2;
      } else if (q === 2) {
        a2 = v;
        g2 = p * n;
        q = 3;
      } else {
        const g3 = p * n;
        for (let j = 0; j < n; j++) {
          const dv = d[dr + j]!;
          g[g0 + j]! += a0 * dv;
          g[g1 + j]! += a1 * dv;
          g[g2 + j]! += a2 * dv;
          g[g3 + j]! += v * dv;
        }
        q = 0;
      }
    }
    if (q >= 1) for (let j = 0; j < n; j++) g[g0 + j]! += a0 * d[dr + j]!;
    if (q >= 2) for (let j = 0; j < n; j++) g[g1 + j]! += a1 * d[dr + j]!;
    if (q >= 3) for (let j = 0; j < n; j++) g[g2 + j]! += a2 * d[dr + j]!;
  }
}

/** dst[cols×rows] = srcᵀ for src [rows×cols]. */
export function transposeInto(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) dst[j * rows + i] = src[r + j]!;
  }
}

/** Number of non-zero entries of x[0..n). */
export function countNonZero(x: Float32Array, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (x[i] !== 0) c++;
  return c;
}
