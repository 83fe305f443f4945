/**
 * WebAssembly SIMD kernels of the convolution layer (channel-last images,
 * weights W [K × F] with K = (ky, kx, c), F output channels, F % 4 = 0),
 * assembled with core/wasm.ts and instantiated on the layer's SimdArena:
 *
 *   scatterForward     y = bias + Σ x·W, walking the non-zero inputs: each adds
 *                      x·W[tap] to the outputs whose window holds it (sparse
 *                      images: MNIST digits are 81% zeros); then the fused ReLU
 *   scatterWeightGrad  dWs[tap] = Σ x·g[position], walking the non-zero inputs
 *   gatherForward      y = bias + patch·W for R positions × 4Q channels at a
 *                      time in registers (R·Q = 8), reading each patch straight
 *                      from the image through a table of patch addresses (no
 *                      im2col copy): dense inputs, no zero test
 *   maskGradient       g = dy where y > 0 (the fused ReLU's mask), in place, and
 *                      the bias gradient's sums in float64
 *   compactColumns     per output channel f, the list of (patch address, g[r, f])
 *                      for the non-zero g[r, f], r ascending (branch-free)
 *   weightGradLists    dWᵀ[f, :] = Σ over f's list of g · patch
 *   inputGradLists     dx += Σ_f g[r, f] · Wᵀ[f, :] scattered back to r's patch,
 *                      r ascending (dcol and col2im fused, no dcol buffer)
 *   countNonzero       the non-zero inputs (scatter or gather?)
 *
 * Every output element is the same float32 sum, term by term in the same
 * order, as the im2col + matrix-product kernels these replace (core/simd-gemm.ts
 * over im2col rows): y = bias, then + x·w for taps (ky, kx, c) ascending;
 * dWᵀ[f, k] = 0, then + g·x for positions r ascending; dx = 0, then + dcol[r]
 * for r ascending, where dcol[r, k] = 0, then + g·w for f ascending. Zero
 * terms may be skipped or added: a sum that starts at a bias or at +0 does not
 * change when ±0 is added (IEEE 754 round-to-nearest), so both give the same
 * bits for finite weights. Scatter and gather therefore give identical results,
 * and which one runs is chosen by the input's density.
 *
 * `fma`: the opt-in relaxed-SIMD variant, f32x4.relaxed_madd (a fused
 * multiply-add where the CPU has FMA, one rounding instead of two) in place of
 * every vector multiply and add; scalar tails keep mul then add.
 */
import {
  BLOCK_VOID,
  FunctionBuilder,
  i32Const,
  lazyModule,
  memarg,
  op,
  shuffle,
  simd,
  simdOp,
  v128SplatConst,
  valType,
  type CompiledModule,
  type Emittable,
} from "../core/wasm.js";

const { i32, f32, v128 } = valType;
const ZERO4 = v128SplatConst(0);
const load = (offset = 0): number[] => [...simd(simdOp.v128Load), ...memarg(offset)];
const store = (offset = 0): number[] => [...simd(simdOp.v128Store), ...memarg(offset)];
const splatLoad = (offset = 0): number[] => [...simd(simdOp.v128Load32Splat), ...memarg(offset, 2)];
const i32Load = (offset = 0): number[] => [op.i32Load, ...memarg(offset, 2)];
const i32Store = (offset = 0): number[] => [op.i32Store, ...memarg(offset, 2)];
const f32Load = (offset = 0): number[] => [op.f32Load, ...memarg(offset, 2)];
const f32Store = (offset = 0): number[] => [op.f32Store, ...memarg(offset, 2)];
const F32_ZERO = [op.f32Const, 0, 0, 0, 0];

/** acc + a·b on the stack: f32x4 mul then add, or one relaxed_madd. */
function madd(fma: boolean, acc: Emittable[], a: Emittable[], b: Emittable[]): Emittable[] {
  return fma
    ? [...a, ...b, ...acc, simd(simdOp.f32x4RelaxedMadd)]
    : [...acc, ...a, ...b, simd(simdOp.f32x4Mul), simd(simdOp.f32x4Add)];
}

