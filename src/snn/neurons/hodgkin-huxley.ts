/**
 * Hodgkin-Huxley squid giant axon (Hodgkin & Huxley 1952), in the modern
 * convention (rest near -65 mV; units µF/cm², mS/cm², mV, ms, µA/cm²):
 *
 *   C dv/dt = I - gNa m³h (v - ENa) - gK n⁴ (v - EK) - gL (v - EL)
 *   dx/dt   = αx(v)(1 - x) - βx(v) x                 for x in m, h, n
 *   αm = 0.1 (v+40)/(1 - exp(-(v+40)/10))   βm = 4 exp(-(v+65)/18)
 *   αh = 0.07 exp(-(v+65)/20)               βh = 1/(1 + exp(-(v+35)/10))
 *   αn = 0.01 (v+55)/(1 - exp(-(v+55)/10))  βn = 0.125 exp(-(v+65)/80)
 *
 * Integrator "exponential-euler" (the default): each equation is linear in its
 * own variable when the others are held over the step, so
 * x' = x∞ + (x - x∞) exp(-dt/τx) with x∞ = α/(α+β), τx = 1/(α+β), and
 * v' = v∞ + (v - v∞) exp(-dt·G/C) with G the total conductance. "euler" is
 * also offered. A spike is an upward crossing of vSpikeMv (default 0 mV):
 * v ≤ vSpike before the step and v > vSpike after it. There is no reset.
 */
import { stateArray, type NeuronGroup, type Precision, type StateArray } from "../group.js";
import { checkMethod, checkParam, checkPrecision, checkSize, type GroupOptions } from "./common.js";

/** Integration of the Hodgkin-Huxley equations: exponential Euler (default) or forward Euler. */
export type HodgkinHuxleyMethod = "exponential-euler" | "euler";

/** Hodgkin-Huxley parameters in µF/cm², mS/cm² and mV, and the voltage that counts as a spike. */
export interface HodgkinHuxleyParams {
  cUfPerCm2: number;
  gNaMsPerCm2: number;
  gKMsPerCm2: number;
  gLMsPerCm2: number;
  eNaMv: number;
  eKMv: number;
  eLMv: number;
  vSpikeMv: number;
}

/** The squid giant axon of Hodgkin & Huxley 1952, in the modern convention (rest near -65 mV). */
export const HH_SQUID: Readonly<HodgkinHuxleyParams> = {
  cUfPerCm2: 1,
  gNaMsPerCm2: 120,
  gKMsPerCm2: 36,
  gLMsPerCm2: 0.3,
  eNaMv: 50,
  eKMv: -77,
  eLMv: -54.387,
  vSpikeMv: 0,
};

/** x / (1 - exp(-x/10)), with its limit 10 at x = 0. */
function xOverOneMinusExp(x: number): number {
  return Math.abs(x) < 1e-6 ? 10 + x / 2 : x / (1 - Math.exp(-x / 10));
}

export function hhRates(v: number): { am: number; bm: number; ah: number; bh: number; an: number; bn: number } {
  return {
    am: 0.1 * xOverOneMinusExp(v + 40),
    bm: 4 * Math.exp(-(v + 65) / 18),
    ah: 0.07 * Math.exp(-(v + 65) / 20),
    bh: 1 / (1 + Math.exp(-(v + 35) / 10)),
    an: 0.01 * xOverOneMinusExp(v + 55),
    bn: 0.125 * Math.exp(-(v + 65) / 80),
  };
}

/** Hodgkin-Huxley 1952 neurons (squid giant axon, modern voltage convention). */
export class HodgkinHuxleyGroup implements NeuronGroup {
  readonly name: string;
  readonly size: number;
  readonly params: Readonly<HodgkinHuxleyParams>;
  readonly dtMs: number;
  readonly method: HodgkinHuxleyMethod;
  readonly precision: Precision;
  readonly v: StateArray;
  readonly m: StateArray;
  readonly h: StateArray;
  readonly n: StateArray;
  /** Injected current density per neuron, µA/cm². */
  readonly iExt: StateArray;
  readonly state: Readonly<Record<string, StateArray>>;
  readonly spiked: Int32Array;
  spikeCount = 0;

