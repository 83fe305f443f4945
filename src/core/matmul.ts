/**
 * Matrix products in plain JavaScript over flat row-major Float32Arrays: the
 * products the layers call directly and the fallbacks of the SIMD kernel in
 * simd-gemm.ts. Every product writes into a buffer the caller owns and
 * allocates nothing. Loop orders are chosen so the innermost loop walks
 * contiguous memory.
 *
 * `matmul` and `matmulTransA` skip zero entries of A (blank pixels, ReLU
 * zeros, spikes, the zeros max pooling routes back) and fuse four non-zero
 * entries into one pass over a row of C: one load and one store of C per four
 * multiply-adds instead of per one (about twice as fast in V8 as the plain
 * triple loop on the 784-128 MNIST layer). `gemmNNJs` is the dense product (no
 * zero test), four rows of C per pass over a row of B.
 */

/**
 * C[m×n] (=|+=) A[m×k] · B[k×n]. Narrow products (n = 16, or a multiple of 8
 * up to 64: convolution outputs over few channels) keep a block of C's row in
 * local variables instead (register blocking).
 */
export function matmul(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
  accumulate = false,
): void {
  if (!accumulate) c.fill(0, 0, m * n);
  if (n === 16) {
    matmulN16(a, b, c, m, k);
    return;
  }
  if (n % 8 === 0 && n <= 64) {
    matmulN8(a, b, c, m, k, n);
    return;
  }
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    const cRow = i * n;
    // Up to four pending non-zero a[i, p] and the offsets of their rows of B.
    let q = 0;
    let a0 = 0,
      a1 = 0,
      a2 = 0;
    let r0 = 0,
      r1 = 0,
      r2 = 0;
    for (let p = 0; p < k; p++) {
      const av = a[aRow + p]!;
      if (av === 0) continue;
      if (q === 0) {
        a0 = av;
        r0 = p * n;
        q = 1;
      } else if (q === 1) {
        a1 = av;
        r1 = p * n;
        q = 2;
      } else if (q === 2) {
        a2 = av;
        r2 = p * n;
        q = 3;
      } else {
        const r3 = p * n;
        for (let j = 0; j < n; j++) {
          c[cRow + j]! += a0 * b[r0 + j]! + a1 * b[r1 + j]! + a2 * b[r2 + j]! + av * b[r3 + j]!;
        }
        q = 0;
      }
    }
    flushPending(b, c, cRow, n, q, a0, r0, a1, r1, a2, r2);
  }
}

/** C[m×n] (=|+=) Aᵀ · B, where A is [k×m] and B is [k×n] (weight gradients: Xᵀ·dY). */
export function matmulTransA(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
  accumulate = false,
): void {
  if (!accumulate) c.fill(0, 0, m * n);
  // Row i of C gathers the non-zero a[p, i] down column i of A.
  for (let i = 0; i < m; i++) {
    const cRow = i * n;
    let q = 0;
    let a0 = 0,
      a1 = 0,
      a2 = 0;
    let r0 = 0,
      r1 = 0,
      r2 = 0;
    for (let p = 0; p < k; p++) {
      const av = a[p * m + i]!;
      if (av === 0) continue;
      if (q === 0) {
        a0 = av;
        r0 = p * n;
        q = 1;
      } else if (q === 1) {
        a1 = av;
        r1 = p * n;
        q = 2;
      } else if (q === 2) {
        a2 = av;
        r2 = p * n;
        q = 3;
      } else {
        const r3 = p * n;
        for (let j = 0; j < n; j++) {
          c[cRow + j]! += a0 * b[r0 + j]! + a1 * b[r1 + j]! + a2 * b[r2 + j]! + av * b[r3 + j]!;
        }
        q = 0;
      }
    }
    flushPending(b, c, cRow, n, q, a0, r0, a1, r1, a2, r2);
  }
}

