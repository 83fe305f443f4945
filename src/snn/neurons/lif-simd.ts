/**
 * The LifGroup step (src/snn/neurons/lif.ts) as a WebAssembly SIMD kernel,
 * assembled at run time with src/core/wasm.ts. V8 does not vectorise
 * JavaScript; this loop is about 90% of a CUBA run, and the kernel does four
 * neurons per loop iteration.
 *
 * Per neuron i, with x = v - El (all as in the JavaScript loop):
 *
 *   ge' = ge·dE,  gi' = gi·dI                                   (always)
 *   if step - lastSpikeStep < R: v held                         (refractory)
 *   else v = El + x·a + iExt·gain + ge·kE + gi·kI;  spike if v > vThresh
 *
 * Bit-identical to the JavaScript loop, not just close: JavaScript evaluates
 * these expressions in float64 and rounds once when storing into the
 * Float32Arrays, so the kernel widens each float32 lane to float64
 * (f64x2.promote_low_f32x4), does the same operations in the same order in
 * float64 (two lanes per instruction, no fused multiply-add), and narrows
 * once (f32x4.demote_f64x2_zero) before storing. The threshold is compared
 * on the stored float32 value against `vThreshF32`, the largest float32 not
 * above vThresh: for a float32 v, v > vThresh exactly when v > vThreshF32.
 * Spikes are appended to `spiked` in index order, as the loop does. The
 * float64 lanes cost about twice a float32x4 version of this kernel (measured:
 * 2.2 against 1.1 ns per neuron-update on the 2-core machines; the JavaScript
 * loop takes 8-13), which would round differently and so move spikes.
 *
 * The state arrays live in the kernel's own memory, each padded to a
 * multiple of four neurons; the memory is sized once with a fixed maximum,
 * so it never grows and the Float32Array / Int32Array views never detach.
 * Lanes past `size` are integrated but never reported.
 *
 * One difference in range: the kernel computes step - lastSpikeStep in int32,
 * the loop in float64. With NEVER_SPIKED = -2^30 they agree while
 * step < 2^30 (about 30 hours of biological time at dt = 0.1 ms).
 */
import {
  BLOCK_VOID, FunctionBuilder, assembleModule, compileModule, createMemory, i32Const, instantiate, memarg, op, shuffle,
  simd, simdOp, valType, type CompiledModule, type WasmMemory,
} from "../../core/wasm.js";

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
}

export interface LifSimdKernel {
  readonly v: Float32Array;
  readonly ge: Float32Array;
  readonly gi: Float32Array;
  readonly iExt: Float32Array;
  readonly lastSpikeStep: Int32Array;
  readonly spiked: Int32Array;
  /** Integrates and thresholds every neuron for `step`, fills `spiked`; returns the spike count. */
  step(step: number): number;
}

type LifFn = (
  v: number, ge: number, gi: number, ie: number, last: number, spk: number, n: number, step: number, ref: number,
  el: number, vth: number, a: number, gain: number, kE: number, kI: number, dE: number, dI: number,
) => number;

const { i32, f32, f64, v128 } = valType;
/** Bytes 0-7 of a (a's low two float32 lanes), then bytes 0-7 of b. */
const LOW_HALVES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
/** Bytes 8-15 moved to 0-7 (the upper two float32 lanes, ready for promote_low). */
const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];

