/**
 * The LifGroup step (src/snn/neurons/lif.ts) as a WebAssembly SIMD kernel,
 * assembled at run time with src/core/wasm.ts. V8 does not vectorise
 * JavaScript; this loop is most of a CUBA run, and the kernel does eight
 * neurons per loop iteration.
 *
 * Per neuron i, with x = v - El (all as in the JavaScript loop):
 *
 *   ge' = ge·dE,  gi' = gi·dI                                   (always)
 *   if step - lastSpikeStep < R: v held                         (refractory)
 *   else v = El + x·a + iExt·gain + ge·kE + gi·kI;  spike if v > vThresh
 *
 * Two variants, each bit-identical to LifGroup's JavaScript loop of the same
 * precision, not just close:
 *
 * - precision "float64" (lifFunction64): float64 state, two neurons per
 *   f64x2 instruction, the same operations in the same order as the loop,
 *   no fused multiply-add. The refractory test runs on four int32 lanes and
 *   is widened to the two 64-bit lanes of each pair with a shuffle.
 * - precision "float32" (lifFunction32): float32 state, four neurons per
 *   f32x4 instruction with float32 coefficients; it matches the float32
 *   JavaScript loop, where every operation is rounded with Math.fround. The
 *   threshold is compared against `vThreshF32`, the largest float32 not above
 *   vThresh: for a float32 v, v > vThresh exactly when v > vThreshF32.
 *
 * Spikes are appended to `spiked` in index order, as the loop does. The
 * kernel avoids every vector op it can: the coefficients are loaded once per
 * call into locals, the refractory test is one compare (lastSpikeStep >
 * step - R), and the "+ iExt·gain" term is skipped for blocks of eight
 * neurons whose iExt are all +0 (see addZero).
 *
 * The state arrays live in the kernel's own memory (a WasmArena,
 * src/snn/wasm-arena.ts), each padded to a multiple of eight neurons. The
 * memory is shared, so it may grow later (synapses place their arrays after
 * the state) without detaching the typed-array views. Lanes past `size` are
 * integrated but never reported. The module is assembled for each group size
 * and precision (cached per process), so every address in the loop is the
 * loop counter plus a constant offset.
 *
 * One difference in range: the kernel tests lastSpikeStep > step - R in
 * int32, the loop step - lastSpikeStep < R in float64. With NEVER_SPIKED =
 * -2^30 they agree while step < 2^30 (about 30 hours of biological time at
 * dt = 0.1 ms) and R < 2^30.
 */
import {
  BLOCK_VOID,
  FunctionBuilder,
  MAX_PAGES,
  assembleModule,
  compileModule,
  createSharedMemory,
  i32Const,
  instantiate,
  memarg,
  op,
  shuffle,
  simd,
  simdOp,
  valType,
  type CompiledModule,
  type GrowableMemory,
} from "../../core/wasm.js";
import { WasmArena } from "../wasm-arena.js";
import type { StateArray } from "../group.js";

/** The per-step constants, computed once by the group. */
export interface LifSimdCoefficients {
  refractorySteps: number;
  elMv: number;
  vThreshMv: number;
  /** exp(-dt/tau) */
  decayV: number;
  /** 1 - decayV */
  gainI: number;
  kernelE: number;
  kernelI: number;
  decayE: number;
  decayI: number;
  /**
   * Precision "float32": float32 state, every operation in float32, four lanes per instruction, the
   * coefficients rounded to float32. Default false: float64 state and arithmetic.
   */
  float32?: boolean;
}

export interface LifSimdKernel {
  /** The state arrays: Float64Array, or Float32Array with `float32`. */
  readonly v: StateArray;
  readonly ge: StateArray;
  readonly gi: StateArray;
  readonly iExt: StateArray;
  readonly lastSpikeStep: Int32Array;
  readonly spiked: Int32Array;
  /** The memory all of these live in; synapses into or out of the group may place their arrays there too. */
  readonly arena: WasmArena;
  /** Integrates and thresholds every neuron for `step`, fills `spiked`; returns the spike count. */
  step(step: number): number;
}

type LifFn = (stepMinusRef: number) => number;

const { i32, v128 } = valType;
/** Int32 lanes 0 and 1 of a, each repeated: two 64-bit masks from a four-lane one. */
const PAIR_LOW = [0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7];
/** Int32 lanes 2 and 3 of a, each repeated. */
const PAIR_HIGH = [8, 9, 10, 11, 8, 9, 10, 11, 12, 13, 14, 15, 12, 13, 14, 15];
/** The low int32 of each 64-bit lane of a, then of b. */
const LOW_WORDS = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];

