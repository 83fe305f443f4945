/**
 * WebAssembly SIMD kernels for the recurrent cells, on the buffers of a
 * `GemmArena` (a core/simd-gemm.ts SimdArena: its products, `gemm`, are the
 * project's one SIMD matrix product):
 *
 *   lstm:  the LSTM's element-wise step (gates, cell state, output), H % 4 = 0
 *   gru:   the GRU's element-wise step (PyTorch variant), H % 4 = 0
 *   exp:   y = exp(x) over an array (exposed for tests)
 *
 * The module is assembled with core/wasm.ts and instantiated on the arena's
 * memory. Where WebAssembly SIMD is missing the cells run their JavaScript
 * steps (see lstm-cell.ts, gru-cell.ts).
 */
import { SimdArena } from "../../core/simd-gemm.js";
import {
  BLOCK_VOID,
  FunctionBuilder,
  i32Const,
  lazyModule,
  memarg,
  op,
  simd,
  simdOp,
  uleb,
  v128SplatConst,
  valType,
  type Emittable,
} from "../../core/wasm.js";

export { gemmNNJs } from "../../core/matmul.js";
export { simdAvailable } from "../../core/simd-gemm.js";

const { i32, v128 } = valType;

type Emit = (...xs: Emittable[]) => void;

const get = (l: number) => [op.localGet, ...uleb(l)];
const set = (l: number) => [op.localSet, ...uleb(l)];
const tee = (l: number) => [op.localTee, ...uleb(l)];

// --- exp, sigmoid, tanh over four lanes ----------------------------------------

/**
 * exp of the v128 on the stack, left on the stack (Cephes expf: n = round(x·log2 e),
 * r = x − n·ln 2 in two parts, a degree-6 polynomial for e^r, 2^n put straight
 * into the exponent bits; x clamped to [−87, 88] so 2^n stays a normal float).
 * Relative error about 2e-7. Uses scratch v128 locals x, n.
 */
function emitExp(e: Emit, x: number, n: number): void {
  e(v128SplatConst(-87), simd(simdOp.f32x4Max), v128SplatConst(88), simd(simdOp.f32x4Min), tee(x));
  e(get(x), v128SplatConst(Math.LOG2E), simd(simdOp.f32x4Mul), simd(simdOp.f32x4Nearest), tee(n));
  e(v128SplatConst(0.693359375), simd(simdOp.f32x4Mul), simd(simdOp.f32x4Sub)); // x − n·C1
  e(get(n), v128SplatConst(-2.1219444e-4), simd(simdOp.f32x4Mul), simd(simdOp.f32x4Sub), set(x)); // r
  const coef = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  e(v128SplatConst(coef[0]!));
  for (let i = 1; i < coef.length; i++)
    e(get(x), simd(simdOp.f32x4Mul), v128SplatConst(coef[i]!), simd(simdOp.f32x4Add));
  e(
    get(x),
    simd(simdOp.f32x4Mul),
    get(x),
    simd(simdOp.f32x4Mul),
    get(x),
    simd(simdOp.f32x4Add),
    v128SplatConst(1),
    simd(simdOp.f32x4Add),
  );
  e(
    get(n),
    simd(simdOp.i32x4TruncSatF32x4S),
    v128SplatConst(127, true),
    simd(simdOp.i32x4Add),
    i32Const(23),
    simd(simdOp.i32x4Shl),
  );
  e(simd(simdOp.f32x4Mul));
}

/** σ(v) = 1 / (1 + e^−v) of the v128 on the stack. */
function emitSigmoid(e: Emit, x: number, n: number): void {
  e(simd(simdOp.f32x4Neg));
  emitExp(e, x, n);
  e(v128SplatConst(1), simd(simdOp.f32x4Add), set(x), v128SplatConst(1), get(x), simd(simdOp.f32x4Div));
}

/** tanh(v) = 2 / (1 + e^−2v) − 1 of the v128 on the stack. */
function emitTanh(e: Emit, x: number, n: number): void {
  e(v128SplatConst(-2), simd(simdOp.f32x4Mul));
  emitExp(e, x, n);
  e(
    v128SplatConst(1),
    simd(simdOp.f32x4Add),
    set(x),
    v128SplatConst(2),
    get(x),
    simd(simdOp.f32x4Div),
    v128SplatConst(1),
    simd(simdOp.f32x4Sub),
  );
}