/** Structured-control helpers over one function. */
function helpers(f: FunctionBuilder) {
  const e = (...xs: Emittable[]) => f.emit(...xs);
  const get = (l: number) => f.get(l);
  const set = (l: number) => f.set(l);
  /** v = from; while (v < to) { body; v += step }; `to` is re-evaluated each time (give a local). */
  const forUp = (v: number, from: Emittable[], to: Emittable[], step: Emittable[], body: () => void) => {
    e(...from, set(v), op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
    e(get(v), ...to, op.i32GeS, op.brIf, 1);
    body();
    e(get(v), ...step, op.i32Add, set(v), op.br, 0, op.end, op.end);
  };
  /** while (cond) { body }: cond leaves an i32 on the stack. */
  const whileLoop = (cond: Emittable[], body: () => void) => {
    e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID, ...cond, op.i32Eqz, op.brIf, 1);
    body();
    e(op.br, 0, op.end, op.end);
  };
  const ifThen = (cond: Emittable[], body: () => void, orElse?: () => void) => {
    e(...cond, op.if, BLOCK_VOID);
    body();
    if (orElse !== undefined) {
      e(op.else);
      orElse();
    }
    e(op.end);
  };
  return { e, get, set, forUp, whileLoop, ifThen };
}

/**
 * scatterForward / scatterWeightGrad(x, src, dst, bias, nb, H, W, C, k, s, p, OH, OW, F, relu):
 * for each non-zero x[b, iy, ix, c] and each output position (oy, ox) whose
 * window holds it, at tap (ky, kx) = (iy + p − oy·s, ix + p − ox·s):
 *   forward:     dst = y,   dst[pos, :] += x · src[tap, :]   (src = W; dst first set to the bias rows)
 *   weightGrad:  dst = dWs, dst[tap, :] += x · src[pos, :]   (src = g; dst first zeroed)
 * with tap = (ky·k + kx)·C + c, pos = (b·OH + oy)·OW + ox, rows of F floats.
 * Inputs are walked in memory order, so each output receives its terms in
 * (ky, kx, c) order and each dWs entry in position order. `fixedF` > 0: the
 * kernel serves only F = fixedF, with each row update unrolled.
 */