/** C[m×16] += A · B with one row of C in 16 locals. */
function matmulN16(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    const o = i * 16;
    let s0 = c[o]!,
      s1 = c[o + 1]!,
      s2 = c[o + 2]!,
      s3 = c[o + 3]!;
    let s4 = c[o + 4]!,
      s5 = c[o + 5]!,
      s6 = c[o + 6]!,
      s7 = c[o + 7]!;
    let t0 = c[o + 8]!,
      t1 = c[o + 9]!,
      t2 = c[o + 10]!,
      t3 = c[o + 11]!;
    let t4 = c[o + 12]!,
      t5 = c[o + 13]!,
      t6 = c[o + 14]!,
      t7 = c[o + 15]!;
    for (let p = 0; p < k; p++) {
      const v = a[aRow + p]!;
      if (v === 0) continue;
      const w = p * 16;
      s0 += v * b[w]!;
      s1 += v * b[w + 1]!;
      s2 += v * b[w + 2]!;
      s3 += v * b[w + 3]!;
      s4 += v * b[w + 4]!;
      s5 += v * b[w + 5]!;
      s6 += v * b[w + 6]!;
      s7 += v * b[w + 7]!;
      t0 += v * b[w + 8]!;
      t1 += v * b[w + 9]!;
      t2 += v * b[w + 10]!;
      t3 += v * b[w + 11]!;
      t4 += v * b[w + 12]!;
      t5 += v * b[w + 13]!;
      t6 += v * b[w + 14]!;
      t7 += v * b[w + 15]!;
    }
    c[o] = s0;
    c[o + 1] = s1;
    c[o + 2] = s2;
    c[o + 3] = s3;
    c[o + 4] = s4;
    c[o + 5] = s5;
    c[o + 6] = s6;
    c[o + 7] = s7;
    c[o + 8] = t0;
    c[o + 9] = t1;
    c[o + 10] = t2;
    c[o + 11] = t3;
    c[o + 12] = t4;
    c[o + 13] = t5;
    c[o + 14] = t6;
    c[o + 15] = t7;
  }
}

/** C[m×n] += A · B for n a multiple of 8: blocks of 8 columns of C in locals. */
function matmulN8(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    for (let j0 = 0; j0 < n; j0 += 8) {
      const o = i * n + j0;
      let s0 = c[o]!,
        s1 = c[o + 1]!,
        s2 = c[o + 2]!,
        s3 = c[o + 3]!;
      let s4 = c[o + 4]!,
        s5 = c[o + 5]!,
        s6 = c[o + 6]!,
        s7 = c[o + 7]!;
      for (let p = 0; p < k; p++) {
        const v = a[aRow + p]!;
        if (v === 0) continue;
        const w = p * n + j0;
        s0 += v * b[w]!;
        s1 += v * b[w + 1]!;
        s2 += v * b[w + 2]!;
        s3 += v * b[w + 3]!;
        s4 += v * b[w + 4]!;
        s5 += v * b[w + 5]!;
        s6 += v * b[w + 6]!;
        s7 += v * b[w + 7]!;
      }
      c[o] = s0;
      c[o + 1] = s1;
      c[o + 2] = s2;
      c[o + 3] = s3;
      c[o + 4] = s4;
      c[o + 5] = s5;
      c[o + 6] = s6;
      c[o + 7] = s7;
    }
  }
}

/** c[cRow..+n) += the 0-3 pending terms a_t · b[r_t..+n). */
function flushPending(
  b: Float32Array,
  c: Float32Array,
  cRow: number,
  n: number,
  q: number,
  a0: number,
  r0: number,
  a1: number,
  r1: number,
  a2: number,
  r2: number,
): void {
  if (q === 3) {
    for (let j = 0; j < n; j++) c[cRow + j]! += a0 * b[r0 + j]! + a1 * b[r1 + j]! + a2 * b[r2 + j]!;
  } else if (q === 2) {
    for (let j = 0; j < n; j++) c[cRow + j]! += a0 * b[r0 + j]! + a1 * b[r1 + j]!;
  } else if (q === 1) {
    for (let j = 0; j < n; j++) c[cRow + j]! += a0 * b[r0 + j]!;
  }
}

/** C[m×n] (=|+=) A · Bᵀ, where A is [m×k] and B is [n×k] (input gradients: dY·Wᵀ). */
export function matmulTransB(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
  accumulate = false,
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

/**
 * C[m×n] (=|+=) A[m×k]·B[k×n] in JavaScript, each operand starting at its
 * offset: four rows of C per pass over a row of B, so each load of B feeds
 * four multiply-adds.
 */
export function gemmNNJs(
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  c: Float32Array,
  cOff: number,
  m: number,
  k: number,
  n: number,
  accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, cOff, cOff + m * n);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = cOff + i * n,
      c1 = c0 + n,
      c2 = c1 + n,
      c3 = c2 + n;
    const a0 = aOff + i * k,
      a1 = a0 + k,
      a2 = a1 + k,
      a3 = a2 + k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p]!,
        x1 = a[a1 + p]!,
        x2 = a[a2 + p]!,
        x3 = a[a3 + p]!;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) {
        const y = b[bp + j]!;
        c[c0 + j]! += x0 * y;
        c[c1 + j]! += x1 * y;
        c[c2 + j]! += x2 * y;
        c[c3 + j]! += x3 * y;
      }
    }
  }
  for (; i < m; i++) {
    const ci = cOff + i * n;
    const ai = aOff + i * k;
    for (let p = 0; p < k; p++) {
      const x = a[ai + p]!;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) c[ci + j]! += x * b[bp + j]!;
    }
  }
}