  /** Starts every neuron at v = -65 mV with the gates at their steady state. */
  constructor(
    name: string,
    size: number,
    params: HodgkinHuxleyParams = HH_SQUID,
    dtMs: number,
    method: HodgkinHuxleyMethod = "exponential-euler",
    options: GroupOptions = {},
  ) {
    checkSize(name, size, dtMs);
    checkParam(name, "cUfPerCm2", params.cUfPerCm2, true);
    for (const k of ["gNaMsPerCm2", "gKMsPerCm2", "gLMsPerCm2", "eNaMv", "eKMv", "eLMv", "vSpikeMv"] as const) {
      checkParam(name, k, params[k]);
    }
    checkMethod(name, method, ["exponential-euler", "euler"]);
    this.name = name;
    this.size = size;
    this.params = { ...params };
    this.dtMs = dtMs;
    this.method = method;
    const v0 = -65;
    const r = hhRates(v0);
    this.precision = checkPrecision(name, options.precision);
    const p = this.precision;
    this.v = stateArray(p, size).fill(v0);
    this.m = stateArray(p, size).fill(r.am / (r.am + r.bm));
    this.h = stateArray(p, size).fill(r.ah / (r.ah + r.bh));
    this.n = stateArray(p, size).fill(r.an / (r.an + r.bn));
    this.iExt = stateArray(p, size);
    this.state = { v: this.v, m: this.m, h: this.h, n: this.n, iExt: this.iExt };
    this.spiked = new Int32Array(size);
  }

  integrateAndThreshold(_step: number): void {
    const { v, m, h, n, iExt, spiked, size } = this;
    const { cUfPerCm2: c, gNaMsPerCm2: gNa, gKMsPerCm2: gK, gLMsPerCm2: gL, eNaMv, eKMv, eLMv, vSpikeMv } = this.params;
    const dt = this.dtMs;
    const expo = this.method === "exponential-euler";
    let count = 0;
    for (let i = 0; i < size; i++) {
      const vi = v[i]!;
      const mi = m[i]!;
      const hi = h[i]!;
      const ni = n[i]!;
      const am = 0.1 * xOverOneMinusExp(vi + 40);
      const bm = 4 * Math.exp(-(vi + 65) / 18);
      const ah = 0.07 * Math.exp(-(vi + 65) / 20);
      const bh = 1 / (1 + Math.exp(-(vi + 35) / 10));
      const an = 0.01 * xOverOneMinusExp(vi + 55);
      const bn = 0.125 * Math.exp(-(vi + 65) / 80);
      const gNaI = gNa * mi * mi * mi * hi;
      const n2 = ni * ni;
      const gKI = gK * n2 * n2;
      const gTot = gNaI + gKI + gL;
      const drive = iExt[i]! + gNaI * eNaMv + gKI * eKMv + gL * eLMv; // dv/dt = (drive - gTot v)/C
      if (expo) {
        const vInf = drive / gTot;
        v[i] = vInf + (vi - vInf) * Math.exp((-dt * gTot) / c);
        const sm = am + bm,
          sh = ah + bh,
          sn = an + bn;
        m[i] = am / sm + (mi - am / sm) * Math.exp(-dt * sm);
        h[i] = ah / sh + (hi - ah / sh) * Math.exp(-dt * sh);
        n[i] = an / sn + (ni - an / sn) * Math.exp(-dt * sn);
      } else {
        v[i] = vi + (dt * (drive - gTot * vi)) / c;
        m[i] = mi + dt * (am * (1 - mi) - bm * mi);
        h[i] = hi + dt * (ah * (1 - hi) - bh * hi);
        n[i] = ni + dt * (an * (1 - ni) - bn * ni);
      }
      if (vi <= vSpikeMv && v[i]! > vSpikeMv) spiked[count++] = i;
    }
    this.spikeCount = count;
  }

  /** Hodgkin-Huxley neurons are not reset: the action potential is part of the dynamics. */
  reset(_step: number): void {}
}