/** exp(src, dst, count): dst[i] = exp(src[i]), count a multiple of 4. */
function expFunction(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32]);
  const e: Emit = (...xs) => f.emit(...xs);
  const SRC = 0,
    DST = 1,
    CNT = 2;
  const END = f.local(i32),
    X = f.local(v128),
    NN = f.local(v128);
  e(get(SRC), get(CNT), i32Const(2), op.i32Shl, op.i32Add, set(END));
  e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
  e(get(SRC), get(END), op.i32GeS, op.brIf, 1);
  e(get(DST), get(SRC), simd(simdOp.v128Load), memarg(0));
  emitExp(e, X, NN);
  e(simd(simdOp.v128Store), memarg(0));
  e(get(SRC), i32Const(16), op.i32Add, set(SRC), get(DST), i32Const(16), op.i32Add, set(DST));
  e(op.br, 0, op.end, op.end);
  return f;
}

/**
 * lstm(gates, cPrev, c, tanhC, h, batch, hidden): for each sample b and unit j
 * (four at a time), with the pre-activations [a_i a_f a_g a_o] of row b:
 * gates ← [σ(a_i) σ(a_f) tanh(a_g) σ(a_o)], c = f·cPrev + i·g,
 * tanhC = tanh(c), h = o·tanhC. Rows of c, tanhC, h, cPrev are `hidden` long.
 */
function lstmFunction(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32, i32, i32, i32]);
  const e: Emit = (...xs) => f.emit(...xs);
  const G = 0,
    CPREV = 1,
    CC = 2,
    TC = 3,
    HH = 4,
    BATCH = 5,
    HID = 6;
  const BI = f.local(i32),
    JB = f.local(i32),
    HB = f.local(i32),
    GP = f.local(i32),
    EP = f.local(i32);
  const VI = f.local(v128),
    VF = f.local(v128),
    VG = f.local(v128),
    VO = f.local(v128),
    VC = f.local(v128);
  const X = f.local(v128),
    NN = f.local(v128);
  e(get(HID), i32Const(2), op.i32Shl, set(HB)); // hidden in bytes
  e(i32Const(0), set(BI));
  e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID); // samples
  e(get(BI), get(BATCH), op.i32GeS, op.brIf, 1);
  e(i32Const(0), set(JB));
  e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID); // units, 16 bytes at a time
  e(get(JB), get(HB), op.i32GeS, op.brIf, 1);
  // gp = gates + b·4·hiddenBytes + jb; ep = b·hiddenBytes + jb
  e(get(G), get(BI), get(HB), op.i32Mul, i32Const(2), op.i32Shl, op.i32Add, get(JB), op.i32Add, set(GP));
  e(get(BI), get(HB), op.i32Mul, get(JB), op.i32Add, set(EP));
  const gate = (q: number, v: number, f: (e: Emit, x: number, n: number) => void) => {
    e(get(GP));
    for (let r = 0; r < q; r++) e(get(HB), op.i32Add);
    e(simd(simdOp.v128Load), memarg(0));
    f(e, X, NN);
    e(set(v));
    e(get(GP));
    for (let r = 0; r < q; r++) e(get(HB), op.i32Add);
    e(get(v), simd(simdOp.v128Store), memarg(0));
  };
  gate(0, VI, emitSigmoid);
  gate(1, VF, emitSigmoid);
  gate(2, VG, emitTanh);
  gate(3, VO, emitSigmoid);
  // c = f·cPrev + i·g
  e(get(VF), get(CPREV), get(EP), op.i32Add, simd(simdOp.v128Load), memarg(0), simd(simdOp.f32x4Mul));
  e(get(VI), get(VG), simd(simdOp.f32x4Mul), simd(simdOp.f32x4Add), set(VC));
  e(get(CC), get(EP), op.i32Add, get(VC), simd(simdOp.v128Store), memarg(0));
  // tanhC, h
  e(get(VC));
  emitTanh(e, X, NN);
  e(set(VC));
  e(get(TC), get(EP), op.i32Add, get(VC), simd(simdOp.v128Store), memarg(0));
  e(get(HH), get(EP), op.i32Add, get(VO), get(VC), simd(simdOp.f32x4Mul), simd(simdOp.v128Store), memarg(0));
  e(get(JB), i32Const(16), op.i32Add, set(JB));
  e(op.br, 0, op.end, op.end);
  e(get(BI), i32Const(1), op.i32Add, set(BI));
  e(op.br, 0, op.end, op.end);
  return f;
}

