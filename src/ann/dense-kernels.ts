/**
 * WebAssembly kernels that compute, bit for bit, what the JavaScript products
 * of core/matmul.ts compute for a Dense layer whose width is not a multiple
 * of 4 (a 10-class output layer), in float64 lanes two at a time:
 *
 *   grouped(a, aRow, aCol, b, c, m, k, n, scratch)   C[m×n] += A·B as `matmul`
 *       (A row-major: aRow = 4k, aCol = 4 bytes) and `matmulTransA` (A given
 *       transposed: aRow = 4, aCol = 4m): row i's non-zero a[i, p] are taken
 *       four at a time, and each C[i, j] += a0·b0 + a1·b1 + a2·b2 + a3·b3
 *       summed left to right in float64 (the products of two float32 are exact
 *       there), then rounded to float32 once; the last 1-3 as one more group.
 *   dot(a, bT, c, m, k, n)   C[m×n] = A·Bᵀ as `matmulTransB`, from Bᵀ stored
 *       [k × n]: each C[i, j] = 0 + a[i, 0]·b[j, 0] + ... in float64, then
 *       rounded to float32.
 *
 * JavaScript evaluates `c[j] += x * y + ...` on a Float32Array in doubles and
 * rounds on the store; these kernels do the same operations in the same order
 * (f64x2.mul, f64x2.add, then f32x4.demote_f64x2_zero), so the results are
 * identical, only faster (each step handles two columns).
 */
import {
  BLOCK_VOID,
  FunctionBuilder,
  i32Const,
  lazyModule,
  memarg,
  op,
  simd,
  simdOp,
  valType,
  type CompiledModule,
  type Emittable,
} from "../core/wasm.js";

const { i32, f64, v128 } = valType;
const f32Load = (offset = 0): number[] => [op.f32Load, ...memarg(offset, 2)];
const i32Load = (offset = 0): number[] => [op.i32Load, ...memarg(offset, 2)];
const i32Store = (offset = 0): number[] => [op.i32Store, ...memarg(offset, 2)];
/** Two float32 at an address, widened to an f64x2. */
const load2 = (offset = 0): number[] => [
  ...simd(simdOp.v128Load64Zero),
  ...memarg(offset, 2),
  ...simd(simdOp.f64x2PromoteLowF32x4),
];
/** The f64x2 on the stack rounded to two float32, stored at the address below it. */
const store2 = (offset = 0): number[] => [
  ...simd(simdOp.f32x4DemoteF64x2Zero),
  ...simd(simdOp.v128Store64Lane),
  ...memarg(offset, 2),
  0,
];
const F64_ZERO = [op.f64Const, 0, 0, 0, 0, 0, 0, 0, 0];

function helpers(f: FunctionBuilder) {
  const e = (...xs: Emittable[]) => f.emit(...xs);
  const get = (l: number) => f.get(l);
  const set = (l: number) => f.set(l);
  const whileLoop = (cond: Emittable[], body: () => void) => {
    e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID, ...cond, op.i32Eqz, op.brIf, 1);
    body();
    e(op.br, 0, op.end, op.end);
  };
  return { e, get, set, whileLoop };
}

function groupedFunction(): FunctionBuilder {
  const f = new FunctionBuilder(new Array(9).fill(i32));
  const [A, AROW, ACOL, B, C, M, K, N, SCRATCH] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const L = () => f.local(i32);
  const I = L(),
    P = L(),
    AP = L(),
    BR = L(),
    LP = L(),
    END = L(),
    CR = L(),
    J = L(),
    NB = L(),
    Q = L();
  const V = f.local(valType.f32);
  const T = f.local(v128),
    S = f.local(f64);
  const { e, get, set, whileLoop } = helpers(f);

  /** C[i, :] += the group of q list entries at LP (q = 1..4). */
  const group = (q: number) => {
    e(i32Const(0), set(J));
    whileLoop([...get(J), i32Const(2), op.i32Add, ...get(N), op.i32LeS], () => {
      for (let t = 0; t < q; t++) {
        e(get(LP), i32Load(8 * t), get(J), i32Const(2), op.i32Shl, op.i32Add, load2());
        e(get(LP), f32Load(8 * t + 4), op.f64PromoteF32, simd(simdOp.f64x2Splat), simd(simdOp.f64x2Mul));
        if (t > 0) e(get(T), simd(simdOp.f64x2Add)); // (earlier terms) + this one: commutative, exact order kept
        e(set(T));
      }
      e(get(CR), get(J), i32Const(2), op.i32Shl, op.i32Add, f.tee(AP), get(AP), load2(), get(T));
      e(simd(simdOp.f64x2Add), store2());
      e(get(J), i32Const(2), op.i32Add, set(J));
    });
    // an odd last column
    e(get(J), get(N), op.i32LtS, op.if, BLOCK_VOID);
    for (let t = 0; t < q; t++) {
      e(get(LP), i32Load(8 * t), get(J), i32Const(2), op.i32Shl, op.i32Add, f32Load(), op.f64PromoteF32);
      e(get(LP), f32Load(8 * t + 4), op.f64PromoteF32, op.f64Mul);
      if (t > 0) e(get(S), op.f64Add);
      e(set(S));
    }
    e(get(CR), get(J), i32Const(2), op.i32Shl, op.i32Add, f.tee(AP), get(AP), f32Load(), op.f64PromoteF32, get(S));
    e(op.f64Add, op.f32DemoteF64, op.f32Store, ...memarg(0, 2));
    e(op.end);
  };

  e(get(N), i32Const(2), op.i32Shl, set(NB));
  e(i32Const(0), set(I));
  whileLoop([...get(I), ...get(M), op.i32LtS], () => {
    // the non-zero a[i, p], p ascending, with their rows of B: (address, value) pairs, kept without branches
    e(get(SCRATCH), set(P), get(A), get(I), get(AROW), op.i32Mul, op.i32Add, set(AP), get(B), set(BR));
    e(get(BR), get(K), get(NB), op.i32Mul, op.i32Add, set(END));
    whileLoop([...get(BR), ...get(END), op.i32LtU], () => {
      e(get(AP), f32Load(), set(V), get(P), get(BR), i32Store(), get(P), get(V), op.f32Store, ...memarg(4, 2));
      e(get(P), get(V), op.f32Const, 0, 0, 0, 0, op.f32Ne, i32Const(3), op.i32Shl, op.i32Add, set(P));
      e(get(AP), get(ACOL), op.i32Add, set(AP), get(BR), get(NB), op.i32Add, set(BR));
    });
    e(get(C), get(I), get(NB), op.i32Mul, op.i32Add, set(CR));
    e(get(SCRATCH), set(LP));
    whileLoop([...get(LP), i32Const(32), op.i32Add, ...get(P), op.i32LeU], () => {
      group(4);
      e(get(LP), i32Const(32), op.i32Add, set(LP));
    });
    e(get(P), get(LP), op.i32Sub, i32Const(3), op.i32ShrU, set(Q));
    for (const q of [3, 2, 1]) {
      e(get(Q), i32Const(q), op.i32Eq, op.if, BLOCK_VOID);
      group(q);
      e(op.end);
    }
    e(get(I), i32Const(1), op.i32Add, set(I));
  });
  return f;
}