/** Lanes (neurons) per loop iteration: two blocks of four. */
const LANES = 8;

/** Byte offsets in the constants block (after the six state arrays) of the coefficients, each splatted over 16 bytes. */
const C = { el: 0, a: 16, gain: 32, kE: 48, kI: 64, dE: 80, dI: 96, vth: 112, bytes: 128 } as const;

/** Where the arrays of a kernel for `size` neurons live in its memory (bytes). */
interface Layout {
  size: number;
  /** Bytes per int32 array: 4 · size rounded up to a whole number of loop iterations. */
  stride: number;
  /** Bytes per element of the four state arrays v, ge, gi, iExt: 8 (float64) or 4 (float32). */
  elementBytes: 4 | 8;
  v: number;
  ge: number;
  gi: number;
  ie: number;
  last: number;
  spk: number;
  consts: number;
  bytes: number;
}

function layout(size: number, elementBytes: 4 | 8): Layout {
  const stride = Math.max(1, Math.ceil(size / LANES)) * LANES * 4;
  const s = (stride * elementBytes) / 4;
  return {
    size,
    stride,
    elementBytes,
    v: 0,
    ge: s,
    gi: 2 * s,
    ie: 3 * s,
    last: 4 * s,
    spk: 4 * s + stride,
    consts: 4 * s + 2 * stride,
    bytes: 4 * s + 2 * stride + C.bytes,
  };
}

/**
 * lif(step - R) -> spike count, float64 state (precision "float64"), for one
 * memory layout (every address is the loop counter plus a constant offset).
 * Two neurons per f64x2 instruction, four pairs per loop iteration; the
 * refractory mask is computed on four int32 lanes and widened to the pairs
 * with a shuffle. `addZero`: in a block without drive, still add +0 where the
 * loop adds iExt·gain = +0 (only needed when El is -0; see createLifSimd).
 */
