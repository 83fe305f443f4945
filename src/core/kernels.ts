/**
 * Dense linear-algebra kernels over flat row-major Float32Arrays. Every kernel
 * writes into a buffer the caller owns and allocates nothing. Loop orders are
 * chosen so the innermost loop walks contiguous memory.
 *
 * `matmul` and `matmulTransA` skip zero entries of A (blank pixels, ReLU
 * zeros, spikes, the zeros max pooling routes back) and fuse four non-zero
 * entries into one pass over a row of C: one load and one store of C per four
 * multiply-adds instead of per one (about twice as fast in V8 as the plain
 * triple loop on the 784-128 MNIST layer).
 */

/**
 * C[m×n] (=|+=) A[m×k] · B[k×n]. Narrow products (n = 16, or a multiple of 8
 * up to 64: convolution outputs over few channels) keep a block of C's row in
 * local variables instead (register blocking).
 */
export function matmul(
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, k: number, n: number, accumulate = false,
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
    let a0 = 0, a1 = 0, a2 = 0;
    let r0 = 0, r1 = 0, r2 = 0;
    for (let p = 0; p < k; p++) {
      const av = a[aRow + p]!;
      if (av === 0) continue;
      if (q === 0) { a0 = av; r0 = p * n; q = 1; }
      else if (q === 1) { a1 = av; r1 = p * n; q = 2; }
      else if (q === 2) { a2 = av; r2 = p * n; q = 3; }
      else {
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
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, k: number, n: number, accumulate = false,
): void {
  if (!accumulate) c.fill(0, 0, m * n);
  // Row i of C gathers the non-zero a[p, i] down column i of A.
  for (let i = 0; i < m; i++) {
    const cRow = i * n;
    let q = 0;
    let a0 = 0, a1 = 0, a2 = 0;
    let r0 = 0, r1 = 0, r2 = 0;
    for (let p = 0; p < k; p++) {
      const av = a[p * m + i]!;
      if (av === 0) continue;
      if (q === 0) { a0 = av; r0 = p * n; q = 1; }
      else if (q === 1) { a1 = av; r1 = p * n; q = 2; }
      else if (q === 2) { a2 = av; r2 = p * n; q = 3; }
      else {
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
    let s0 = c[o]!, s1 = c[o + 1]!, s2 = c[o + 2]!, s3 = c[o + 3]!;
    let s4 = c[o + 4]!, s5 = c[o + 5]!, s6 = c[o + 6]!, s7 = c[o + 7]!;
    let t0 = c[o + 8]!, t1 = c[o + 9]!, t2 = c[o + 10]!, t3 = c[o + 11]!;
    let t4 = c[o + 12]!, t5 = c[o + 13]!, t6 = c[o + 14]!, t7 = c[o + 15]!;
    for (let p = 0; p < k; p++) {
      const v = a[aRow + p]!;
      if (v === 0) continue;
      const w = p * 16;
      s0 += v * b[w]!; s1 += v * b[w + 1]!; s2 += v * b[w + 2]!; s3 += v * b[w + 3]!;
      s4 += v * b[w + 4]!; s5 += v * b[w + 5]!; s6 += v * b[w + 6]!; s7 += v * b[w + 7]!;
      t0 += v * b[w + 8]!; t1 += v * b[w + 9]!; t2 += v * b[w + 10]!; t3 += v * b[w + 11]!;
      t4 += v * b[w + 12]!; t5 += v * b[w + 13]!; t6 += v * b[w + 14]!; t7 += v * b[w + 15]!;
    }
    c[o] = s0; c[o + 1] = s1; c[o + 2] = s2; c[o + 3] = s3;
    c[o + 4] = s4; c[o + 5] = s5; c[o + 6] = s6; c[o + 7] = s7;
    c[o + 8] = t0; c[o + 9] = t1; c[o + 10] = t2; c[o + 11] = t3;
    c[o + 12] = t4; c[o + 13] = t5; c[o + 14] = t6; c[o + 15] = t7;
  }
}

/** C[m×n] += A · B for n a multiple of 8: blocks of 8 columns of C in locals. */
function matmulN8(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    for (let j0 = 0; j0 < n; j0 += 8) {
      const o = i * n + j0;
      let s0 = c[o]!, s1 = c[o + 1]!, s2 = c[o + 2]!, s3 = c[o + 3]!;
      let s4 = c[o + 4]!, s5 = c[o + 5]!, s6 = c[o + 6]!, s7 = c[o + 7]!;
      for (let p = 0; p < k; p++) {
        const v = a[aRow + p]!;
        if (v === 0) continue;
        const w = p * n + j0;
        s0 += v * b[w]!; s1 += v * b[w + 1]!; s2 += v * b[w + 2]!; s3 += v * b[w + 3]!;
        s4 += v * b[w + 4]!; s5 += v * b[w + 5]!; s6 += v * b[w + 6]!; s7 += v * b[w + 7]!;
      }
      c[o] = s0; c[o + 1] = s1; c[o + 2] = s2; c[o + 3] = s3;
      c[o + 4] = s4; c[o + 5] = s5; c[o + 6] = s6; c[o + 7] = s7;
    }
  }
}

/** c[cRow..+n) += the 0-3 pending terms a_t · b[r_t..+n). */
function flushPending(
  b: Float32Array, c: Float32Array, cRow: number, n: number, q: number,
  a0: number, r0: number, a1: number, r1: number, a2: number, r2: number,
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

// --- WebAssembly SIMD: the same zero-skipping product, four lanes at a time ---

/**
 * `SimdArena`: buffers carved once from one WebAssembly.Memory (never grown,
 * so the views stay valid) and a product over them, compiled from the
 * opcodes below (no build step, no dependency):
 *
 *   C[m×n] += A[m×k] · B[k×n]    n a multiple of 4; zero entries of A skipped;
 *                                 optionally C = bias row + A·B instead, and
 *                                 C = max(C, 0) at the end (fused ReLU)
 *
 * For each row i of C and each block of up to 32 columns, the block of C
 * stays in f32x4 registers while p runs over k: a zero a[i,p] costs one
 * compare, a non-zero one a splat and one multiply-add per four columns.
 * V8 does not vectorise JavaScript; this is where four lanes per instruction
 * are won. Where WebAssembly SIMD is missing (or an operand lives outside the
 * arena, or n is not a multiple of 4) the JavaScript `matmul` runs instead.
 */

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const VOID = 0x40;
const SIMD = 0xfd;
const OP = {
  block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d,
  get: 0x20, set: 0x21, tee: 0x22, f32Load: 0x2a,
  i32Const: 0x41, f32Const: 0x43, f32Eq: 0x5b, i32GeS: 0x4e, i32GtS: 0x4a,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32And: 0x71, i32Shl: 0x74, else: 0x05,
  i32LtU: 0x49, i32Eq: 0x46, i32LeS: 0x4c, f32Store: 0x38, f32Add: 0x92,
} as const;
const V = {
  load: [0x00], store: [0x0b], const: [0x0c], splat: [0x13], add: [0xe4, 0x01], mul: [0xe6, 0x01], max: [0xe9, 0x01],
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

// Params: a, b, c (byte offsets), m, k, n, flags (1: ReLU, 2: start from the bias row), bias (byte offset).
const PA = 0, PB = 1, PC = 2, PM = 3, PK = 4, PN = 5, PFLAGS = 6, PBIAS = 7;
const LI = 8, LJ = 9, LAP = 10, LAEND = 11, LBP = 12, LCP = 13, LNB = 14, LKB = 15; // i32
const LAV = 16; // f32
const LACC = 17; // v128 × 8, then the splat
const LS = 25;

function spmmBody(): number[] {
  const code: number[] = [];
  const e = (...xs: (number | readonly number[])[]): void => {
    for (const x of xs) {
      if (typeof x === "number") code.push(x);
      else code.push(...x);
    }
  };
  const get = (l: number) => [OP.get, l];
  const set = (l: number) => [OP.set, l];
  const mem = (offset: number) => [0, ...uleb(offset)];
  const i32 = (v: number) => [OP.i32Const, ...sleb(v)];
  /** One block of `w` columns (w = 4, 8, ..., 32) of row i, starting at column j. */
  const tile = (w: number) => {
    const q = w / 4;
    e(get(PC), get(LI), get(PN), OP.i32Mul, get(LJ), OP.i32Add, i32(2), OP.i32Shl, OP.i32Add, set(LCP));
    // Start from the bias row (flag 2) or from C.
    e(get(PFLAGS), i32(2), OP.i32And, OP.if, VOID);
    e(get(PBIAS), get(LJ), i32(2), OP.i32Shl, OP.i32Add, set(LBP));
    for (let t = 0; t < q; t++) e(get(LBP), SIMD, V.load, mem(16 * t), set(LACC + t));
    e(OP.else);
    for (let t = 0; t < q; t++) e(get(LCP), SIMD, V.load, mem(16 * t), set(LACC + t));
    e(OP.end);
    e(get(PA), get(LI), get(PK), OP.i32Mul, i32(2), OP.i32Shl, OP.i32Add, OP.tee, LAP, get(LKB), OP.i32Add, set(LAEND));
    e(get(PB), get(LJ), i32(2), OP.i32Shl, OP.i32Add, set(LBP));
    e(OP.block, VOID, OP.loop, VOID);
    e(get(LAP), get(LAEND), OP.i32GeS, OP.brIf, 1);
    e(OP.block, VOID);
    e(get(LAP), OP.f32Load, 2, 0, OP.tee, LAV, OP.f32Const, 0, 0, 0, 0, OP.f32Eq, OP.brIf, 0);
    e(get(LAV), SIMD, V.splat, set(LS));
    for (let t = 0; t < q; t++) {
      e(get(LACC + t), get(LS), get(LBP), SIMD, V.load, mem(16 * t), SIMD, V.mul, SIMD, V.add, set(LACC + t));
    }
    e(OP.end);
    e(get(LAP), i32(4), OP.i32Add, set(LAP));
    e(get(LBP), get(LNB), OP.i32Add, set(LBP));
    e(OP.br, 0, OP.end, OP.end);
    // Fused ReLU: clamp the finished block at zero before storing it.
    e(get(PFLAGS), i32(1), OP.i32And, OP.if, VOID);
    for (let t = 0; t < q; t++) e(get(LACC + t), SIMD, V.const, new Array<number>(16).fill(0), SIMD, V.max, set(LACC + t));
    e(OP.end);
    for (let t = 0; t < q; t++) e(get(LCP), get(LACC + t), SIMD, V.store, mem(16 * t));
  };
  e(get(PN), i32(2), OP.i32Shl, set(LNB));
  e(get(PK), i32(2), OP.i32Shl, set(LKB));
  e(i32(0), set(LI));
  e(OP.block, VOID, OP.loop, VOID); // rows
  e(get(LI), get(PM), OP.i32GeS, OP.brIf, 1);
  e(i32(0), set(LJ));
  // Blocks of 32 columns while they fit, then one block for the rest (4..28): each
  // block rescans the row of A, so fewer, wider blocks skip its zeros fewer times.
  e(OP.block, VOID, OP.loop, VOID);
  e(get(LJ), i32(32), OP.i32Add, get(PN), OP.i32GtS, OP.brIf, 1);
  tile(32);
  e(get(LJ), i32(32), OP.i32Add, set(LJ));
  e(OP.br, 0, OP.end, OP.end);
  for (let w = 28; w >= 4; w -= 4) {
    e(get(PN), get(LJ), OP.i32Sub, i32(w), OP.i32Eq, OP.if, VOID);
    tile(w);
    e(OP.end);
  }
  e(get(LI), i32(1), OP.i32Add, set(LI));
  e(OP.br, 0, OP.end, OP.end);
  e(OP.end);
  const locals = [3, 8, I32, 1, F32, 9, V128];
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/**
 * im2col (mode "gather") and col2im (mode "scatter") for channel-last images:
 * row r of col holds the receptive field of output position r in (ky, kx, c)
 * order, rows `kp` floats apart; outside the image, gather writes zeros and
 * scatter skips. Params: x, col (byte offsets), batch, H, W, C, k, stride,
 * padding, OH, OW, kp.
 */
function patchBody(mode: "gather" | "scatter"): number[] {
  const code: number[] = [];
  const e = (...xs: (number | readonly number[])[]): void => {
    for (const x of xs) {
      if (typeof x === "number") code.push(x);
      else code.push(...x);
    }
  };
  const [X, COL, NB, H, W, C, K, S, P, OH, OW, KP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [B, OY, OX, KY, KX, CI, IY, IX, O, ROW, XB, SRC, SAMPLE] = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
  const [X0, INSIDE, RUNB, T] = [25, 26, 27, 28];
  const get = (l: number) => [OP.get, l];
  const set = (l: number) => [OP.set, l];
  const i32 = (v: number) => [OP.i32Const, ...sleb(v)];
  /** for (l = 0; l < limit; l++) { body } */
  const forLoop = (l: number, limit: number, body: () => void) => {
    e(i32(0), set(l), OP.block, VOID, OP.loop, VOID);
    e(get(l), get(limit), OP.i32GeS, OP.brIf, 1);
    body();
    e(get(l), i32(1), OP.i32Add, set(l), OP.br, 0, OP.end, OP.end);
  };
  /** One float at O (col) and SRC (image): copy or accumulate. */
  const scalar = () => {
    if (mode === "gather") e(get(O), get(SRC), OP.f32Load, 2, 0, OP.f32Store, 2, 0);
    else e(get(SRC), get(SRC), OP.f32Load, 2, 0, get(O), OP.f32Load, 2, 0, OP.f32Add, OP.f32Store, 2, 0);
  };
  e(get(COL), set(ROW));
  e(get(H), get(W), OP.i32Mul, get(C), OP.i32Mul, i32(2), OP.i32Shl, set(SAMPLE));
  e(get(K), get(C), OP.i32Mul, i32(2), OP.i32Shl, set(RUNB)); // one kernel row: k·C floats
  forLoop(B, NB, () => {
    e(get(X), get(B), get(SAMPLE), OP.i32Mul, OP.i32Add, set(XB));
    forLoop(OY, OH, () => {
      forLoop(OX, OW, () => {
        e(get(ROW), set(O));
        e(get(OX), get(S), OP.i32Mul, get(P), OP.i32Sub, set(X0));
        // inside: the whole kernel row lies within the image columns
        e(get(X0), i32(0), OP.i32GeS, get(X0), get(K), OP.i32Add, get(W), OP.i32LeS, OP.i32And, set(INSIDE));
        forLoop(KY, K, () => {
          e(get(OY), get(S), OP.i32Mul, get(P), OP.i32Sub, get(KY), OP.i32Add, set(IY));
          e(get(IY), get(H), OP.i32LtU, OP.if, VOID); // row iy inside the image
          e(get(INSIDE), OP.if, VOID);
          // the k·C floats are contiguous in the image: four at a time, then one at a time
          e(get(XB), get(IY), get(W), OP.i32Mul, get(X0), OP.i32Add, get(C), OP.i32Mul, i32(2), OP.i32Shl, OP.i32Add, set(SRC));
          e(i32(0), set(T), OP.block, VOID, OP.loop, VOID);
          e(get(T), i32(16), OP.i32Add, get(RUNB), OP.i32GtS, OP.brIf, 1);
          if (mode === "gather") {
            e(get(O), get(T), OP.i32Add, get(SRC), get(T), OP.i32Add, SIMD, V.load, 0, 0, SIMD, V.store, 0, 0);
          } else {
            e(get(SRC), get(T), OP.i32Add, get(SRC), get(T), OP.i32Add, SIMD, V.load, 0, 0,
              get(O), get(T), OP.i32Add, SIMD, V.load, 0, 0, SIMD, V.add, SIMD, V.store, 0, 0);
          }
          e(get(T), i32(16), OP.i32Add, set(T), OP.br, 0, OP.end, OP.end);
          e(get(O), get(T), OP.i32Add, set(O), get(SRC), get(T), OP.i32Add, set(SRC));
          e(OP.block, VOID, OP.loop, VOID);
          e(get(T), get(RUNB), OP.i32GeS, OP.brIf, 1);
          scalar();
          e(get(O), i32(4), OP.i32Add, set(O), get(SRC), i32(4), OP.i32Add, set(SRC));
          e(get(T), i32(4), OP.i32Add, set(T), OP.br, 0, OP.end, OP.end);
          e(OP.else);
          // at the left or right edge: column by column
          forLoop(KX, K, () => {
            e(get(X0), get(KX), OP.i32Add, set(IX));
            e(get(IX), get(W), OP.i32LtU, OP.if, VOID);
            e(get(XB), get(IY), get(W), OP.i32Mul, get(IX), OP.i32Add, get(C), OP.i32Mul, i32(2), OP.i32Shl, OP.i32Add, set(SRC));
            forLoop(CI, C, () => {
              scalar();
              e(get(O), i32(4), OP.i32Add, set(O), get(SRC), i32(4), OP.i32Add, set(SRC));
            });
            e(OP.else);
            if (mode === "gather") {
              forLoop(CI, C, () => {
                e(get(O), OP.f32Const, 0, 0, 0, 0, OP.f32Store, 2, 0);
                e(get(O), i32(4), OP.i32Add, set(O));
              });
            } else {
              e(get(O), get(C), i32(2), OP.i32Shl, OP.i32Add, set(O));
            }
            e(OP.end);
          });
          e(OP.end);
          e(OP.else);
          // row iy outside the image: zeros (gather) or nothing (scatter)
          if (mode === "gather") {
            e(i32(0), set(T), OP.block, VOID, OP.loop, VOID);
            e(get(T), get(RUNB), OP.i32GeS, OP.brIf, 1);
            e(get(O), OP.f32Const, 0, 0, 0, 0, OP.f32Store, 2, 0);
            e(get(O), i32(4), OP.i32Add, set(O), get(T), i32(4), OP.i32Add, set(T), OP.br, 0, OP.end, OP.end);
          } else {
            e(get(O), get(RUNB), OP.i32Add, set(O));
          }
          e(OP.end);
        });
        e(get(ROW), get(KP), i32(2), OP.i32Shl, OP.i32Add, set(ROW));
      });
    });
  });
  e(OP.end);
  const body = [1, 17, I32, ...code];
  return [...uleb(body.length), ...body];
}

function spmmModuleBytes(): Uint8Array {
  const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
  const str = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  const params = (n: number) => [0x60, n, ...new Array<number>(n).fill(I32), 0];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [2, ...params(8), ...params(12)]),
    ...section(2, [1, ...str("e"), ...str("m"), 0x02, 0x00, 1]),
    ...section(3, [3, 0, 1, 1]),
    ...section(7, [3, ...str("spmm"), 0x00, 0, ...str("im2col"), 0x00, 1, ...str("col2im"), 0x00, 2]),
    ...section(10, [3, ...spmmBody(), ...patchBody("gather"), ...patchBody("scatter")]),
  ]);
}

/** The slice of the WebAssembly API used here (the project's lib setting does not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
type SpmmFn = (a: number, b: number, c: number, m: number, k: number, n: number, flags: number, bias: number) => void;
type PatchFn = (x: number, col: number, batch: number, h: number, w: number, c: number,
  k: number, stride: number, padding: number, oh: number, ow: number, kp: number) => void;

/** The geometry of an im2col / col2im walk (see Conv2D). */
export interface PatchShape {
  height: number;
  width: number;
  channels: number;
  kernel: number;
  stride: number;
  padding: number;
  outHeight: number;
  outWidth: number;
  /** Row stride of col in floats (≥ kernel²·channels). */
  rowStride: number;
}

const wasm = Reflect.get(globalThis, "WebAssembly") as WasmApi | undefined;
let spmmModule: object | null | undefined;

function compiledSpmm(): object | null {
  if (spmmModule === undefined) {
    try {
      const bytes = spmmModuleBytes();
      spmmModule = wasm !== undefined && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
    } catch {
      spmmModule = null;
    }
  }
  return spmmModule;
}

/** Whether this JavaScript engine runs the WebAssembly SIMD kernel. */
export function simdAvailable(): boolean {
  return compiledSpmm() !== null;
}

/**
 * Buffers for one layer, carved once from one memory, and the SIMD product
 * over them. Size it with the total of all `alloc` sizes. With `useSimd`
 * false (or no SIMD) `alloc` gives plain Float32Arrays and `spmm` is `matmul`.
 */
export class SimdArena {
  readonly simd: boolean;
  private readonly memory: WasmMemory | null;
  private readonly fn: SpmmFn | null;
  private readonly im2colFn: PatchFn | null;
  private readonly col2imFn: PatchFn | null;
  private readonly capacityBytes: number;
  private usedBytes = 0;

  constructor(floats: number, useSimd = true) {
    const mod = useSimd ? compiledSpmm() : null;
    // Each alloc is rounded up to 4 floats: allow for that.
    this.capacityBytes = (floats + 4 * 64) * 4;
    if (mod === null || wasm === undefined) {
      this.simd = false;
      this.memory = null;
      this.fn = null;
      this.im2colFn = null;
      this.col2imFn = null;
      return;
    }
    this.simd = true;
    this.memory = new wasm.Memory({ initial: Math.ceil(this.capacityBytes / 65536) + 1 });
    const exports = new wasm.Instance(mod, { e: { m: this.memory } }).exports;
    this.fn = exports["spmm"] as SpmmFn;
    this.im2colFn = exports["im2col"] as PatchFn;
    this.col2imFn = exports["col2im"] as PatchFn;
  }

  /**
   * col[r, (ky, kx, c)] = x at the receptive field of output position r (zero
   * outside the image), rows `rowStride` apart; both buffers the arena's.
   * Returns false (doing nothing) without SIMD or for outside buffers.
   */
  im2col(x: Float32Array, col: Float32Array, batch: number, g: PatchShape): boolean {
    const fn = this.im2colFn;
    if (fn === null || !this.owns(x) || !this.owns(col)) return false;
    fn(x.byteOffset, col.byteOffset, batch, g.height, g.width, g.channels, g.kernel, g.stride, g.padding,
      g.outHeight, g.outWidth, g.rowStride);
    return true;
  }

  /** dx += col scattered back to the receptive fields (the adjoint of im2col); false as for im2col. */
  col2im(col: Float32Array, dx: Float32Array, batch: number, g: PatchShape): boolean {
    const fn = this.col2imFn;
    if (fn === null || !this.owns(dx) || !this.owns(col)) return false;
    fn(dx.byteOffset, col.byteOffset, batch, g.height, g.width, g.channels, g.kernel, g.stride, g.padding,
      g.outHeight, g.outWidth, g.rowStride);
    return true;
  }

  /** A zeroed view of `n` floats, 16-byte aligned. */
  alloc(n: number): Float32Array {
    if (this.memory === null) return new Float32Array(n);
    const bytes = Math.ceil(n / 4) * 16;
    if (this.usedBytes + bytes > this.capacityBytes) throw new Error("SimdArena: capacity exceeded");
    const view = new Float32Array(this.memory.buffer, this.usedBytes, n);
    this.usedBytes += bytes;
    return view;
  }

  /** Whether `x` is one of this arena's buffers. */
  owns(x: Float32Array): boolean {
    return this.memory !== null && x.buffer === this.memory.buffer;
  }

  /**
   * C[m×n] (=|+=) A[m×k]·B[k×n], skipping zero entries of A; with `bias`
   * (n values) C = bias + A·B in every row instead; then C = max(C, 0) when
   * `relu`. SIMD when all operands are the arena's and n % 4 = 0.
   */
  spmm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number,
    accumulate = false, relu = false, bias: Float32Array | null = null): void {
    const fn = this.fn;
    if (fn !== null && (n & 3) === 0 && this.owns(a) && this.owns(b) && this.owns(c) && (bias === null || this.owns(bias))) {
      if (!accumulate && bias === null) c.fill(0, 0, m * n);
      fn(a.byteOffset, b.byteOffset, c.byteOffset, m, k, n, (relu ? 1 : 0) | (bias !== null ? 2 : 0),
        bias !== null ? bias.byteOffset : 0);
    } else {
      if (bias !== null) {
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c[i * n + j] = bias[j]!;
      }
      matmul(a, b, c, m, k, n, accumulate || bias !== null);
      if (relu) for (let i = 0; i < m * n; i++) if (c[i]! < 0) c[i] = 0;
    }
  }
}
