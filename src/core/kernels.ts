/**
 * Dense linear-algebra kernels over flat row-major Float32Arrays, and the
 * im2col / col2im kernels of convolution. Every kernel writes into a buffer
 * the caller owns and allocates nothing.
 *
 * The matrix products live in core/matmul.ts (plain JavaScript) and
 * core/simd-gemm.ts (WebAssembly SIMD and its `SimdArena`); they are
 * re-exported here. `PatchArena` adds im2col and col2im, assembled with
 * core/wasm.ts, to a SimdArena.
 */
import { SimdArena } from "./simd-gemm.js";
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
  type Emittable,
  type ValType,
} from "./wasm.js";

export { gemmNNJs, matmul, matmulTransA, matmulTransB } from "./matmul.js";
export { SimdArena, simdAvailable } from "./simd-gemm.js";

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

// --- im2col and col2im in WebAssembly SIMD ----------------------------------

/**
 * im2col (mode "gather") and col2im (mode "scatter") for channel-last images:
 * row r of col holds the receptive field of output position r in (ky, kx, c)
 * order, rows `kp` floats apart; outside the image, gather writes zeros and
 * scatter skips. Params: x, col (byte offsets), batch, H, W, C, k, stride,
 * padding, OH, OW, kp.
 */
function patchFunction(mode: "gather" | "scatter"): FunctionBuilder {
  const f = new FunctionBuilder(new Array<ValType>(12).fill(valType.i32));
  for (let l = 0; l < 17; l++) f.local(valType.i32);
  const e = (...xs: Emittable[]) => f.emit(...xs);
  const [X, COL, NB, H, W, C, K, S, P, OH, OW, KP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [B, OY, OX, KY, KX, CI, IY, IX, O, ROW, XB, SRC, SAMPLE] = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
  const [X0, INSIDE, RUNB, T] = [25, 26, 27, 28];
  const get = (l: number) => f.get(l);
  const set = (l: number) => f.set(l);
  const i32 = i32Const;
  const f32Load = [op.f32Load, ...memarg(0, 2)];
  const f32Store = [op.f32Store, ...memarg(0, 2)];
  const v128Load = [...simd(simdOp.v128Load), ...memarg()];
  const v128Store = [...simd(simdOp.v128Store), ...memarg()];
  /** for (l = 0; l < limit; l++) { body } */
  const forLoop = (l: number, limit: number, body: () => void) => {
    e(i32(0), set(l), op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
    e(get(l), get(limit), op.i32GeS, op.brIf, 1);
    body();
    e(get(l), i32(1), op.i32Add, set(l), op.br, 0, op.end, op.end);
  };
  /** One float at O (col) and SRC (image): copy or accumulate. */
  const scalar = () => {
    if (mode === "gather") e(get(O), get(SRC), f32Load, f32Store);
    else e(get(SRC), get(SRC), f32Load, get(O), f32Load, op.f32Add, f32Store);
  };
  e(get(COL), set(ROW));
  e(get(H), get(W), op.i32Mul, get(C), op.i32Mul, i32(2), op.i32Shl, set(SAMPLE));
  e(get(K), get(C), op.i32Mul, i32(2), op.i32Shl, set(RUNB)); // one kernel row: k·C floats
  forLoop(B, NB, () => {
    e(get(X), get(B), get(SAMPLE), op.i32Mul, op.i32Add, set(XB));
    forLoop(OY, OH, () => {
      forLoop(OX, OW, () => {
        e(get(ROW), set(O));
        e(get(OX), get(S), op.i32Mul, get(P), op.i32Sub, set(X0));
        // inside: the whole kernel row lies within the image columns
        e(get(X0), i32(0), op.i32GeS, get(X0), get(K), op.i32Add, get(W), op.i32LeS, op.i32And, set(INSIDE));
        forLoop(KY, K, () => {
          e(get(OY), get(S), op.i32Mul, get(P), op.i32Sub, get(KY), op.i32Add, set(IY));
          e(get(IY), get(H), op.i32LtU, op.if, BLOCK_VOID); // row iy inside the image
          e(get(INSIDE), op.if, BLOCK_VOID);
          // the k·C floats are contiguous in the image: four at a time, then one at a time
          e(
            get(XB),
            get(IY),
            get(W),
            op.i32Mul,
            get(X0),
            op.i32Add,
            get(C),
            op.i32Mul,
            i32(2),
            op.i32Shl,
            op.i32Add,
            set(SRC),
          );
          e(i32(0), set(T), op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
          e(get(T), i32(16), op.i32Add, get(RUNB), op.i32GtS, op.brIf, 1);
          if (mode === "gather") {
            e(get(O), get(T), op.i32Add, get(SRC), get(T), op.i32Add, v128Load, v128Store);
          } else {
            e(
              get(SRC),
              get(T),
              op.i32Add,
              get(SRC),
              get(T),
              op.i32Add,
              v128Load,
              get(O),
              get(T),
              op.i32Add,
              v128Load,
              simd(simdOp.f32x4Add),
              v128Store,
            );
          }
          e(get(T), i32(16), op.i32Add, set(T), op.br, 0, op.end, op.end);
          e(get(O), get(T), op.i32Add, set(O), get(SRC), get(T), op.i32Add, set(SRC));
          e(op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
          e(get(T), get(RUNB), op.i32GeS, op.brIf, 1);
          scalar();
          e(get(O), i32(4), op.i32Add, set(O), get(SRC), i32(4), op.i32Add, set(SRC));
          e(get(T), i32(4), op.i32Add, set(T), op.br, 0, op.end, op.end);
          e(op.else);
          // at the left or right edge: column by column
          forLoop(KX, K, () => {
            e(get(X0), get(KX), op.i32Add, set(IX));
            e(get(IX), get(W), op.i32LtU, op.if, BLOCK_VOID);
            e(
              get(XB),
              get(IY),
              get(W),
              op.i32Mul,
              get(IX),
              op.i32Add,
              get(C),
              op.i32Mul,
              i32(2),
              op.i32Shl,
              op.i32Add,
              set(SRC),
            );
            forLoop(CI, C, () => {
              scalar();
              e(get(O), i32(4), op.i32Add, set(O), get(SRC), i32(4), op.i32Add, set(SRC));
            });
            e(op.else);
            if (mode === "gather") {
              forLoop(CI, C, () => {
                e(get(O), op.f32Const, 0, 0, 0, 0, f32Store);
                e(get(O), i32(4), op.i32Add, set(O));
              });
            } else {
              e(get(O), get(C), i32(2), op.i32Shl, op.i32Add, set(O));
            }
            e(op.end);
          });
          e(op.end);
          e(op.else);
          // row iy outside the image: zeros (gather) or nothing (scatter)
          if (mode === "gather") {
            e(i32(0), set(T), op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
            e(get(T), get(RUNB), op.i32GeS, op.brIf, 1);
            e(get(O), op.f32Const, 0, 0, 0, 0, f32Store);
            e(get(O), i32(4), op.i32Add, set(O), get(T), i32(4), op.i32Add, set(T), op.br, 0, op.end, op.end);
          } else {
            e(get(O), get(RUNB), op.i32Add, set(O));
          }
          e(op.end);
        });
        e(get(ROW), get(KP), i32(2), op.i32Shl, op.i32Add, set(ROW));
      });
    });
  });
  return f;
}

type PatchFn = (
  x: number,
  col: number,
  batch: number,
  h: number,
  w: number,
  c: number,
  k: number,
  stride: number,
  padding: number,
  oh: number,
  ow: number,
  kp: number,
) => void;

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

/** The compiled im2col / col2im module (once per process), or null where WebAssembly SIMD is unavailable. */
const patchModule = lazyModule(() => ({
  memory: {},
  functions: [
    { name: "im2col", fn: patchFunction("gather") },
    { name: "col2im", fn: patchFunction("scatter") },
  ],
}));

/** A SimdArena with im2col and col2im over its buffers (Conv2D). */
export class PatchArena extends SimdArena {
  private readonly im2colFn: PatchFn | null;
  private readonly col2imFn: PatchFn | null;

  constructor(floats: number, useSimd = true, fma = false) {
    super(floats, useSimd, fma);
    const exports = this.simd ? this.instantiate(patchModule()) : null;
    this.im2colFn = exports !== null ? (exports["im2col"] as PatchFn) : null;
    this.col2imFn = exports !== null ? (exports["col2im"] as PatchFn) : null;
  }

  /**
   * col[r, (ky, kx, c)] = x at the receptive field of output position r (zero
   * outside the image), rows `rowStride` apart; both buffers the arena's.
   * Returns false (doing nothing) without SIMD or for outside buffers.
   */
  im2col(x: Float32Array, col: Float32Array, batch: number, g: PatchShape): boolean {
    const fn = this.im2colFn;
    if (fn === null || !this.owns(x) || !this.owns(col)) return false;
    fn(
      x.byteOffset,
      col.byteOffset,
      batch,
      g.height,
      g.width,
      g.channels,
      g.kernel,
      g.stride,
      g.padding,
      g.outHeight,
      g.outWidth,
      g.rowStride,
    );
    return true;
  }

  /** dx += col scattered back to the receptive fields (the adjoint of im2col); false as for im2col. */
  col2im(col: Float32Array, dx: Float32Array, batch: number, g: PatchShape): boolean {
    const fn = this.col2imFn;
    if (fn === null || !this.owns(dx) || !this.owns(col)) return false;
    fn(
      dx.byteOffset,
      col.byteOffset,
      batch,
      g.height,
      g.width,
      g.channels,
      g.kernel,
      g.stride,
      g.padding,
      g.outHeight,
      g.outWidth,
      g.rowStride,
    );
    return true;
  }
}