/**
 * gru(ax, ah, hPrev, h, batch, hidden): PyTorch's GRU step for each sample b
 * and unit j (four at a time), rows [r z n] of `ax` (input side, with bias)
 * and `ah` (recurrent side, with bias): r = σ(ax_r + ah_r),
 * z = σ(ax_z + ah_z), n = tanh(ax_n + r·ah_n); ax ← [r z n];
 * h = (1 − z)·n + z·hPrev.
 */
function gruFunction(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32, i32, i32]);
  const e: Emit = (...xs) => f.emit(...xs);
  const AX = 0,
    AH = 1,
    HPREV = 2,
    HH = 3,
    BATCH = 4,
    HID = 5;
  const BI = f.local(i32),
    JB = f.local(i32),
    HB = f.local(i32),
    GP = f.local(i32),
    HP = f.local(i32),
    EP = f.local(i32);
  const VR = f.local(v128),
    VZ = f.local(v128),
    VN = f.local(v128),
    X = f.local(v128),
    NN = f.local(v128);
  e(get(HID), i32Const(2), op.i32Shl, set(HB));
  e(i32Const(0), set(BI));
  e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID); // samples
  e(get(BI), get(BATCH), op.i32GeS, op.brIf, 1);
  e(i32Const(0), set(JB));
  e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID); // units, 16 bytes at a time
  e(get(JB), get(HB), op.i32GeS, op.brIf, 1);
  // gp = b·3·hiddenBytes + jb (offset into ax and ah rows); ep = b·hiddenBytes + jb
  e(get(BI), get(HB), op.i32Mul, i32Const(3), op.i32Mul, get(JB), op.i32Add, set(GP));
  e(get(BI), get(HB), op.i32Mul, get(JB), op.i32Add, set(EP));
  const at = (base: number, q: number) => {
    e(get(base), get(GP), op.i32Add);
    for (let r = 0; r < q; r++) e(get(HB), op.i32Add);
  };
  // r, z
  for (const [q, v] of [
    [0, VR],
    [1, VZ],
  ] as const) {
    at(AX, q);
    e(simd(simdOp.v128Load), memarg(0));
    at(AH, q);
    e(simd(simdOp.v128Load), memarg(0), simd(simdOp.f32x4Add));
    emitSigmoid(e, X, NN);
    e(set(v));
    at(AX, q);
    e(get(v), simd(simdOp.v128Store), memarg(0));
  }
  // n = tanh(ax_n + r·ah_n)
  at(AX, 2);
  e(simd(simdOp.v128Load), memarg(0), get(VR));
  at(AH, 2);
  e(simd(simdOp.v128Load), memarg(0), simd(simdOp.f32x4Mul), simd(simdOp.f32x4Add));
  emitTanh(e, X, NN);
  e(set(VN));
  at(AX, 2);
  e(get(VN), simd(simdOp.v128Store), memarg(0));
  // h = n + z·(hPrev − n)
  e(get(HH), get(EP), op.i32Add, set(HP));
  e(
    get(HP),
    get(VN),
    get(VZ),
    get(HPREV),
    get(EP),
    op.i32Add,
    simd(simdOp.v128Load),
    memarg(0),
    get(VN),
    simd(simdOp.f32x4Sub),
  );
  e(simd(simdOp.f32x4Mul), simd(simdOp.f32x4Add), simd(simdOp.v128Store), memarg(0));
  e(get(JB), i32Const(16), op.i32Add, set(JB));
  e(op.br, 0, op.end, op.end);
  e(get(BI), i32Const(1), op.i32Add, set(BI));
  e(op.br, 0, op.end, op.end);
  return f;
}

