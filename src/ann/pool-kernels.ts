/**
 * WebAssembly SIMD kernels of max pooling over channel-last images, four
 * channels at a time (channels % 4 = 0), assembled with core/wasm.ts and
 * instantiated on the layer's SimdArena:
 *
 *   maxPoolForward(x, y, arg, nb, H, W, C, k, s, OH, OW)
 *     y = each window's maximum per channel, arg = the flat input index (within
 *     the batch) of the first maximum: the window's top-left pixel first, then
 *     the rest row by row, replaced only by a strictly greater value (so a NaN
 *     never wins and ties keep the first), exactly as the JavaScript loop.
 *   maxPoolBackward(dy, arg, dx, n, dxFloats)
 *     dx = 0, then dx[arg[i]] += dy[i] for i ascending (float32 adds, as the
 *     JavaScript loop on a Float32Array).
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
  v128SplatConst,
  valType,
  type CompiledModule,
  type Emittable,
} from "../core/wasm.js";

const { i32, v128 } = valType;
const load = (offset = 0): number[] => [...simd(simdOp.v128Load), ...memarg(offset)];
const store = (offset = 0): number[] => [...simd(simdOp.v128Store), ...memarg(offset)];

function forwardFunction(): FunctionBuilder {
  const f = new FunctionBuilder(new Array(11).fill(i32));
  const [X, Y, ARG, NB, H, W, C, K, S, OH, OW] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const L = () => f.local(i32);
  const B = L(),
    OY = L(),
    OX = L(),
    CI = L(),
    KY = L(),
    KX = L(),
    FIRST = L(),
    IDX = L(),
    YP = L(),
    AP = L(),
    XB = L();
  const M = f.local(v128),
    I = f.local(v128),
    V = f.local(v128),
    MASK = f.local(v128);
  const e = (...xs: Emittable[]) => f.emit(...xs);
  const get = (l: number) => f.get(l);
  const set = (l: number) => f.set(l);
  const forUp = (v: number, to: number, body: () => void) => {
    e(i32Const(0), set(v), op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
    e(get(v), get(to), op.i32GeS, op.brIf, 1);
    body();
    e(get(v), i32Const(1), op.i32Add, set(v), op.br, 0, op.end, op.end);
  };
  const iota = [...simd(simdOp.v128Const), ...new Uint8Array(Int32Array.of(0, 1, 2, 3).buffer)];
  /** The four flat indices IDX .. IDX+3 as an i32x4. */
  const indices = () => [...get(IDX), ...simd(simdOp.i32x4Splat), ...iota, ...simd(simdOp.i32x4Add)];

  e(get(Y), set(YP), get(ARG), set(AP));
  forUp(B, NB, () => {
    e(get(B), get(H), op.i32Mul, get(W), op.i32Mul, get(C), op.i32Mul, set(XB));
    forUp(OY, OH, () => {
      forUp(OX, OW, () => {
        // first = xb + (oy·s·W + ox·s)·C
        e(get(OY), get(S), op.i32Mul, get(W), op.i32Mul, get(OX), get(S), op.i32Mul, op.i32Add, get(C), op.i32Mul);
        e(get(XB), op.i32Add, set(FIRST));
        e(i32Const(0), set(CI), op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
        e(get(CI), get(C), op.i32GeS, op.brIf, 1);
        e(get(FIRST), get(CI), op.i32Add, set(IDX));
        e(get(IDX), i32Const(2), op.i32Shl, get(X), op.i32Add, load(), set(M), ...indices(), set(I));
        forUp(KY, K, () => {
          forUp(KX, K, () => {
            // skip (0, 0): it is the starting value
            e(get(KY), get(KX), op.i32Or, op.if, BLOCK_VOID);
            e(get(OY), get(S), op.i32Mul, get(KY), op.i32Add, get(W), op.i32Mul);
            e(get(OX), get(S), op.i32Mul, get(KX), op.i32Add, op.i32Add, get(C), op.i32Mul);
            e(get(XB), op.i32Add, get(CI), op.i32Add, set(IDX));
            e(get(IDX), i32Const(2), op.i32Shl, get(X), op.i32Add, load(), set(V));
            e(get(V), get(M), simd(simdOp.f32x4Gt), set(MASK));
            e(get(V), get(M), get(MASK), simd(simdOp.v128Bitselect), set(M));
            e(...indices(), get(I), get(MASK), simd(simdOp.v128Bitselect), set(I));
            e(op.end);
          });
        });
        e(get(YP), get(M), store(), get(AP), get(I), store());
        e(get(YP), i32Const(16), op.i32Add, set(YP), get(AP), i32Const(16), op.i32Add, set(AP));
        e(get(CI), i32Const(4), op.i32Add, set(CI), op.br, 0, op.end, op.end);
      });
    });
  });
  return f;
}

function backwardFunction(): FunctionBuilder {
  const f = new FunctionBuilder(new Array(5).fill(i32));
  const [DY, ARG, DX, N, DXN] = [0, 1, 2, 3, 4];
  const PP = f.local(i32),
    END = f.local(i32),
    AP = f.local(i32),
    DP = f.local(i32),
    T = f.local(i32);
  const e = (...xs: Emittable[]) => f.emit(...xs);
  const get = (l: number) => f.get(l);
  const set = (l: number) => f.set(l);
  const whileLt = (a: number, b: number, body: () => void) => {
    e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID, get(a), get(b), op.i32GeU, op.brIf, 1);
    body();
    e(op.br, 0, op.end, op.end);
  };
  // dx = 0 (its buffer is a whole number of vectors long)
  e(get(DX), set(PP), get(DXN), i32Const(3), op.i32Add, i32Const(-4), op.i32And, i32Const(2), op.i32Shl, get(DX));
  e(op.i32Add, set(END));
  whileLt(PP, END, () => e(get(PP), v128SplatConst(0), store(), get(PP), i32Const(16), op.i32Add, set(PP)));
  e(get(ARG), set(AP), get(DY), set(DP), get(DY), get(N), i32Const(2), op.i32Shl, op.i32Add, set(END));
  const f32Load = [op.f32Load, ...memarg(0, 2)];
  whileLt(DP, END, () => {
    e(get(AP), op.i32Load, ...memarg(0, 2), i32Const(2), op.i32Shl, get(DX), op.i32Add, set(T));
    e(get(T), get(T), ...f32Load, get(DP), ...f32Load, op.f32Add, op.f32Store, ...memarg(0, 2));
    e(get(AP), i32Const(4), op.i32Add, set(AP), get(DP), i32Const(4), op.i32Add, set(DP));
  });
  return f;
}

const poolModule = lazyModule(() => ({
  memory: {},
  functions: [
    { name: "maxPoolForward", fn: forwardFunction() },
    { name: "maxPoolBackward", fn: backwardFunction() },
  ],
}));

/** The compiled max-pooling kernels, or null where WebAssembly SIMD is unavailable. */
export function maxPoolModule(): CompiledModule | null {
  return poolModule();
}