function scatterFunction(mode: "forward" | "weightGrad", fma: boolean, fixedF: number): FunctionBuilder {
  const f = new FunctionBuilder(new Array(15).fill(i32));
  const [X, SRC, DST, BIAS, NB, H, W, C, K, S, P, OH, OW, F, RELU] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  const L = () => f.local(i32);
  const FB = L(),
    XP = L(),
    B = L(),
    IY = L(),
    IX = L(),
    CI = L(),
    TY = L(),
    TX = L(),
    OYLO = L(),
    OYEND = L(),
    OXLO = L(),
    OXEND = L(),
    OY = L(),
    OX = L(),
    PP = L(),
    QP = L(),
    J = L(),
    END = L(),
    SAMPLE = L();
  const TAPSTEP = L();
  const V = f.local(f32);
  const VS = f.local(v128);
  const { e, get, set, forUp, whileLoop, ifThen } = helpers(f);
  const add = (a: Emittable[], b: Emittable[]) => [...a, ...b, op.i32Add];
  const mul = (a: Emittable[], b: Emittable[]) => [...a, ...b, op.i32Mul];
  /** a / s, with no division when s = 1 (the usual case). */
  const divS = (a: Emittable[]) => [
    ...get(S),
    i32Const(1),
    op.i32Eq,
    op.if,
    i32,
    ...a,
    op.else,
    ...a,
    ...get(S),
    op.i32DivU,
    op.end,
  ];
  /** min(a, b) of two locals' values. */
  const minInto = (dst: number, a: Emittable[], b: Emittable[]) => {
    e(...a, set(dst), ...b, set(J), get(J), get(dst), get(J), get(dst), op.i32LtS, op.select, set(dst));
  };

  e(get(F), i32Const(2), op.i32Shl, set(FB));
  if (mode === "forward") {
    // dst rows = bias
    e(
      get(DST),
      set(PP),
      get(NB),
      get(OH),
      op.i32Mul,
      get(OW),
      op.i32Mul,
      get(FB),
      op.i32Mul,
      get(DST),
      op.i32Add,
      set(END),
    );
    whileLoop([...get(PP), ...get(END), op.i32LtU], () => {
      forUp(J, [i32Const(0)], get(FB), [i32Const(16)], () => {
        e(get(PP), get(J), op.i32Add, get(BIAS), get(J), op.i32Add, load(), store());
      });
      e(get(PP), get(FB), op.i32Add, set(PP));
    });
  } else {
    // dst = 0 (K·C·F floats)
    e(
      get(DST),
      set(PP),
      get(K),
      get(K),
      op.i32Mul,
      get(C),
      op.i32Mul,
      get(FB),
      op.i32Mul,
      get(DST),
      op.i32Add,
      set(END),
    );
    whileLoop([...get(PP), ...get(END), op.i32LtU], () => {
      e(get(PP), ZERO4, store(), get(PP), i32Const(16), op.i32Add, set(PP));
    });
  }
  // Moving one output column right moves the tap s columns left.
  e(get(S), get(C), op.i32Mul, get(FB), op.i32Mul, set(TAPSTEP));
  e(get(X), set(XP));
  forUp(B, [i32Const(0)], get(NB), [i32Const(1)], () => {
    e(...mul(mul(get(B), get(OH)), get(OW)), set(SAMPLE)); // first position of sample b
    forUp(IY, [i32Const(0)], get(H), [i32Const(1)], () => {
      // output rows whose window holds row iy: oy in [ceil((iy+p-k+1)/s), floor((iy+p)/s)] ∩ [0, OH)
      e(...add(get(IY), get(P)), set(TY));
      minInto(OYEND, [...divS(get(TY)), i32Const(1), op.i32Add], get(OH));
      e(get(TY), get(K), op.i32Sub, i32Const(1), op.i32Add, set(OYLO));
      e(get(OYLO), i32Const(0), op.i32LeS, op.if, i32, i32Const(0), op.else);
      e(...divS([...get(OYLO), ...get(S), op.i32Add, i32Const(1), op.i32Sub]), op.end, set(OYLO));
      forUp(IX, [i32Const(0)], get(W), [i32Const(1)], () => {
        e(...add(get(IX), get(P)), set(TX));
        minInto(OXEND, [...divS(get(TX)), i32Const(1), op.i32Add], get(OW));
        e(get(TX), get(K), op.i32Sub, i32Const(1), op.i32Add, set(OXLO));
        e(get(OXLO), i32Const(0), op.i32LeS, op.if, i32, i32Const(0), op.else);
        e(...divS([...get(OXLO), ...get(S), op.i32Add, i32Const(1), op.i32Sub]), op.end, set(OXLO));
        forUp(CI, [i32Const(0)], get(C), [i32Const(1)], () => {
          e(get(XP), f32Load(), set(V), get(XP), i32Const(4), op.i32Add, set(XP));
          ifThen([...get(V), ...F32_ZERO, op.f32Ne], () => {
            e(get(V), simd(simdOp.f32x4Splat), set(VS));
            forUp(OY, get(OYLO), get(OYEND), [i32Const(1)], () => {
              // PP: row of position (oy, oxLo); QP: row of tap (ky, kx at oxLo, c)
              e(...mul(add(add(get(SAMPLE), mul(get(OY), get(OW))), get(OXLO)), get(FB)), set(PP));
              e(get(TY), get(OY), get(S), op.i32Mul, op.i32Sub, get(K), op.i32Mul); // ky·k
              e(get(TX), get(OXLO), get(S), op.i32Mul, op.i32Sub, op.i32Add); // + kx
              e(get(C), op.i32Mul, get(CI), op.i32Add, get(FB), op.i32Mul, set(QP));
              if (mode === "forward") e(get(PP), get(DST), op.i32Add, set(PP), get(QP), get(SRC), op.i32Add, set(QP));
              else e(get(PP), get(SRC), op.i32Add, set(PP), get(QP), get(DST), op.i32Add, set(QP));
              const [T, U] = mode === "forward" ? [PP, QP] : [QP, PP]; // target += v · source
              forUp(OX, get(OXLO), get(OXEND), [i32Const(1)], () => {
                if (fixedF > 0) {
                  // F known when the module was assembled: the row update fully unrolled
                  for (let off = 0; off < 4 * fixedF; off += 16) {
                    e(get(T), ...madd(fma, [...get(T), ...load(off)], get(VS), [...get(U), ...load(off)]), store(off));
                  }
                } else {
                  e(i32Const(0), set(J));
                  whileLoop([...get(J), i32Const(32), op.i32Add, ...get(FB), op.i32LeS], () => {
                    for (const off of [0, 16]) {
                      e(get(T), get(J), op.i32Add, set(END)); // END: scratch address
                      e(
                        get(END),
                        ...madd(fma, [...get(END), ...load(off)], get(VS), [
                          ...get(U),
                          ...get(J),
                          op.i32Add,
                          ...load(off),
                        ]),
                        store(off),
                      );
                    }
                    e(get(J), i32Const(32), op.i32Add, set(J));
                  });
                  ifThen([...get(J), ...get(FB), op.i32LtS], () => {
                    e(get(T), get(J), op.i32Add, set(END));
                    e(
                      get(END),
                      ...madd(fma, [...get(END), ...load()], get(VS), [...get(U), ...get(J), op.i32Add, ...load()]),
                      store(),
                    );
                  });
                }
                e(get(PP), get(FB), op.i32Add, set(PP), get(QP), get(TAPSTEP), op.i32Sub, set(QP));
              });
            });
          });
        });
      });
    });
  });
  if (mode === "forward") {
    ifThen(get(RELU), () => {
      e(
        get(DST),
        set(PP),
        get(NB),
        get(OH),
        op.i32Mul,
        get(OW),
        op.i32Mul,
        get(FB),
        op.i32Mul,
        get(DST),
        op.i32Add,
        set(END),
      );
      whileLoop([...get(PP), ...get(END), op.i32LtU], () => {
        e(get(PP), get(PP), load(), ZERO4, simd(simdOp.f32x4Max), store(), get(PP), i32Const(16), op.i32Add, set(PP));
      });
    });
  }
  return f;
}

