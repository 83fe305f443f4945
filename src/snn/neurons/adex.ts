/**
 * Adaptive exponential integrate-and-fire (Brette & Gerstner 2005, J Neurophysiol 94:3637):
 *
 *   C dv/dt  = -gL (v - EL) + gL ΔT exp((v - VT)/ΔT) - w + I
 *   τw dw/dt = a (v - EL) - w
 *   if v > vPeak: v = vReset, w = w + b;  v held for refractoryMs (default 0)
 *
 * Units: pF, nS, mV, ms, pA (pF·mV/ms = pA and nS·mV = pA, so no factors).
 * Integrators: "euler" and "rk4". The exponential's argument is capped at
 * max(20, (vPeak - VT)/ΔT): a stage that overshoots vPeak cannot overflow, and
 * below vPeak the cap is never active. Defaults are the paper's regular
 * (adapting) cell: C 281 pF, gL 30 nS, EL -70.6 mV, VT -50.4 mV, ΔT 2 mV,
 * τw 144 ms, a 4 nS, b 80.5 pA, reset to EL, spike cut at VT + 5 ΔT.
 */
import { stateArray, type NeuronGroup, type Precision, type StateArray } from "../group.js";
import {
  NEVER_SPIKED,
  checkMethod,
  checkParam,
  checkPrecision,
  checkSize,
  refractorySteps,
  type GroupOptions,
} from "./common.js";

/** Integration of the AdEx equations: forward Euler or RK4. */
export type AdexMethod = "euler" | "rk4";

/** AdEx parameters in pF, nS, mV, ms and pA (Brette & Gerstner 2005). */
export interface AdexParams {
  cPf: number;
  gLNs: number;
  elMv: number;
  vTMv: number;
  deltaTMv: number;
  tauWMs: number;
  aNs: number;
  bPa: number;
  vResetMv: number;
  vPeakMv: number;
  refractoryMs: number;
}

/** The regular (adapting) cell of Brette & Gerstner 2005, J Neurophysiol 94:3637. */
export const ADEX_BRETTE_GERSTNER_2005: Readonly<AdexParams> = {
  cPf: 281,
  gLNs: 30,
  elMv: -70.6,
  vTMv: -50.4,
  deltaTMv: 2,
  tauWMs: 144,
  aNs: 4,
  bPa: 80.5,
  vResetMv: -70.6,
  vPeakMv: -40.4,
  refractoryMs: 0,
};

/** Adaptive exponential integrate-and-fire neurons (Brette & Gerstner 2005). */
export class AdexGroup implements NeuronGroup {
  readonly name: string;
  readonly size: number;
  readonly params: Readonly<AdexParams>;
  readonly dtMs: number;
  readonly method: AdexMethod;
  readonly precision: Precision;
  readonly v: StateArray;
  readonly w: StateArray;
  /** Input current per neuron, pA. */
  readonly iExt: StateArray;
  readonly state: Readonly<Record<string, StateArray>>;
  readonly lastSpikeStep: Int32Array;
  readonly spiked: Int32Array;
  spikeCount = 0;
  readonly refractorySteps: number;
  private readonly expArgMax: number;

  constructor(
    name: string,
    size: number,
    params: AdexParams = ADEX_BRETTE_GERSTNER_2005,
    dtMs: number,
    method: AdexMethod = "rk4",
    options: GroupOptions = {},
  ) {
    checkSize(name, size, dtMs);
    for (const k of ["cPf", "gLNs", "deltaTMv", "tauWMs"] as const) checkParam(name, k, params[k], true);
    for (const k of ["elMv", "vTMv", "aNs", "bPa", "vResetMv", "vPeakMv", "refractoryMs"] as const) {
      checkParam(name, k, params[k]);
    }
    checkMethod(name, method, ["euler", "rk4"]);
    this.name = name;
    this.size = size;
    this.params = { ...params };
    this.dtMs = dtMs;
    this.method = method;
    this.precision = checkPrecision(name, options.precision);
    this.v = stateArray(this.precision, size).fill(params.elMv);
    this.w = stateArray(this.precision, size);
    this.iExt = stateArray(this.precision, size);
    this.state = { v: this.v, w: this.w, iExt: this.iExt };
    this.lastSpikeStep = new Int32Array(size).fill(NEVER_SPIKED);
    this.spiked = new Int32Array(size);
    this.refractorySteps = refractorySteps(params.refractoryMs, dtMs);
    this.expArgMax = Math.max(20, (params.vPeakMv - params.vTMv) / params.deltaTMv);
  }

  integrateAndThreshold(step: number): void {
    const { v, w, iExt, lastSpikeStep, spiked, size } = this;
    const { cPf, gLNs, elMv, vTMv, deltaTMv, tauWMs, aNs, vPeakMv } = this.params;
    const dt = this.dtMs;
    const h = dt / 2;
    const cap = this.expArgMax;
    const invC = 1 / cPf;
    const invTauW = 1 / tauWMs;
    const invDelta = 1 / deltaTMv;
    const gLdT = gLNs * deltaTMv;
    const refSteps = this.refractorySteps;
    const rk4 = this.method === "rk4";
    let count = 0;
    for (let i = 0; i < size; i++) {
      const v0 = v[i]!;
      const w0 = w[i]!;
      const I = iExt[i]!;
      const active = step - lastSpikeStep[i]! >= refSteps;
      // dv (held at 0 while refractory) and dw at (v0, w0)
      const dv1 = active
        ? (-gLNs * (v0 - elMv) + gLdT * Math.exp(Math.min((v0 - vTMv) * invDelta, cap)) - w0 + I) * invC
        : 0;
      const dw1 = (aNs * (v0 - elMv) - w0) * invTauW;
      if (!rk4) {
        v[i] = v0 + dt * dv1;
        w[i] = w0 + dt * dw1;
      } else {
        let vs = v0 + h * dv1;
        let ws = w0 + h * dw1;
        const dv2 = active
          ? (-gLNs * (vs - elMv) + gLdT * Math.exp(Math.min((vs - vTMv) * invDelta, cap)) - ws + I) * invC
          : 0;
        const dw2 = (aNs * (vs - elMv) - ws) * invTauW;
        vs = v0 + h * dv2;
        ws = w0 + h * dw2;
        const dv3 = active
          ? (-gLNs * (vs - elMv) + gLdT * Math.exp(Math.min((vs - vTMv) * invDelta, cap)) - ws + I) * invC
          : 0;
        const dw3 = (aNs * (vs - elMv) - ws) * invTauW;
        vs = v0 + dt * dv3;
        ws = w0 + dt * dw3;
        const dv4 = active
          ? (-gLNs * (vs - elMv) + gLdT * Math.exp(Math.min((vs - vTMv) * invDelta, cap)) - ws + I) * invC
          : 0;
        const dw4 = (aNs * (vs - elMv) - ws) * invTauW;
        v[i] = v0 + (dt / 6) * (dv1 + 2 * dv2 + 2 * dv3 + dv4);
        w[i] = w0 + (dt / 6) * (dw1 + 2 * dw2 + 2 * dw3 + dw4);
      }
      if (active && v[i]! > vPeakMv) spiked[count++] = i;
    }
    this.spikeCount = count;
  }

  reset(step: number): void {
    const { v, w, lastSpikeStep, spiked } = this;
    const { vResetMv, bPa } = this.params;
    for (let k = 0; k < this.spikeCount; k++) {
      const i = spiked[k]!;
      v[i] = vResetMv;
      w[i] = w[i]! + bPa;
      lastSpikeStep[i] = step;
    }
  }
}
