/**
 * The project's one SIMD matrix product, and the arena of buffers it works on.
 *
 *   gemm(a, b, c, m, k, n, flags, bias):  C[m×n] = start + A[m×k] · B[k×n]
 *     start: the bias row (FLAG_BIAS), C itself (FLAG_ACCUMULATE) or zero;
 *     then C = max(C, 0) (FLAG_RELU). Two tilings of the same sums:
 *     - sparse A (default), n a multiple of 4: for each row i of C and each
 *       block of up to 32 columns, the block stays in f32x4 registers while p
 *       runs over k; a zero a[i,p] costs one compare, a non-zero one a splat
 *       and one multiply-add per four columns (inputs, ReLU outputs, spikes);
 *     - dense A (FLAG_DENSE), n a multiple of 16: two rows of C by 16 columns
 *       in eight accumulators, so each load of B feeds two multiply-adds and
 *       there is no zero test (recurrent cells).
 *     Either way each C[i,j] is start + a[i,0]·b[0,j] + a[i,1]·b[1,j] + ...
 *     in that order (zero terms left out by the sparse tiling), in float32.
 *
 * The module is assembled with core/wasm.ts. Its operands live in a
 * `SimdArena`: Float32Array views of one WebAssembly memory, sized once and
 * never grown (growing would detach the views). Other kernels (im2col, the
 * LSTM and GRU steps) are instantiated on the same memory with
 * `SimdArena.instantiate`. V8 does not vectorise JavaScript; this is where
 * four lanes per instruction are won. Where WebAssembly SIMD is missing, an
 * operand lives outside the arena or n does not fit the tiling, the plain
 * JavaScript products of core/matmul.ts run instead.
 */
import { gemmNNJs, matmul } from "./matmul.js";
import {
  BLOCK_VOID,
  FunctionBuilder,
  WASM_PAGE_BYTES,
  createMemory,
  i32Const,
  instantiate,
  lazyModule,
  memarg,
  op,
  simd,
  simdOp,
  v128SplatConst,
  valType,
  type CompiledModule,
  type Emittable,
  type WasmMemory,
} from "./wasm.js";

/** C = max(C, 0) at the end. */
export const FLAG_RELU = 1;
/** Start from the bias row (n floats at `bias`) instead of C or zero. */
export const FLAG_BIAS = 2;
/** Start from C (C += A·B). */
export const FLAG_ACCUMULATE = 4;
/** The dense tiling (no zero test; n a multiple of 16). */
export const FLAG_DENSE = 8;

type GemmFn = (a: number, b: number, c: number, m: number, k: number, n: number, flags: number, bias: number) => void;

const { i32, f32, v128 } = valType;
const ZERO4 = v128SplatConst(0);

/**
 * gemm(a, b, c, m, k, n, flags, bias): byte offsets a, b, c, bias. With
 * `fma`, each multiply-add is one f32x4.relaxed_madd (relaxed SIMD; fused where
 * the CPU has FMA) instead of a multiply and an add.
 */