/**
 * gatherForward(table, rows, w, bias, y, F, segs, segLen, segStride, relu):
 * y[r, :] = bias + Σ over segments σ and t < segLen of
 * mem[table[r] + σ·segStride + 4t] · W[σ·segLen + t, :], then max(·, 0) with relu.
 * A patch of a padding-free convolution is k segments (its kernel rows) of k·C
 * contiguous floats, W·C·4 bytes apart; an im2col row is one segment.
 * R rows × Q vectors of four channels are accumulated in registers at a time.
 */
function gatherFunction(R: number, Q: number, fma: boolean): FunctionBuilder {
  const f = new FunctionBuilder(new Array(10).fill(i32));
  const [TABLE, ROWS, WB, BIAS, Y, F, SEGS, SEGLEN, SEGSTRIDE, RELU] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const L = () => f.local(i32);
  const FB = L(),
    FBLK = L(),
    RI = L(),
    SEG = L(),
    AEND = L(),
    WP = L();
  const A = Array.from({ length: R }, L);
  const ACC = Array.from({ length: R * Q }, () => f.local(v128));
  const WV = Array.from({ length: Q }, () => f.local(v128));
  const SV = f.local(v128);
  const { e, get, set, forUp, whileLoop, ifThen } = helpers(f);

  const tile = (n: number) => {
    for (let i = 0; i < n; i++)
      for (let q = 0; q < Q; q++) e(get(BIAS), get(FBLK), op.i32Add, load(16 * q), set(ACC[i * Q + q]!));
    forUp(SEG, [i32Const(0)], get(SEGS), [i32Const(1)], () => {
      for (let i = 0; i < n; i++) {
        e(get(TABLE), get(RI), op.i32Add, i32Load(4 * i), get(SEG), get(SEGSTRIDE), op.i32Mul, op.i32Add, set(A[i]!));
      }
      e(get(A[0]!), get(SEGLEN), i32Const(2), op.i32Shl, op.i32Add, set(AEND));
      e(get(SEG), get(SEGLEN), op.i32Mul, get(FB), op.i32Mul, get(WB), op.i32Add, get(FBLK), op.i32Add, set(WP));
      whileLoop([...get(A[0]!), ...get(AEND), op.i32LtU], () => {
        for (let q = 0; q < Q; q++) e(get(WP), load(16 * q), set(WV[q]!));
        for (let i = 0; i < n; i++) {
          e(get(A[i]!), splatLoad(), set(SV));
          for (let q = 0; q < Q; q++) e(...madd(fma, get(ACC[i * Q + q]!), get(SV), get(WV[q]!)), set(ACC[i * Q + q]!));
        }
        for (let i = 0; i < n; i++) e(get(A[i]!), i32Const(4), op.i32Add, set(A[i]!));
        e(get(WP), get(FB), op.i32Add, set(WP));
      });
    });
    ifThen(get(RELU), () => {
      for (let t = 0; t < n * Q; t++) e(get(ACC[t]!), ZERO4, simd(simdOp.f32x4Max), set(ACC[t]!));
    });
    // y + (r + i)·FB + fblk; RI holds r·4 (the table offset)
    for (let i = 0; i < n; i++) {
      for (let q = 0; q < Q; q++) {
        e(
          get(RI),
          i32Const(2),
          op.i32ShrU,
          i32Const(i),
          op.i32Add,
          get(FB),
          op.i32Mul,
          get(Y),
          op.i32Add,
          get(FBLK),
          op.i32Add,
        );
        e(get(ACC[i * Q + q]!), store(16 * q));
      }
    }
  };

  e(get(F), i32Const(2), op.i32Shl, set(FB));
  forUp(FBLK, [i32Const(0)], get(FB), [i32Const(16 * Q)], () => {
    e(i32Const(0), set(RI)); // RI = 4r
    if (R > 1) {
      whileLoop([...get(RI), i32Const(4 * R), op.i32Add, ...get(ROWS), i32Const(2), op.i32Shl, op.i32LeS], () => {
        tile(R);
        e(get(RI), i32Const(4 * R), op.i32Add, set(RI));
      });
    }
    whileLoop([...get(RI), ...get(ROWS), i32Const(2), op.i32Shl, op.i32LtS], () => {
      tile(1);
      e(get(RI), i32Const(4), op.i32Add, set(RI));
    });
  });
  return f;
}

