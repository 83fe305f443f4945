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
 *                                 optionally C = max(C, 0) at the end (fused ReLU)
 *
 * For each row i of C and each block of 16, 8 or 4 columns, the block of C
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
  i32Add: 0x6a, i32Mul: 0x6c, i32Shl: 0x74,
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

// Params: a, b, c (byte offsets), m, k, n, relu (0/1). Locals after them:
const PA = 0, PB = 1, PC = 2, PM = 3, PK = 4, PN = 5, PRELU = 6;
const LI = 7, LJ = 8, LAP = 9, LAEND = 10, LBP = 11, LCP = 12, LNB = 13, LKB = 14; // i32
const LAV = 15; // f32
const LACC = 16; // v128 × 4, then the splat
const LS = 20;

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
  /** One block of `w` columns (w = 16, 8 or 4) of row i, starting at column j. */
  const tile = (w: number) => {
    const q = w / 4;
    e(get(PC), get(LI), get(PN), OP.i32Mul, get(LJ), OP.i32Add, i32(2), OP.i32Shl, OP.i32Add, set(LCP));
    for (let t = 0; t < q; t++) e(get(LCP), SIMD, V.load, mem(16 * t), set(LACC + t));
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
    e(get(PRELU), OP.if, VOID);
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
  for (const w of [16, 8, 4]) {
    e(OP.block, VOID, OP.loop, VOID); // blocks of w columns while j + w <= n
    e(get(LJ), i32(w), OP.i32Add, get(PN), OP.i32GtS, OP.brIf, 1);
    tile(w);
    e(get(LJ), i32(w), OP.i32Add, set(LJ));
    e(OP.br, 0, OP.end, OP.end);
  }
  e(get(LI), i32(1), OP.i32Add, set(LI));
  e(OP.br, 0, OP.end, OP.end);
  e(OP.end);
  const locals = [3, 8, I32, 1, F32, 5, V128];
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

function spmmModuleBytes(): Uint8Array {
  const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
  const str = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...str("e"), ...str("m"), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str("spmm"), 0x00, 0]),
    ...section(10, [1, ...spmmBody()]),
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
type SpmmFn = (a: number, b: number, c: number, m: number, k: number, n: number, relu: number) => void;

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
      return;
    }
    this.simd = true;
    this.memory = new wasm.Memory({ initial: Math.ceil(this.capacityBytes / 65536) + 1 });
    this.fn = new wasm.Instance(mod, { e: { m: this.memory } }).exports["spmm"] as SpmmFn;
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
   * C[m×n] (=|+=) A[m×k]·B[k×n], skipping zero entries of A, then C = max(C, 0)
   * when `relu`; SIMD when all three are the arena's and n % 4 = 0.
   */
  spmm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number,
    accumulate = false, relu = false): void {
    const fn = this.fn;
    if (fn !== null && (n & 3) === 0 && this.owns(a) && this.owns(b) && this.owns(c)) {
      if (!accumulate) c.fill(0, 0, m * n);
      fn(a.byteOffset, b.byteOffset, c.byteOffset, m, k, n, relu ? 1 : 0);
    } else {
      matmul(a, b, c, m, k, n, accumulate);
      if (relu) for (let i = 0; i < m * n; i++) if (c[i]! < 0) c[i] = 0;
    }
  }
}