function lifFunction64(L: Layout, addZero: boolean): FunctionBuilder {
  const f = new FunctionBuilder([i32], [i32]);
  const P_STEPREF = 0;
  const I = f.local(i32),
    J = f.local(i32),
    CNT = f.local(i32),
    M = f.local(i32),
    IDX = f.local(i32);
  const vec = () => f.local(v128);
  const ZERO = vec(); // never set: locals start as zero
  const E2 = vec(),
    G2 = vec(),
    V2 = vec(),
    X2 = vec(),
    R4 = vec(),
    R2 = vec(),
    S0 = vec(),
    S1 = vec();
  const get = (l: number) => f.get(l),
    set = (l: number) => f.set(l),
    tee = (l: number) => f.tee(l);
  const at = (offset: number, alignLog2: number) => memarg(offset, alignLog2);
  const [add, sub, mul] = [simd(simdOp.f64x2Add), simd(simdOp.f64x2Sub), simd(simdOp.f64x2Mul)];
  const kl = new Map<number, number>();
  for (const c of [C.el, C.a, C.gain, C.kE, C.kI, C.dE, C.dI, C.vth]) {
    const l = vec();
    kl.set(c, l);
    f.emit(i32Const(0), simd(simdOp.v128Load), at(L.consts + c, 4), set(l));
  }
  const k = (c: number) => get(kl.get(c)!);
  const STEPREF = vec();
  f.emit(get(P_STEPREF), simd(simdOp.i32x4Splat), set(STEPREF));
  /** A float64 pair at byte `o` past J. */
  const load = (o: number) => [...get(J), ...simd(simdOp.v128Load), ...at(o, 4)];

  /** Neurons 2q, 2q+1 of the half-block whose refractory lanes are in R4, at byte `o` past J; leaves nothing. */
  const pair = (o: number, q: 0 | 1, out: number, withIe: boolean) => {
    f.emit(get(J), load(L.ge + o), tee(E2), k(C.dE), mul, simd(simdOp.v128Store), at(L.ge + o, 4));
    f.emit(get(J), load(L.gi + o), tee(G2), k(C.dI), mul, simd(simdOp.v128Store), at(L.gi + o, 4));
    // (((El + (v - El)·a) + iExt·gain) + ge·kE) + gi·kI, in float64, in the loop's order.
    f.emit(k(C.el), load(L.v + o), tee(V2), k(C.el), sub, k(C.a), mul, add);
    if (withIe) f.emit(load(L.ie + o), k(C.gain), mul, add);
    else if (addZero) f.emit(get(ZERO), add);
    f.emit(get(E2), k(C.kE), mul, add, get(G2), k(C.kI), mul, add, set(X2));
    // The int32 lanes 2q and 2q+1 of R4, each doubled into a 64-bit lane.
    f.emit(get(R4), get(R4), shuffle(q === 0 ? PAIR_LOW : PAIR_HIGH), set(R2));
    f.emit(get(J), get(V2), get(X2), get(R2), simd(simdOp.v128Bitselect), simd(simdOp.v128Store), at(L.v + o, 4));
    f.emit(get(X2), k(C.vth), simd(simdOp.f64x2Gt), set(out));
  };
  /** Four neurons at int32 byte `o4` past I (float64 byte 2·o4 past J); leaves their spike lanes (bits 0-3). */
  const half = (o4: number, withIe: boolean) => {
    f.emit(get(I), simd(simdOp.v128Load), at(L.last + o4, 4), get(STEPREF), simd(simdOp.i32x4GtS), set(R4));
    pair(2 * o4, 0, S0, withIe);
    pair(2 * o4 + 16, 1, S1, withIe);
    // The low 32 bits of each 64-bit comparison mask, as four int32 lanes; minus the refractory ones.
    f.emit(get(S0), get(S1), shuffle(LOW_WORDS), get(R4), simd(simdOp.v128AndNot), simd(simdOp.i32x4Bitmask));
  };

  f.emit(op.block, BLOCK_VOID, op.loop, BLOCK_VOID); // for (I = 0; I < stride; I += 32), J = 2·I
  f.emit(get(I), i32Const(L.stride), op.i32GeU, op.brIf, 1);
  f.emit(get(I), i32Const(1), op.i32Shl, set(J));
  // Any drive in these eight lanes (any bit of iExt set)?
  f.emit(load(L.ie), load(L.ie + 16), simd(simdOp.v128Or), load(L.ie + 32), simd(simdOp.v128Or));
  f.emit(load(L.ie + 48), simd(simdOp.v128Or), simd(simdOp.v128AnyTrue), op.if, BLOCK_VOID);
  for (const withIe of [true, false]) {
    if (!withIe) f.emit(op.else);
    half(0, withIe);
    f.emit(set(M));
    half(16, withIe);
    f.emit(i32Const(4), op.i32Shl, get(M), op.i32Or, set(M));
  }
  f.emit(op.end);

  // Spikes: lanes with v > vThresh and not refractory, appended in lane order (lanes >= size skipped).
  emitSpikeLoop(f, L, I, CNT, M, IDX);
  f.emit(get(I), i32Const(LANES * 4), op.i32Add, set(I));
  f.emit(op.br, 0, op.end, op.end);
  f.emit(get(CNT));
  return f;
}

/**
 * The float32 variant (precision "float32"), same structure: every operation
 * is one f32x4 instruction over four neurons. It matches LifGroup's float32
 * JavaScript loop bit for bit (each operation there is a float64 operation on
 * float32 values rounded to float32, which is the float32 operation).
 */