/**
 * combine(list, count, offset, len, dst, accumulate): with the list's `count`
 * entries (i32 address a, f32 value v), 8 bytes each,
 *   acc[j] = 0 + Σ_entries v · mem[a + offset + 4j]   (entries in list order)
 * for j < len, then dst[j] = acc[j] or, with accumulate, dst[j] += acc[j].
 * Blocks of 32, 16, 8, 4 floats in registers, then single floats.
 */
function combineFunction(fma: boolean): FunctionBuilder {
  const f = new FunctionBuilder(new Array(6).fill(i32));
  const [LIST, COUNT, OFFSET, LEN, DST, ACCUM] = [0, 1, 2, 3, 4, 5];
  const J = f.local(i32),
    LP = f.local(i32),
    LEND = f.local(i32),
    AP = f.local(i32);
  const SV = f.local(v128);
  const ACC = Array.from({ length: 8 }, () => f.local(v128));
  const SACC = f.local(f32);
  const { e, get, set, whileLoop, ifThen } = helpers(f);

  const walk = (body: () => void) => {
    e(get(LIST), set(LP));
    whileLoop([...get(LP), ...get(LEND), op.i32LtU], () => {
      e(get(LP), i32Load(), get(OFFSET), op.i32Add, get(J), i32Const(2), op.i32Shl, op.i32Add, set(AP));
      body();
      e(get(LP), i32Const(8), op.i32Add, set(LP));
    });
  };
  const block = (q: number) => {
    for (let t = 0; t < q; t++) e(ZERO4, set(ACC[t]!));
    walk(() => {
      e(get(LP), splatLoad(4), set(SV));
      for (let t = 0; t < q; t++) e(...madd(fma, get(ACC[t]!), get(SV), [...get(AP), ...load(16 * t)]), set(ACC[t]!));
    });
    e(get(DST), get(J), i32Const(2), op.i32Shl, op.i32Add, set(AP)); // AP: destination now
    ifThen(
      get(ACCUM),
      () => {
        for (let t = 0; t < q; t++)
          e(get(AP), get(AP), load(16 * t), get(ACC[t]!), simd(simdOp.f32x4Add), store(16 * t));
      },
      () => {
        for (let t = 0; t < q; t++) e(get(AP), get(ACC[t]!), store(16 * t));
      },
    );
    e(get(J), i32Const(4 * q), op.i32Add, set(J));
  };

  e(get(LIST), get(COUNT), i32Const(3), op.i32Shl, op.i32Add, set(LEND));
  e(i32Const(0), set(J));
  whileLoop([...get(J), i32Const(32), op.i32Add, ...get(LEN), op.i32LeS], () => block(8));
  for (const q of [4, 2, 1]) ifThen([...get(J), i32Const(4 * q), op.i32Add, ...get(LEN), op.i32LeS], () => block(q));
  whileLoop([...get(J), ...get(LEN), op.i32LtS], () => {
    e(...F32_ZERO, set(SACC));
    walk(() => {
      e(get(SACC), get(LP), f32Load(4), get(AP), f32Load(), op.f32Mul, op.f32Add, set(SACC));
    });
    e(get(DST), get(J), i32Const(2), op.i32Shl, op.i32Add, set(AP));
    ifThen(
      get(ACCUM),
      () => e(get(AP), get(AP), f32Load(), get(SACC), op.f32Add, f32Store()),
      () => e(get(AP), get(SACC), f32Store()),
    );
    e(get(J), i32Const(1), op.i32Add, set(J));
  });
  return f;
}