function dotFunction(): FunctionBuilder {
  const f = new FunctionBuilder(new Array(6).fill(i32));
  const [A, BT, C, M, K, N] = [0, 1, 2, 3, 4, 5];
  const L = () => f.local(i32);
  const I = L(),
    J = L(),
    AP = L(),
    AEND = L(),
    BP = L(),
    NB = L();
  const T = f.local(v128),
    S = f.local(f64);
  const { e, get, set, whileLoop } = helpers(f);
  const row = () => e(get(A), get(I), get(K), op.i32Mul, i32Const(2), op.i32Shl, op.i32Add, set(AP));
  e(get(N), i32Const(2), op.i32Shl, set(NB));
  e(i32Const(0), set(I));
  whileLoop([...get(I), ...get(M), op.i32LtS], () => {
    e(i32Const(0), set(J));
    whileLoop([...get(J), i32Const(2), op.i32Add, ...get(N), op.i32LeS], () => {
      row();
      e(get(AP), get(K), i32Const(2), op.i32Shl, op.i32Add, set(AEND));
      e(get(BT), get(J), i32Const(2), op.i32Shl, op.i32Add, set(BP));
      e(...F64_ZERO, simd(simdOp.f64x2Splat), set(T));
      whileLoop([...get(AP), ...get(AEND), op.i32LtU], () => {
        e(get(T), get(AP), f32Load(), op.f64PromoteF32, simd(simdOp.f64x2Splat), get(BP), load2());
        e(simd(simdOp.f64x2Mul), simd(simdOp.f64x2Add), set(T));
        e(get(AP), i32Const(4), op.i32Add, set(AP), get(BP), get(NB), op.i32Add, set(BP));
      });
      e(get(C), get(I), get(N), op.i32Mul, get(J), op.i32Add, i32Const(2), op.i32Shl, op.i32Add, get(T), store2());
      e(get(J), i32Const(2), op.i32Add, set(J));
    });
    e(get(J), get(N), op.i32LtS, op.if, BLOCK_VOID);
    row();
    e(get(AP), get(K), i32Const(2), op.i32Shl, op.i32Add, set(AEND));
    e(get(BT), get(J), i32Const(2), op.i32Shl, op.i32Add, set(BP));
    e(...F64_ZERO, set(S));
    whileLoop([...get(AP), ...get(AEND), op.i32LtU], () => {
      e(
        get(S),
        get(AP),
        f32Load(),
        op.f64PromoteF32,
        get(BP),
        f32Load(),
        op.f64PromoteF32,
        op.f64Mul,
        op.f64Add,
        set(S),
      );
      e(get(AP), i32Const(4), op.i32Add, set(AP), get(BP), get(NB), op.i32Add, set(BP));
    });
    e(get(C), get(I), get(N), op.i32Mul, get(J), op.i32Add, i32Const(2), op.i32Shl, op.i32Add, get(S));
    e(op.f32DemoteF64, op.f32Store, ...memarg(0, 2), op.end);
    e(get(I), i32Const(1), op.i32Add, set(I));
  });
  return f;
}

const denseModule = lazyModule(() => ({
  memory: {},
  functions: [
    { name: "grouped", fn: groupedFunction() },
    { name: "dot", fn: dotFunction() },
  ],
}));

/** The compiled kernels, or null where WebAssembly SIMD is unavailable. */
export function denseExactModule(): CompiledModule | null {
  return denseModule();
}