function lifFunction32(L: Layout, addZero: boolean): FunctionBuilder {
  const f = new FunctionBuilder([i32], [i32]);
  const P_STEPREF = 0;
  const I = f.local(i32),
    CNT = f.local(i32),
    M = f.local(i32),
    IDX = f.local(i32);
  const vec = () => f.local(v128);
  const ZERO = vec(); // never set: locals start as zero
  const E4 = vec(),
    G4 = vec(),
    V4 = vec(),
    X4 = vec(),
    R4 = vec();
  const get = (l: number) => f.get(l),
    set = (l: number) => f.set(l),
    tee = (l: number) => f.tee(l);
  const at = (offset: number, alignLog2: number) => memarg(offset, alignLog2);
  const [add, sub, mul] = [simd(simdOp.f32x4Add), simd(simdOp.f32x4Sub), simd(simdOp.f32x4Mul)];
  const kl = new Map<number, number>();
  for (const c of [C.el, C.a, C.gain, C.kE, C.kI, C.dE, C.dI, C.vth]) {
    const l = vec();
    kl.set(c, l);
    f.emit(i32Const(0), simd(simdOp.v128Load), at(L.consts + c, 4), set(l));
  }
  const k = (c: number) => get(kl.get(c)!);
  const STEPREF = vec();
  f.emit(get(P_STEPREF), simd(simdOp.i32x4Splat), set(STEPREF));
  const load = (o: number) => [...get(I), ...simd(simdOp.v128Load), ...at(o, 4)];

  /** The block of four at byte `o`; leaves its spike lanes (bits 0-3) on the stack. */
  const block = (o: number, withIe: boolean) => {
    f.emit(get(I), load(L.ge + o), tee(E4), k(C.dE), mul, simd(simdOp.v128Store), at(L.ge + o, 4));
    f.emit(get(I), load(L.gi + o), tee(G4), k(C.dI), mul, simd(simdOp.v128Store), at(L.gi + o, 4));
    // (((El + (v - El)·a) + iExt·gain) + ge·kE) + gi·kI, each operation rounded to float32.
    f.emit(k(C.el), load(L.v + o), tee(V4), k(C.el), sub, k(C.a), mul, add);
    if (withIe) f.emit(load(L.ie + o), k(C.gain), mul, add);
    else if (addZero) f.emit(get(ZERO), add);
    f.emit(get(E4), k(C.kE), mul, add, get(G4), k(C.kI), mul, add, set(X4));
    f.emit(load(L.last + o), get(STEPREF), simd(simdOp.i32x4GtS), set(R4));
    f.emit(get(I), get(V4), get(X4), get(R4), simd(simdOp.v128Bitselect), simd(simdOp.v128Store), at(L.v + o, 4));
    f.emit(get(X4), k(C.vth), simd(simdOp.f32x4Gt), get(R4), simd(simdOp.v128AndNot), simd(simdOp.i32x4Bitmask));
  };

  f.emit(op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
  f.emit(get(I), i32Const(L.stride), op.i32GeU, op.brIf, 1);
  f.emit(load(L.ie), load(L.ie + 16), simd(simdOp.v128Or), simd(simdOp.v128AnyTrue), op.if, BLOCK_VOID);
  for (const withIe of [true, false]) {
    if (!withIe) f.emit(op.else);
    block(0, withIe);
    f.emit(set(M));
    block(16, withIe);
    f.emit(i32Const(4), op.i32Shl, get(M), op.i32Or, set(M));
  }
  f.emit(op.end);
  emitSpikeLoop(f, L, I, CNT, M, IDX);
  f.emit(get(I), i32Const(LANES * 4), op.i32Add, set(I));
  f.emit(op.br, 0, op.end, op.end);
  f.emit(get(CNT));
  return f;
}

/** Appends lanes set in M (bits 0-7 of the iteration at byte I) to `spiked`, skipping lanes >= size. */
function emitSpikeLoop(f: FunctionBuilder, L: Layout, I: number, CNT: number, M: number, IDX: number): void {
  const get = (l: number) => f.get(l),
    set = (l: number) => f.set(l),
    tee = (l: number) => f.tee(l);
  const checkSize = L.size % LANES !== 0;
  f.emit(op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
  f.emit(get(M), op.i32Eqz, op.brIf, 1);
  f.emit(get(I), i32Const(2), op.i32ShrU, get(M), op.i32Ctz, op.i32Add, tee(IDX));
  if (checkSize) f.emit(i32Const(L.size), op.i32LtU, op.if, BLOCK_VOID, get(IDX));
  f.emit(set(IDX), get(CNT), i32Const(2), op.i32Shl, get(IDX), op.i32Store, memarg(L.spk, 2));
  f.emit(get(CNT), i32Const(1), op.i32Add, set(CNT));
  if (checkSize) f.emit(op.end);
  f.emit(get(M), get(M), i32Const(1), op.i32Sub, op.i32And, set(M));
  f.emit(op.br, 0, op.end, op.end);
}

const compiled = new Map<string, CompiledModule | null>();
/** Modules already run a few times (see createLifSimd). */
const warmed = new Set<CompiledModule>();
/**
 * Calls of a new module's kernel, on the zeroed memory of its first instance,
 * before that instance is handed out. V8 runs a new module in its baseline
 * compiler and swaps in the optimised code only after the first calls; in
 * CUBA at N = 4,000 the first two steps took 0.3 and 6.5 ms, then 7 µs each.
 * Warming here moves that one-off cost into the group's construction.
 */
const WARM_CALLS = 3;

/** The compiled module for one layout (cached per process), or null where WebAssembly SIMD is unavailable. */
function lifModule(L: Layout, addZero: boolean): CompiledModule | null {
  const key = `${L.size}:${addZero ? 1 : 0}:${L.elementBytes}`;
  let m = compiled.get(key);
  if (m === undefined) {
    try {
      m = compileModule(
        assembleModule({
          memory: { shared: true, maxPages: MAX_PAGES },
          functions: [
            { name: "lif", fn: L.elementBytes === 4 ? lifFunction32(L, addZero) : lifFunction64(L, addZero) },
          ],
        }),
      );
    } catch {
      m = null;
    }
    compiled.set(key, m);
  }
  return m;
}

export function lifSimdAvailable(): boolean {
  return lifModule(layout(8, 8), false) !== null;
}

/** Largest float32 <= x: for any float32 v, v > x exactly when v > floorToFloat32(x). */
export function floorToFloat32(x: number): number {
  const f = Math.fround(x);
  if (!(f > x)) return f;
  if (f === 0) return -1.401298464324817e-45; // the negative float32 nearest 0
  // Step one ulp towards -Infinity (f > x, so f is not -Infinity): the magnitude shrinks if f > 0, grows if f < 0.
  const bits = new Float32Array([f]);
  const asInt = new Int32Array(bits.buffer);
  asInt[0] = (asInt[0] ?? 0) + (f > 0 ? -1 : 1);
  return bits[0] ?? f;
}

/**
 * A kernel with its own memory for `size` neurons (state arrays zeroed,
 * lastSpikeStep filled with `neverSpiked`), or null where WebAssembly SIMD is
 * unavailable.
 */
export function createLifSimd(size: number, neverSpiked: number, c: LifSimdCoefficients): LifSimdKernel | null {
  const float32 = c.float32 === true;
  const L = layout(size, float32 ? 4 : 8);
  // With no drive in a block the kernel skips "+ iExt·gain" (= +0). Adding +0 changes a float64 only
  // when it is -0, and El + (v - El)·a is -0 only when both terms are: possible only if El is -0.
  const addZero = Object.is(c.elMv, -0);
  const mod = lifModule(L, addZero);
  if (mod === null) return null;
  let memory: GrowableMemory;
  let lif: LifFn;
  try {
    memory = createSharedMemory(L.bytes);
    lif = instantiate(mod, memory)["lif"] as LifFn;
  } catch {
    // e.g. V8 out of address space for memories (each reserves guard regions): the JavaScript loop still works.
    return null;
  }
  const buf = memory.buffer;
  if (!warmed.has(mod)) {
    warmed.add(mod);
    for (let k = 0; k < WARM_CALLS; k++) lif(0);
    new Uint8Array(buf, 0, L.consts).fill(0);
  }
  const view = (at: number): StateArray =>
    float32 ? new Float32Array(buf, at, size) : new Float64Array(buf, at, size);
  const v = view(L.v);
  const ge = view(L.ge);
  const gi = view(L.gi);
  const iExt = view(L.ie);
  const lastSpikeStep = new Int32Array(buf, L.last, size).fill(neverSpiked);
  const spiked = new Int32Array(buf, L.spk, size);
  const coeffs = [c.elMv, c.decayV, c.gainI, c.kernelE, c.kernelI, c.decayE, c.decayI];
  if (float32) {
    const k32 = new Float32Array(buf, L.consts, 32);
    for (const [k, x] of coeffs.entries()) k32.fill(Math.fround(x), 4 * k, 4 * k + 4);
    k32.fill(floorToFloat32(c.vThreshMv), 28, 32);
  } else {
    const k64 = new Float64Array(buf, L.consts, 16);
    for (const [k, x] of [...coeffs, c.vThreshMv].entries()) k64.fill(x, 2 * k, 2 * k + 2);
  }
  const ref = c.refractorySteps;
  const lowest = -(2 ** 31);
  return {
    v,
    ge,
    gi,
    iExt,
    lastSpikeStep,
    spiked,
    arena: new WasmArena(memory, L.bytes),
    // step - ref as an int32; below -2^31 (an absurd refractory period) clamp, so every neuron that
    // has spiked stays refractory.
    step: (step) => lif(Math.max(lowest, step - ref) | 0),
  };
}