function gemmFunction(fma = false): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32, i32, i32, i32, i32]);
  const A = 0,
    B = 1,
    C = 2,
    M = 3,
    K = 4,
    N = 5,
    FLAGS = 6,
    BIAS = 7;
  const I = f.local(i32),
    J = f.local(i32),
    AP = f.local(i32),
    AEND = f.local(i32);
  const BP = f.local(i32),
    CP = f.local(i32),
    NBYTES = f.local(i32),
    KBYTES = f.local(i32);
  const AV = f.local(f32);
  const ACC = Array.from({ length: 8 }, () => f.local(v128));
  const BV = Array.from({ length: 4 }, () => f.local(v128));
  const S = f.local(v128);
  const e = (...xs: Emittable[]) => f.emit(...xs);
  const get = (l: number) => f.get(l),
    set = (l: number) => f.set(l);
  const load = (offset: number) => [...simd(simdOp.v128Load), ...memarg(offset)];
  const store = (offset: number) => [...simd(simdOp.v128Store), ...memarg(offset)];
  const max = simd(simdOp.f32x4Max);
  /** acc += s · b, s and b already on the stack: mul, add or one relaxed_madd. */
  const maddInto = (acc: number, s: Emittable[], b: Emittable[]) =>
    fma
      ? e(...s, ...b, get(acc), simd(simdOp.f32x4RelaxedMadd), set(acc))
      : e(get(acc), ...s, ...b, simd(simdOp.f32x4Mul), simd(simdOp.f32x4Add), set(acc));
  const flag = (bit: number) => [...get(FLAGS), ...i32Const(bit), op.i32And];

  /**
   * Accumulators acc[r·q + t] for `rows` rows and `q` groups of four columns
   * from column J: the bias row, C at CP (row r at CP + r·NBYTES) or zero.
   */
  const start = (rows: number, q: number) => {
    e(flag(FLAG_BIAS), op.if, BLOCK_VOID);
    e(get(BIAS), get(J), i32Const(2), op.i32Shl, op.i32Add, set(BP));
    for (let r = 0; r < rows; r++) for (let t = 0; t < q; t++) e(get(BP), load(16 * t), set(ACC[r * q + t]!));
    e(op.else, flag(FLAG_ACCUMULATE), op.if, BLOCK_VOID);
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < q; t++) {
        e(get(CP));
        if (r === 1) e(get(NBYTES), op.i32Add);
        e(load(16 * t), set(ACC[r * q + t]!));
      }
    }
    e(op.else);
    for (let r = 0; r < rows; r++) for (let t = 0; t < q; t++) e(ZERO4, set(ACC[r * q + t]!));
    e(op.end, op.end);
  };
  /** Fused ReLU, then the accumulators back to C. */
  const finish = (rows: number, q: number) => {
    e(flag(FLAG_RELU), op.if, BLOCK_VOID);
    for (let t = 0; t < rows * q; t++) e(get(ACC[t]!), ZERO4, max, set(ACC[t]!));
    e(op.end);
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < q; t++) {
        e(get(CP));
        if (r === 1) e(get(NBYTES), op.i32Add);
        e(get(ACC[r * q + t]!), store(16 * t));
      }
    }
  };
  /** cp = c + ((i·n + j) << 2): the tile's first element of C. */
  const pointers = () => {
    e(get(C), get(I), get(N), op.i32Mul, get(J), op.i32Add, i32Const(2), op.i32Shl, op.i32Add, set(CP));
  };
  /** ap = a + ((i·k) << 2), aEnd = ap + kBytes: row i of A; bp = b + (j << 2): the tile's columns of B. */
  const rowPointers = () => {
    e(
      get(A),
      get(I),
      get(K),
      op.i32Mul,
      i32Const(2),
      op.i32Shl,
      op.i32Add,
      f.tee(AP),
      get(KBYTES),
      op.i32Add,
      set(AEND),
    );
    e(get(B), get(J), i32Const(2), op.i32Shl, op.i32Add, set(BP));
  };

  /** Sparse tiling: one block of `w` columns (w = 4, 8, ..., 32) of row i from column j, zero a[i,p] skipped. */
  const sparseTile = (w: number) => {
    const q = w / 4;
    pointers();
    start(1, q);
    rowPointers();
    e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID); // p over k
    e(get(AP), get(AEND), op.i32GeS, op.brIf, 1);
    e(op.block, BLOCK_VOID);
    e(get(AP), op.f32Load, memarg(0, 2), f.tee(AV), op.f32Const, 0, 0, 0, 0, op.f32Eq, op.brIf, 0);
    e(get(AV), simd(simdOp.f32x4Splat), set(S));
    for (let t = 0; t < q; t++) maddInto(ACC[t]!, get(S), [...get(BP), ...load(16 * t)]);
    e(op.end);
    e(get(AP), i32Const(4), op.i32Add, set(AP));
    e(get(BP), get(NBYTES), op.i32Add, set(BP));
    e(op.br, 0, op.end, op.end);
    finish(1, q);
  };

  /** Dense tiling: rows i..i+rows-1 (rows = 1 or 2), every 16-column block, four accumulators a row. */
  const denseRows = (rows: number) => {
    e(i32Const(0), set(J));
    e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID); // 16-column blocks
    e(get(J), get(N), op.i32GeS, op.brIf, 1);
    pointers();
    start(rows, 4);
    rowPointers();
    e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID); // p over k
    e(get(AP), get(AEND), op.i32GeS, op.brIf, 1);
    for (let t = 0; t < 4; t++) e(get(BP), load(16 * t), set(BV[t]!));
    for (let r = 0; r < rows; r++) {
      e(get(AP));
      if (r === 1) e(get(KBYTES), op.i32Add);
      e(simd(simdOp.v128Load32Splat), memarg(0, 2), set(S));
      for (let t = 0; t < 4; t++) maddInto(ACC[4 * r + t]!, get(S), get(BV[t]!));
    }
    e(get(AP), i32Const(4), op.i32Add, set(AP));
    e(get(BP), get(NBYTES), op.i32Add, set(BP));
    e(op.br, 0, op.end, op.end);
    finish(rows, 4);
    e(get(J), i32Const(16), op.i32Add, set(J));
    e(op.br, 0, op.end, op.end);
  };

  e(get(N), i32Const(2), op.i32Shl, set(NBYTES));
  e(get(K), i32Const(2), op.i32Shl, set(KBYTES));
  e(i32Const(0), set(I));
  e(flag(FLAG_DENSE), op.if, BLOCK_VOID);
  // Pairs of rows while i < m - 1, then the odd row if there is one.
  e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
  e(get(I), i32Const(1), op.i32Add, get(M), op.i32GeS, op.brIf, 1);
  denseRows(2);
  e(get(I), i32Const(2), op.i32Add, set(I));
  e(op.br, 0, op.end, op.end);
  e(get(I), get(M), op.i32LtS, op.if, BLOCK_VOID);
  denseRows(1);
  e(op.end);
  e(op.else);
  e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID); // rows
  e(get(I), get(M), op.i32GeS, op.brIf, 1);
  e(i32Const(0), set(J));
  // Blocks of 32 columns while they fit, then one block for the rest (4..28): each
  // block rescans the row of A, so fewer, wider blocks skip its zeros fewer times.
  e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
  e(get(J), i32Const(32), op.i32Add, get(N), op.i32GtS, op.brIf, 1);
  sparseTile(32);
  e(get(J), i32Const(32), op.i32Add, set(J));
  e(op.br, 0, op.end, op.end);
  for (let w = 28; w >= 4; w -= 4) {
    e(get(N), get(J), op.i32Sub, i32Const(w), op.i32Eq, op.if, BLOCK_VOID);
    sparseTile(w);
    e(op.end);
  }
  e(get(I), i32Const(1), op.i32Add, set(I));
  e(op.br, 0, op.end, op.end);
  e(op.end);
  return f;
}

