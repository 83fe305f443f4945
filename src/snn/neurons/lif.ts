/**
 * Current-based leaky integrate-and-fire neuron with exponential synaptic
 * currents: the CUBA neuron of Vogels & Abbott 2005 (Brian2 examples/CUBA.py).
 *
 *   dv/dt  = (ge + gi + iExt - (v - El)) / tau      (unless refractory)
 *   dge/dt = -ge / tauE
 *   dgi/dt = -gi / tauI
 *   threshold v > vThresh;  reset v = vReset;  refractory refractoryMs
 *
 * All of v, ge, gi and iExt are in mV (iExt = R·I, a constant drive per
 * neuron). The system is linear with constant coefficients, so each step uses
 * its closed-form solution over dt (Brian2's "exact" method): with x = v - El,
 *
 *   x(dt)  = x·a + iExt·(1 - a) + ge·ke + gi·ki,   a = exp(-dt/tau)
 *   ks     = tauS/(tauS - tau)·(exp(-dt/tauS) - a)  (tauS != tau)
 *   ks     = (dt/tau)·a                             (tauS == tau, the limit)
 *   ge(dt) = ge·exp(-dt/tauE),  gi(dt) = gi·exp(-dt/tauI)
 *
 * While refractory, v is held and ge, gi keep decaying. A neuron that spiked in
 * step s integrates v again from step s + R, R = refractorySteps(refractoryMs, dt)
 * (Brian2: refractory until t_spike + refractory). Spikes found in step s
 * belong to time s·dt, as Brian2's SpikeMonitor records them.
 *
 * Two implementations of the step, with bit-identical results: a WebAssembly
 * SIMD kernel (src/snn/neurons/lif-simd.ts; the state arrays are then views
 * into the kernel's memory, `arena`), used wherever WebAssembly SIMD is
 * available, and the plain JavaScript loop below. `{ simd: false }`, or the
 * environment variable NEUROCOMPARE_LIF_SIMD=0 when the option is not given,
 * forces the JavaScript loop.
 *
 * Precision (src/snn/group.ts): "float64" by default, state in Float64Array
 * and every operation in float64, as Brian2 keeps them. `{ precision:
 * "float32" }` is the opt-in fast mode: float32 state and every operation in
 * float32 with float32 coefficients (both implementations, again
 * bit-identical to each other); it moves spikes, not rates.
 */
import { stateArray, type NeuronGroup, type Precision, type StateArray } from "../group.js";
import { NEVER_SPIKED, checkParam, checkPrecision, checkSize, refractorySteps } from "./common.js";
import { createLifSimd, type LifSimdKernel } from "./lif-simd.js";
import type { WasmArena } from "../wasm-arena.js";

/**
 * Current-based LIF parameters (mV, ms): membrane and synaptic time constants, rest, threshold, reset, refractory period.
 */
export interface LifParams {
  tauMs: number;
  elMv: number;
  vThreshMv: number;
  vResetMv: number;
  refractoryMs: number;
  tauEMs: number;
  tauIMs: number;
}

/** Coefficient of an exponentially decaying input with time constant tauS on x = v - El after dt. */
export function synapticKernel(dtMs: number, tauMs: number, tauSMs: number): number {
  const a = Math.exp(-dtMs / tauMs);
  if (Math.abs(tauSMs - tauMs) <= 1e-9 * tauMs) return (dtMs / tauMs) * a;
  return (tauSMs / (tauSMs - tauMs)) * (Math.exp(-dtMs / tauSMs) - a);
}

/** State and arithmetic of the LIF step: float64 (the default, Brian2's) or opt-in float32. */
export type LifPrecision = Precision;

/** Kernel options of a {@link LifGroup}: WebAssembly SIMD, and float64 (default) or float32 arithmetic. */
export interface LifOptions {
  /**
   * Run the step as a WebAssembly SIMD kernel where the runtime supports it
   * (same results as the JavaScript loop). Default true, unless the
   * environment variable NEUROCOMPARE_LIF_SIMD is "0".
   */
  simd?: boolean;
  /**
   * "float64" (default): state and every operation in float64. "float32" (opt-in): float32 state and
   * every operation in float32, with the coefficients rounded to float32; four SIMD lanes instead of
   * two, but it rounds differently, so spikes move (the statistics do not).
   */
  precision?: LifPrecision;
}

function simdByDefault(): boolean {
  return typeof process === "undefined" || process.env["NEUROCOMPARE_LIF_SIMD"] !== "0";
}

/** Current-based LIF neurons with exponential synaptic currents (Vogels & Abbott 2005's CUBA neuron), integrated exactly over each step. */
export class LifGroup implements NeuronGroup {
  readonly name: string;
  readonly size: number;
  readonly params: Readonly<LifParams>;
  readonly dtMs: number;
  readonly v: StateArray;
  readonly ge: StateArray;
  readonly gi: StateArray;
  readonly iExt: StateArray;
  readonly state: Readonly<Record<string, StateArray>>;
  /** Step of each neuron's last spike (NEVER_SPIKED before the first). */
  readonly lastSpikeStep: Int32Array;
  readonly spiked: Int32Array;
  spikeCount = 0;
  /** The refractory period in whole steps. */
  readonly refractorySteps: number;
  /** Whether the step runs as the WebAssembly SIMD kernel (else the JavaScript loop). */
  readonly simd: boolean;
  /** The arithmetic of the step (LifOptions.precision). */
  readonly precision: LifPrecision;
  /**
   * With the SIMD kernel: the WebAssembly memory holding the state arrays, where synapses out of and
   * into this group place their arrays to deliver spikes in WebAssembly too; null otherwise.
   * @internal
   */
  readonly arena: WasmArena | null;