/** lif(v, ge, gi, iExt, last, spiked, n, step, ref, el, vthF32, a, gain, kE, kI, dE, dI) -> spike count. */
function lifFunction(): FunctionBuilder {
  const f = new FunctionBuilder([i32, i32, i32, i32, i32, i32, i32, i32, i32, f64, f32, f64, f64, f64, f64, f64, f64], [i32]);
  const P = { v: 0, ge: 1, gi: 2, ie: 3, last: 4, spk: 5, n: 6, step: 7, ref: 8, el: 9, vth: 10, a: 11, gain: 12, kE: 13, kI: 14, dE: 15, dI: 16 };
  const I = f.local(i32), END = f.local(i32), CNT = f.local(i32), M = f.local(i32), IDX = f.local(i32), HAS_IE = f.local(i32);
  const vec = () => f.local(v128);
  // constants, splatted once
  const EL = vec(), VTH = vec(), A = vec(), GAIN = vec(), KE = vec(), KI = vec(), DE = vec(), DI = vec(), STEP = vec(), REF = vec();
  const ZERO = vec(); // never set: locals start as zero
  // per block of four: v, new v, not-refractory mask, iExt, widened ge and gi halves, results, scratch
  const V4 = vec(), X4 = vec(), NR = vec(), IE4 = vec(), ELO = vec(), EHI = vec(), GLO = vec(), GHI = vec(), LO = vec(), HI = vec(), T = vec();
  const get = (l: number) => f.get(l), set = (l: number) => f.set(l), tee = (l: number) => f.tee(l);
  const load = (p: number) => [...get(p), ...get(I), op.i32Add, ...simd(simdOp.v128Load), ...memarg()];
  const addr = (p: number) => [...get(p), ...get(I), op.i32Add];
  const store = [...simd(simdOp.v128Store), ...memarg()];
  const promote = simd(simdOp.f64x2PromoteLowF32x4);
  const demote = simd(simdOp.f32x4DemoteF64x2Zero);
  const [add, sub, mul] = [simd(simdOp.f64x2Add), simd(simdOp.f64x2Sub), simd(simdOp.f64x2Mul)];

  // Splat the constants once.
  for (const [p, l] of [[P.el, EL], [P.a, A], [P.gain, GAIN], [P.kE, KE], [P.kI, KI], [P.dE, DE], [P.dI, DI]] as const) {
    f.emit(get(p), simd(simdOp.f64x2Splat), set(l));
  }
  f.emit(get(P.vth), simd(simdOp.f32x4Splat), set(VTH));
  f.emit(get(P.step), simd(simdOp.i32x4Splat), set(STEP), get(P.ref), simd(simdOp.i32x4Splat), set(REF));
  // end = 4·ceil(n/4) floats, in bytes
  f.emit(get(P.n), i32Const(3), op.i32Add, i32Const(-4), op.i32And, i32Const(2), op.i32Shl, set(END));

  f.emit(op.block, BLOCK_VOID, op.loop, BLOCK_VOID); // for (i = 0; i < end; i += 16)
  f.emit(get(I), get(END), op.i32GeU, op.brIf, 1);

  // ge, gi: widen, decay, narrow, store; keep the widened old values for v.
  for (const [p, lo, hi, d] of [[P.ge, ELO, EHI, DE], [P.gi, GLO, GHI, DI]] as const) {
    f.emit(load(p), tee(T), promote, set(lo), get(T), get(T), shuffle(HIGH_TO_LOW), promote, set(hi));
    f.emit(addr(p), get(lo), get(d), mul, demote, get(hi), get(d), mul, demote, shuffle(LOW_HALVES), store);
  }
  // NR: lanes not refractory, step - last >= ref
  f.emit(get(STEP), load(P.last), simd(simdOp.i32x4Sub), get(REF), simd(simdOp.i32x4GeS), set(NR));
  // HAS_IE: some iExt lane of the block is not +0 (any bit set)
  f.emit(load(P.v), set(V4), load(P.ie), tee(IE4), simd(simdOp.v128AnyTrue), set(HAS_IE));
  // Two lanes at a time: (((EL + (v - EL)·A) + iExt·GAIN) + ge·KE) + gi·KI, in float64. Where all four
  // iExt are +0, iExt·GAIN is +0 (GAIN > 0) and adding the constant +0 gives the same bits.
  for (const [half, e, g, out] of [[0, ELO, GLO, LO], [1, EHI, GHI, HI]] as const) {
    const widen = (l: number) => (half === 0 ? [...get(l), ...promote] : [...get(l), ...get(l), ...shuffle(HIGH_TO_LOW), ...promote]);
    f.emit(get(EL), widen(V4), get(EL), sub, get(A), mul, add, set(out));
    f.emit(get(HAS_IE), op.if, BLOCK_VOID, get(out), widen(IE4), get(GAIN), mul, add, set(out));
    f.emit(op.else, get(out), get(ZERO), add, set(out), op.end);
    f.emit(get(out), get(e), get(KE), mul, add);
    f.emit(get(g), get(KI), mul, add, set(out));
  }
  f.emit(get(LO), demote, get(HI), demote, shuffle(LOW_HALVES), set(X4));
  f.emit(addr(P.v), get(X4), get(V4), get(NR), simd(simdOp.v128Bitselect), store);

  // Spikes: lanes with X > VTH and not refractory, appended in lane order (lanes >= n skipped).
  f.emit(get(X4), get(VTH), simd(simdOp.f32x4Gt), get(NR), simd(simdOp.v128And), simd(simdOp.i32x4Bitmask), set(M));
  f.emit(op.block, BLOCK_VOID, op.loop, BLOCK_VOID);
  f.emit(get(M), op.i32Eqz, op.brIf, 1);
  f.emit(get(I), i32Const(2), op.i32ShrU, get(M), op.i32Ctz, op.i32Add, tee(IDX), get(P.n), op.i32LtU);
  f.emit(op.if, BLOCK_VOID);
  f.emit(get(P.spk), get(CNT), i32Const(2), op.i32Shl, op.i32Add, get(IDX), op.i32Store, memarg(0, 2));
  f.emit(get(CNT), i32Const(1), op.i32Add, set(CNT));
  f.emit(op.end);
  f.emit(get(M), get(M), i32Const(1), op.i32Sub, op.i32And, set(M));
  f.emit(op.br, 0, op.end, op.end);

  f.emit(get(I), i32Const(16), op.i32Add, set(I));
  f.emit(op.br, 0, op.end, op.end);
  f.emit(get(CNT));
  return f;
}