/** The compiled gemm module (once per process), or null where WebAssembly SIMD is unavailable. */
const gemmModule = lazyModule(() => ({ memory: {}, functions: [{ name: "gemm", fn: gemmFunction() }] }));
/** The relaxed-SIMD gemm, or null where the engine lacks relaxed SIMD. */
const fusedGemmModule = lazyModule(() => ({ memory: {}, functions: [{ name: "gemm", fn: gemmFunction(true) }] }));

/** Whether this JavaScript engine runs the WebAssembly SIMD kernels. */
export function simdAvailable(): boolean {
  return gemmModule() !== null;
}

/**
 * Buffers carved once from one WebAssembly memory, and the SIMD product over
 * them. Size it with the total of all `alloc` sizes. With `useSimd` false (or
 * no SIMD, or a memory that cannot be had) `alloc` gives plain Float32Arrays
 * and the products run in JavaScript.
 */
export class SimdArena {
  readonly simd: boolean;
  /** Whether the products use relaxed SIMD's fused multiply-add (asked for with `fma`, and available). */
  readonly fused: boolean;
  private readonly memory: WasmMemory | null;
  private readonly fn: GemmFn | null;
  private readonly capacityBytes: number;
  private usedBytes = 0;

  /**
   * `fma`: use the relaxed-SIMD product (f32x4.relaxed_madd) where the engine
   * has relaxed SIMD; otherwise the exact one.
   */
  constructor(floats: number, useSimd = true, fma = false) {
    const fusedMod = useSimd && fma ? fusedGemmModule() : null;
    const mod = fusedMod ?? (useSimd ? gemmModule() : null);
    // Each alloc is rounded up to 4 floats: allow for that.
    this.capacityBytes = (floats + 4 * 64) * 4;
    let memory: WasmMemory | null = null;
    let fn: GemmFn | null = null;
    // The kernels take signed 32-bit byte addresses: stay below 2 GiB. A memory
    // that cannot be had (too large for this process) means plain JavaScript.
    if (mod !== null && this.capacityBytes < 2 ** 31 - 2 * WASM_PAGE_BYTES) {
      try {
        memory = createMemory(this.capacityBytes + WASM_PAGE_BYTES);
        fn = instantiate(mod, memory)["gemm"] as GemmFn;
      } catch {
        memory = null;
        fn = null;
      }
    }
    this.simd = fn !== null;
    this.fused = fn !== null && fusedMod !== null;
    this.memory = fn !== null ? memory : null;
    this.fn = fn;
  }