  private readonly decayV: number;
  private readonly gainI: number;
  private readonly kernelE: number;
  private readonly kernelI: number;
  private readonly decayE: number;
  private readonly decayI: number;
  private readonly kernel: LifSimdKernel | null;

  constructor(name: string, size: number, params: LifParams, dtMs: number, options: LifOptions = {}) {
    checkSize(name, size, dtMs);
    for (const k of ["tauMs", "tauEMs", "tauIMs"] as const) checkParam(name, k, params[k], true);
    for (const k of ["elMv", "vThreshMv", "vResetMv", "refractoryMs"] as const) checkParam(name, k, params[k]);
    this.name = name;
    this.size = size;
    this.params = { ...params };
    this.dtMs = dtMs;
    this.refractorySteps = refractorySteps(params.refractoryMs, dtMs);
    const precision = checkPrecision(name, options.precision);
    this.precision = precision;
    // float32: the coefficients are rounded to float32 (computed in float64 first, as in float64 mode).
    const r = precision === "float32" ? Math.fround : (x: number) => x;
    const decayV = Math.exp(-dtMs / params.tauMs);
    this.decayV = r(decayV);
    this.gainI = r(1 - decayV);
    this.kernelE = r(synapticKernel(dtMs, params.tauMs, params.tauEMs));
    this.kernelI = r(synapticKernel(dtMs, params.tauMs, params.tauIMs));
    this.decayE = r(Math.exp(-dtMs / params.tauEMs));
    this.decayI = r(Math.exp(-dtMs / params.tauIMs));
    this.kernel =
      (options.simd ?? simdByDefault())
        ? createLifSimd(size, NEVER_SPIKED, {
            refractorySteps: this.refractorySteps,
            elMv: params.elMv,
            vThreshMv: params.vThreshMv,
            decayV: this.decayV,
            gainI: this.gainI,
            kernelE: this.kernelE,
            kernelI: this.kernelI,
            decayE: this.decayE,
            decayI: this.decayI,
            float32: precision === "float32",
          })
        : null;
    this.simd = this.kernel !== null;
    this.arena = this.kernel !== null ? this.kernel.arena : null;
    const k = this.kernel;
    this.v = k !== null ? k.v : stateArray(precision, size);
    this.v.fill(params.elMv);
    this.ge = k !== null ? k.ge : stateArray(precision, size);
    this.gi = k !== null ? k.gi : stateArray(precision, size);
    this.iExt = k !== null ? k.iExt : stateArray(precision, size);
    this.state = { v: this.v, ge: this.ge, gi: this.gi, iExt: this.iExt };
    this.lastSpikeStep = k !== null ? k.lastSpikeStep : new Int32Array(size).fill(NEVER_SPIKED);
    this.spiked = k !== null ? k.spiked : new Int32Array(size);
  }

  integrateAndThreshold(step: number): void {
    // Kept tiny: the JavaScript loops are separate methods, so an optimising compile of the caller's
    // step loop does not inline the loops it never runs.
    const k = this.kernel;
    if (k !== null) this.spikeCount = k.step(step);
    else this.spikeCount = this.precision === "float32" ? this.integrateFloat32(step) : this.integrateFloat64(step);
  }

  /** The float64 step in JavaScript (float64 state); returns the spike count. */
  private integrateFloat64(step: number): number {
    const { v, ge, gi, iExt, lastSpikeStep, spiked, size } = this;
    const el = this.params.elMv;
    const vTh = this.params.vThreshMv;
    const refSteps = this.refractorySteps;
    const a = this.decayV,
      gain = this.gainI,
      kE = this.kernelE,
      kI = this.kernelI;
    const dE = this.decayE,
      dI = this.decayI;
    let count = 0;
    for (let i = 0; i < size; i++) {
      const e = ge[i]!;
      const g = gi[i]!;
      ge[i] = e * dE;
      gi[i] = g * dI;
      if (step - lastSpikeStep[i]! < refSteps) continue; // refractory: v held
      const x = v[i]! - el;
      v[i] = el + x * a + iExt[i]! * gain + e * kE + g * kI;
      if (v[i]! > vTh) spiked[count++] = i;
    }
    return count;
  }

  /** The float32 step in JavaScript: each operation on float32 values rounded to float32 (= the float32 operation). */
  private integrateFloat32(step: number): number {
    const { v, ge, gi, iExt, lastSpikeStep, spiked, size } = this;
    const f = Math.fround;
    const el = f(this.params.elMv);
    const vTh = this.params.vThreshMv;
    const refSteps = this.refractorySteps;
    const a = this.decayV,
      gain = this.gainI,
      kE = this.kernelE,
      kI = this.kernelI;
    const dE = this.decayE,
      dI = this.decayI;
    let count = 0;
    for (let i = 0; i < size; i++) {
      const e = ge[i]!;
      const g = gi[i]!;
      ge[i] = e * dE;
      gi[i] = g * dI;
      if (step - lastSpikeStep[i]! < refSteps) continue; // refractory: v held
      const x = f(v[i]! - el);
      v[i] = f(f(f(el + f(x * a)) + f(iExt[i]! * gain)) + f(e * kE)) + f(g * kI);
      if (v[i]! > vTh) spiked[count++] = i;
    }
    return count;
  }

  reset(step: number): void {
    const { v, lastSpikeStep, spiked } = this;
    const vr = this.params.vResetMv;
    for (let k = 0; k < this.spikeCount; k++) {
      const i = spiked[k]!;
      v[i] = vr;
      lastSpikeStep[i] = step;
    }
  }
}