let compiled: CompiledModule | null | undefined;

/** The compiled module (once per process), or null where WebAssembly SIMD is unavailable. */
function lifModule(): CompiledModule | null {
  if (compiled === undefined) {
    try {
      compiled = compileModule(assembleModule({ memory: {}, functions: [{ name: "lif", fn: lifFunction() }] }));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export function lifSimdAvailable(): boolean {
  return lifModule() !== null;
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
  const mod = lifModule();
  if (mod === null) return null;
  const padded = (size + 3) & ~3;
  const stride = padded * 4; // bytes per array, a multiple of 16
  let memory: WasmMemory;
  let lif: LifFn;
  try {
    memory = createMemory(6 * stride);
    lif = instantiate(mod, memory)["lif"] as LifFn;
  } catch {
    // e.g. V8 out of address space for memories (each reserves guard regions): the JavaScript loop still works.
    return null;
  }
  const buf = memory.buffer;
  const v = new Float32Array(buf, 0, size);
  const ge = new Float32Array(buf, stride, size);
  const gi = new Float32Array(buf, 2 * stride, size);
  const iExt = new Float32Array(buf, 3 * stride, size);
  const lastSpikeStep = new Int32Array(buf, 4 * stride, size).fill(neverSpiked);
  const spiked = new Int32Array(buf, 5 * stride, size);
  const oV = v.byteOffset, oGe = ge.byteOffset, oGi = gi.byteOffset, oIe = iExt.byteOffset;
  const oLast = lastSpikeStep.byteOffset, oSpk = spiked.byteOffset;
  const ref = c.refractorySteps, el = c.elMv, vth = floorToFloat32(c.vThreshMv);
  const a = c.decayV, gain = c.gainI, kE = c.kernelE, kI = c.kernelI, dE = c.decayE, dI = c.decayI;
  return {
    v, ge, gi, iExt, lastSpikeStep, spiked,
    step: (step) => lif(oV, oGe, oGi, oIe, oLast, oSpk, size, step, ref, el, vth, a, gain, kE, kI, dE, dI),
  };
}