/** The index of `combine` in the module (the functions below call it). */
const COMBINE = 0;
const call = (fn: number) => [op.call, fn];

/**
 * compactColumns(g, table, rows, F, lists, cap, counts): for each channel f,
 * lists + f·cap (bytes) receives (table[r], g[r, f]) for every r with
 * g[r, f] ≠ 0, r ascending, written without branches (each entry is stored,
 * then kept by advancing the pointer only when the value is non-zero);
 * counts[f] = the number kept.
 */
function compactColumnsFunction(): FunctionBuilder {
  const f = new FunctionBuilder(new Array(7).fill(i32));
  const [G, TABLE, ROWS, F, LISTS, CAP, COUNTS] = [0, 1, 2, 3, 4, 5, 6];
  const FI = f.local(i32),
    PP = f.local(i32),
    BASE = f.local(i32),
    GP = f.local(i32),
    TP = f.local(i32),
    TEND = f.local(i32),
    FB = f.local(i32);
  const V = f.local(f32);
  const { e, get, set, forUp, whileLoop } = helpers(f);
  e(get(F), i32Const(2), op.i32Shl, set(FB));
  e(get(TABLE), get(ROWS), i32Const(2), op.i32Shl, op.i32Add, set(TEND));
  forUp(FI, [i32Const(0)], get(F), [i32Const(1)], () => {
    e(get(LISTS), get(FI), get(CAP), op.i32Mul, op.i32Add, f.tee(BASE), set(PP));
    e(get(G), get(FI), i32Const(2), op.i32Shl, op.i32Add, set(GP), get(TABLE), set(TP));
    whileLoop([...get(TP), ...get(TEND), op.i32LtU], () => {
      e(get(GP), f32Load(), set(V));
      e(get(PP), get(TP), i32Load(), i32Store(), get(PP), get(V), f32Store(4));
      e(get(PP), get(V), ...F32_ZERO, op.f32Ne, i32Const(3), op.i32Shl, op.i32Add, set(PP));
      e(get(GP), get(FB), op.i32Add, set(GP), get(TP), i32Const(4), op.i32Add, set(TP));
    });
    e(
      get(COUNTS),
      get(FI),
      i32Const(2),
      op.i32Shl,
      op.i32Add,
      get(PP),
      get(BASE),
      op.i32Sub,
      i32Const(3),
      op.i32ShrU,
      i32Store(),
    );
  });
  return f;
}

/**
 * weightGradLists(lists, counts, cap, F, segs, segLen, segStride, dwT, K):
 * dWᵀ[f, σ·segLen + t] = Σ over f's list (address a, value g) of
 * g · mem[a + σ·segStride + 4t]: each channel's list against each segment of
 * the patches (see gatherForward), dWᵀ rows K floats long.
 */
function weightGradListsFunction(): FunctionBuilder {
  const f = new FunctionBuilder(new Array(9).fill(i32));
  const [LISTS, COUNTS, CAP, F, SEGS, SEGLEN, SEGSTRIDE, DWT, K] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const FI = f.local(i32),
    SEG = f.local(i32);
  const { e, get, forUp } = helpers(f);
  forUp(FI, [i32Const(0)], get(F), [i32Const(1)], () => {
    forUp(SEG, [i32Const(0)], get(SEGS), [i32Const(1)], () => {
      e(get(LISTS), get(FI), get(CAP), op.i32Mul, op.i32Add); // list
      e(get(COUNTS), get(FI), i32Const(2), op.i32Shl, op.i32Add, i32Load()); // count
      e(get(SEG), get(SEGSTRIDE), op.i32Mul); // offset
      e(get(SEGLEN)); // len
      e(
        get(FI),
        get(K),
        op.i32Mul,
        get(SEG),
        get(SEGLEN),
        op.i32Mul,
        op.i32Add,
        i32Const(2),
        op.i32Shl,
        get(DWT),
        op.i32Add,
      );
      e(i32Const(0), call(COMBINE));
    });
  });
  return f;
}