  /**
   * Instantiates another kernel module (one imported memory, as in
   * core/wasm.ts) on this arena's memory, so that its kernels work on the
   * buffers of `alloc`; null without SIMD, for a null module or where
   * instantiation fails.
   */
  instantiate(compiled: CompiledModule | null): Readonly<Record<string, unknown>> | null {
    if (this.memory === null || compiled === null) return null;
    try {
      return instantiate(compiled, this.memory);
    } catch {
      return null;
    }
  }

  /** A zeroed view of `n` floats, 16-byte aligned. */
  alloc(n: number): Float32Array {
    if (this.memory === null) return new Float32Array(n);
    return new Float32Array(this.memory.buffer, this.take(n * 4), n);
  }

  /** A zeroed view of `n` int32 values, 16-byte aligned (counted as n floats in the arena's size). */
  allocInt32(n: number): Int32Array {
    if (this.memory === null) return new Int32Array(n);
    return new Int32Array(this.memory.buffer, this.take(n * 4), n);
  }

  /** A zeroed view of `n` float64 values, 16-byte aligned (counted as 2n floats in the arena's size). */
  allocFloat64(n: number): Float64Array {
    if (this.memory === null) return new Float64Array(n);
    return new Float64Array(this.memory.buffer, this.take(n * 8), n);
  }

  /** Reserves `bytes` (rounded up to 16) and returns their byte offset. */
  private take(bytes: number): number {
    const rounded = Math.ceil(bytes / 16) * 16;
    if (this.usedBytes + rounded > this.capacityBytes) throw new Error("SimdArena: capacity exceeded");
    const at = this.usedBytes;
    this.usedBytes += rounded;
    return at;
  }

  /** Whether `x` is one of this arena's buffers. */
  owns(x: Float32Array): boolean {
    return this.memory !== null && x.buffer === this.memory.buffer;
  }

  /**
   * C[m×n] (=|+=) A[m×k]·B[k×n], skipping zero entries of A; with `bias`
   * (n values) C = bias + A·B in every row instead; then C = max(C, 0) when
   * `relu`. SIMD (sparse tiling) when all operands are the arena's and
   * n % 4 = 0; otherwise `matmul`.
   */
  spmm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    m: number,
    k: number,
    n: number,
    accumulate = false,
    relu = false,
    bias: Float32Array | null = null,
  ): void {
    const fn = this.fn;
    if (
      fn !== null &&
      (n & 3) === 0 &&
      this.owns(a) &&
      this.owns(b) &&
      this.owns(c) &&
      (bias === null || this.owns(bias))
    ) {
      const flags = (relu ? FLAG_RELU : 0) | (bias !== null ? FLAG_BIAS : 0) | (accumulate ? FLAG_ACCUMULATE : 0);
      fn(a.byteOffset, b.byteOffset, c.byteOffset, m, k, n, flags, bias !== null ? bias.byteOffset : 0);
    } else {
      if (bias !== null) {
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c[i * n + j] = bias[j]!;
      }
      matmul(a, b, c, m, k, n, accumulate || bias !== null);
      if (relu) for (let i = 0; i < m * n; i++) if (c[i]! < 0) c[i] = 0;
    }
  }

  /**
   * C[m×n] (=|+=) A[m×k]·B[k×n] for a dense A, operands starting at float
   * offsets aOff, bOff, cOff (offsets, not sub-array views: nothing is
   * allocated per call). SIMD (dense tiling) when all three arrays are the
   * arena's and n % 16 = 0; otherwise `gemmNNJs`.
   */
  gemm(
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
    const fn = this.fn;
    if (fn !== null && (n & 15) === 0 && this.owns(a) && this.owns(b) && this.owns(c)) {
      fn(
        a.byteOffset + 4 * aOff,
        b.byteOffset + 4 * bOff,
        c.byteOffset + 4 * cOff,
        m,
        k,
        n,
        FLAG_DENSE | (accumulate ? FLAG_ACCUMULATE : 0),
        0,
      );
    } else {
      gemmNNJs(a, aOff, b, bOff, c, cOff, m, k, n, accumulate);
    }
  }
}