/** The compiled cell module (once per process), or null where WebAssembly SIMD is unavailable. */
const cellModule = lazyModule(() => ({
  memory: {},
  functions: [
    { name: "lstm", fn: lstmFunction() },
    { name: "exp", fn: expFunction() },
    { name: "gru", fn: gruFunction() },
  ],
}));

type LstmFn = (g: number, cPrev: number, c: number, tc: number, h: number, batch: number, hidden: number) => void;
type ExpFn = (src: number, dst: number, count: number) => void;
type GruFn = (ax: number, ah: number, hPrev: number, h: number, batch: number, hidden: number) => void;

// --- the arena ---------------------------------------------------------------

/**
 * Buffers for one cell, carved once from a single memory, the product
 * `gemm` over them (SimdArena) and the cells' element-wise steps.
 * `useSimd: false` (or no SIMD support) gives plain Float32Arrays and the
 * JavaScript product.
 */
export class GemmArena extends SimdArena {
  private readonly lstm: LstmFn | null;
  private readonly vexp: ExpFn | null;
  private readonly gru: GruFn | null;

  /** `floats`: the total of all `alloc` sizes (each is rounded up to 4 floats). */
  constructor(floats: number, useSimd = true) {
    super(floats, useSimd);
    const exports = this.simd ? this.instantiate(cellModule()) : null;
    this.lstm = exports !== null ? (exports["lstm"] as LstmFn) : null;
    this.vexp = exports !== null ? (exports["exp"] as ExpFn) : null;
    this.gru = exports !== null ? (exports["gru"] as GruFn) : null;
  }

  /** Whether `lstmStep` can run for this hidden size (SIMD and hidden % 4 = 0). */
  hasLstmStep(hidden: number): boolean {
    return this.lstm !== null && (hidden & 3) === 0;
  }

  /**
   * The LSTM element-wise step in SIMD (see lstmFunction); all arrays from `alloc`,
   * offsets in floats. Call only when `hasLstmStep(hidden)`.
   */
  lstmStep(
    gates: Float32Array,
    gOff: number,
    cs: Float32Array,
    cPrevOff: number,
    cOff: number,
    tanhC: Float32Array,
    tcOff: number,
    hs: Float32Array,
    hOff: number,
    batch: number,
    hidden: number,
  ): void {
    this.lstm!(
      gates.byteOffset + 4 * gOff,
      cs.byteOffset + 4 * cPrevOff,
      cs.byteOffset + 4 * cOff,
      tanhC.byteOffset + 4 * tcOff,
      hs.byteOffset + 4 * hOff,
      batch,
      hidden,
    );
  }

  /** Whether `gruStep` can run for this hidden size (SIMD and hidden % 4 = 0). */
  hasGruStep(hidden: number): boolean {
    return this.gru !== null && (hidden & 3) === 0;
  }

  /** The GRU element-wise step in SIMD (see gruFunction); offsets in floats. Only when `hasGruStep(hidden)`. */
  gruStep(
    ax: Float32Array,
    ah: Float32Array,
    gOff: number,
    hs: Float32Array,
    hPrevOff: number,
    hOff: number,
    batch: number,
    hidden: number,
  ): void {
    this.gru!(
      ax.byteOffset + 4 * gOff,
      ah.byteOffset + 4 * gOff,
      hs.byteOffset + 4 * hPrevOff,
      hs.byteOffset + 4 * hOff,
      batch,
      hidden,
    );
  }

  /** dst = exp(src) elementwise, src clamped to [-87, 88] (SIMD approximation; Math.exp without SIMD); count % 4 = 0. */
  exp(src: Float32Array, dst: Float32Array, count: number): void {
    if (this.vexp !== null) this.vexp(src.byteOffset, dst.byteOffset, count);
    else for (let i = 0; i < count; i++) dst[i] = Math.exp(Math.min(88, Math.max(-87, src[i]!)));
  }
}

/** dst[cols×rows] = srcᵀ for a row-major src[rows×cols]. */
export function transpose(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) dst[j * rows + i] = src[r + j]!;
  }
}