/**
 * inputGradLists(g, wT, wTStride, table, delta, rows, F, segs, segLen, segStride, scratch):
 * for each position r ascending, the list (Wᵀ row f, g[r, f]) of its non-zero
 * g (branch-free, in scratch), then for each patch segment σ:
 * dx[table[r] + delta + σ·segStride + 4t] += Σ_f g[r, f] · Wᵀ[f, σ·segLen + t].
 */
function inputGradListsFunction(): FunctionBuilder {
  const f = new FunctionBuilder(new Array(11).fill(i32));
  const [G, WT, WTSTRIDE, TABLE, DELTA, ROWS, F, SEGS, SEGLEN, SEGSTRIDE, SCRATCH] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const RI = f.local(i32),
    FI = f.local(i32),
    PP = f.local(i32),
    GP = f.local(i32),
    N = f.local(i32),
    BASE = f.local(i32),
    SEG = f.local(i32);
  const V = f.local(f32);
  const { e, get, set, forUp, ifThen } = helpers(f);
  e(get(G), set(GP));
  forUp(RI, [i32Const(0)], get(ROWS), [i32Const(1)], () => {
    e(get(SCRATCH), set(PP));
    forUp(FI, [i32Const(0)], get(F), [i32Const(1)], () => {
      e(get(GP), f32Load(), set(V), get(GP), i32Const(4), op.i32Add, set(GP));
      e(get(PP), get(FI), get(WTSTRIDE), op.i32Mul, get(WT), op.i32Add, i32Store(), get(PP), get(V), f32Store(4));
      e(get(PP), get(V), ...F32_ZERO, op.f32Ne, i32Const(3), op.i32Shl, op.i32Add, set(PP));
    });
    e(get(PP), get(SCRATCH), op.i32Sub, i32Const(3), op.i32ShrU, set(N));
    ifThen([...get(N)], () => {
      e(get(TABLE), get(RI), i32Const(2), op.i32Shl, op.i32Add, i32Load(), get(DELTA), op.i32Add, set(BASE));
      forUp(SEG, [i32Const(0)], get(SEGS), [i32Const(1)], () => {
        e(get(SCRATCH), get(N), get(SEG), get(SEGLEN), op.i32Mul, i32Const(2), op.i32Shl, get(SEGLEN));
        e(get(SEG), get(SEGSTRIDE), op.i32Mul, get(BASE), op.i32Add, i32Const(1), call(COMBINE));
      });
    });
  });
  return f;
}

/**
 * maskGradient(dy, y, db64, rows, F, relu): in place, dy[r, f] = 0 where the
 * fused ReLU's output y[r, f] is not > 0 (with relu); then
 * db64[f] = Σ_r dy[r, f] in float64, r ascending (db64 is zeroed first).
 */
function maskGradientFunction(): FunctionBuilder {
  const f = new FunctionBuilder(new Array(6).fill(i32));
  const [DY, Y, DB, ROWS, F, RELU] = [0, 1, 2, 3, 4, 5];
  const FB = f.local(i32),
    PP = f.local(i32),
    END = f.local(i32),
    J = f.local(i32),
    BP = f.local(i32);
  const D = f.local(v128);
  const { e, get, set, forUp, whileLoop, ifThen } = helpers(f);
  const f64Add = simd(simdOp.f64x2Add);
  const promote = simd(simdOp.f64x2PromoteLowF32x4);
  e(get(F), i32Const(2), op.i32Shl, set(FB));
  forUp(J, [i32Const(0)], [...get(FB), i32Const(1), op.i32Shl], [i32Const(16)], () => {
    e(get(DB), get(J), op.i32Add, ZERO4, store());
  });
  const pass = (relu: boolean) => {
    e(get(DY), set(PP), get(DY), get(ROWS), get(FB), op.i32Mul, op.i32Add, set(END));
    whileLoop([...get(PP), ...get(END), op.i32LtU], () => {
      forUp(J, [i32Const(0)], get(FB), [i32Const(16)], () => {
        e(get(PP), get(J), op.i32Add, load(), set(D));
        if (relu) {
          e(get(D), get(PP), get(J), op.i32Add, get(Y), op.i32Add, get(DY), op.i32Sub, load(), ZERO4);
          e(simd(simdOp.f32x4Gt), simd(simdOp.v128And), set(D));
          e(get(PP), get(J), op.i32Add, get(D), store());
        }
        e(get(DB), get(J), i32Const(1), op.i32Shl, op.i32Add, set(BP));
        e(get(BP), get(BP), load(), get(D), promote, f64Add, store());
        e(
          get(BP),
          get(BP),
          load(16),
          get(D),
          get(D),
          shuffle([8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]),
        );
        e(promote, f64Add, store(16));
      });
      e(get(PP), get(FB), op.i32Add, set(PP));
    });
  };
  ifThen(
    get(RELU),
    () => pass(true),
    () => pass(false),
  );
  return f;
}

