/**
 * Dense linear-algebra kernels over flat row-major Float32Arrays. Every kernel
 * writes into a buffer the caller owns and allocates nothing. Loop orders are
 * chosen so the innermost loop walks contiguous memory.
 */

/** C[m×n] (=|+=) A[m×k] · B[k×n]. */
export function matmul(
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, k: number, n: number, accumulate = false,
): void {
  if (!accumulate) c.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    const cRow = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[aRow + p]!;
      if (av === 0) continue; // sparse inputs (ReLU, spikes) skip whole rows of B
      const bRow = p * n;
      for (let j = 0; j < n; j++) c[cRow + j]! += av * b[bRow + j]!;
    }
  }
}

/** C[m×n] (=|+=) Aᵀ · B, where A is [k×m] and B is [k×n] (weight gradients: Xᵀ·dY). */
export function matmulTransA(
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, k: number, n: number, accumulate = false,
): void {
  if (!accumulate) c.fill(0, 0, m * n);
  for (let p = 0; p < k; p++) {
    const aRow = p * m;
    const bRow = p * n;
    for (let i = 0; i < m; i++) {
      const av = a[aRow + i]!;
      if (av === 0) continue;
      const cRow = i * n;
      for (let j = 0; j < n; j++) c[cRow + j]! += av * b[bRow + j]!;
    }
  }
}

/** C[m×n] (=|+=) A · Bᵀ, where A is [m×k] and B is [n×k] (input gradients: dY·Wᵀ). */
export function matmulTransB(
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, k: number, n: number, accumulate = false,
): void {
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    const cRow = i * n;
    for (let j = 0; j < n; j++) {
      const bRow = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aRow + p]! * b[bRow + p]!;
      c[cRow + j] = accumulate ? c[cRow + j]! + s : s;
    }
  }
}

/** y[i,:] += bias for each of `rows` rows. */
export function addRowVector(y: Float32Array, bias: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) y[r + j]! += bias[j]!;
  }
}

/** out[j] (=|+=) Σ_i x[i,j]: column sums (bias gradients). */
export function sumRows(x: Float32Array, out: Float32Array, rows: number, cols: number, accumulate = false): void {
  if (!accumulate) out.fill(0, 0, cols);
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) out[j]! += x[r + j]!;
  }
}

/** Index of the largest of x[offset .. offset+len). */
export function argmax(x: Float32Array, offset: number, len: number): number {
  let best = 0;
  let bestV = x[offset]!;
  for (let j = 1; j < len; j++) {
    const v = x[offset + j]!;
    if (v > bestV) {
      bestV = v;
      best = j;
    }
  }
  return best;
}