/** countNonzero(x, n): how many of the n floats at x are not zero (NaN counts). */
function countNonzeroFunction(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32], [i32]);
  const [X, N] = [0, 1];
  const PP = f.local(i32),
    END = f.local(i32),
    CNT = f.local(i32);
  const CV = f.local(v128);
  const { e, get, set, whileLoop } = helpers(f);
  e(get(X), set(PP), get(X), get(N), i32Const(-4), op.i32And, i32Const(2), op.i32Shl, op.i32Add, set(END));
  e(v128SplatConst(0, true), set(CV));
  whileLoop([...get(PP), ...get(END), op.i32LtU], () => {
    e(get(CV), get(PP), load(), ZERO4, simd(simdOp.f32x4Ne), simd(simdOp.i32x4Sub), set(CV));
    e(get(PP), i32Const(16), op.i32Add, set(PP));
  });
  e(i32Const(0), set(CNT));
  for (let l = 0; l < 4; l++) e(get(CNT), get(CV), simd(simdOp.i32x4ExtractLane), l, op.i32Add, set(CNT));
  e(get(X), get(N), i32Const(2), op.i32Shl, op.i32Add, set(END));
  whileLoop([...get(PP), ...get(END), op.i32LtU], () => {
    e(get(CNT), get(PP), f32Load(), ...F32_ZERO, op.f32Ne, op.i32Add, set(CNT));
    e(get(PP), i32Const(4), op.i32Add, set(PP));
  });
  e(get(CNT));
  return f;
}

/** The row × vector tilings of gatherForward: 2 rows × 16 channels, 4 × 8, 8 × 4. */
export const GATHER_TILES = [
  { name: "gather2x4", rows: 2, vectors: 4 },
  { name: "gather4x2", rows: 4, vectors: 2 },
  { name: "gather8x1", rows: 8, vectors: 1 },
] as const;

function convModuleSpec(fma: boolean, fixedF: number) {
  return {
    memory: {},
    functions: [
      { name: "combine", fn: combineFunction(fma) }, // index COMBINE
      { name: "scatterForward", fn: scatterFunction("forward", fma, fixedF) },
      { name: "scatterWeightGrad", fn: scatterFunction("weightGrad", fma, fixedF) },
      ...GATHER_TILES.map((t) => ({ name: t.name, fn: gatherFunction(t.rows, t.vectors, fma) })),
      { name: "maskGradient", fn: maskGradientFunction() },
      { name: "compactColumns", fn: compactColumnsFunction() },
      { name: "weightGradLists", fn: weightGradListsFunction() },
      { name: "inputGradLists", fn: inputGradListsFunction() },
      { name: "countNonzero", fn: countNonzeroFunction() },
    ],
  };
}

/** Channel counts up to this get kernels assembled for them alone (unrolled row updates). */
const MAX_FIXED_F = 32;
const modules = new Map<string, () => CompiledModule | null>();

/**
 * The compiled convolution kernels for F output channels: exact (mul then
 * add), or fused (relaxed SIMD; null where the engine lacks it). Assembled
 * once per process for each (fma, F ≤ 32) and once for all larger F.
 */
export function convModule(fma: boolean, F: number): CompiledModule | null {
  const fixedF = F <= MAX_FIXED_F && F % 4 === 0 ? F : 0;
  const key = `${fma}:${fixedF}`;
  let get = modules.get(key);
  if (get === undefined) {
    get = lazyModule(() => convModuleSpec(fma, fixedF));
    modules.set(key, get);
  }
  return get();
}
