/**
 * Conductance-based leaky integrate-and-fire neuron (as in Diehl & Cook 2015):
 *
 *   tau dv/dt = (El - v) + ge (Ee - v) + gi (Ei - v) + iExt   (unless refractory)
 *   dge/dt = -ge / tauE,   dgi/dt = -gi / tauI
 *   dtheta/dt = -theta / tauTheta                               (adaptive threshold)
 *   threshold v > vThresh + theta;  reset v = vReset, theta += thetaPlus
 *
 * ge and gi are dimensionless (in units of the leak conductance); iExt is a
 * drive in mV. Method "exponential-euler" (the default): v's equation is linear
 * in v with the conductances held at their start-of-step values, so
 * v' = v∞ + (v - v∞) exp(-dt (1 + ge + gi)/tau), v∞ = (El + ge Ee + gi Ei + iExt)/(1 + ge + gi);
 * ge, gi and theta decay exactly. "euler" uses v' = v + dt·dv/dt for v.
 * Refractory semantics as LifGroup (Brian2's).
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

/** Integration of the conductance-based LIF: exponential Euler (default) or forward Euler. */
export type ConductanceLifMethod = "exponential-euler" | "euler";

/** Conductance-based LIF parameters (mV, ms), with an optional adaptive threshold (Diehl & Cook 2015). */
export interface ConductanceLifParams {
  tauMs: number;
  elMv: number;
  eExcMv: number;
  eInhMv: number;
  vThreshMv: number;
  vResetMv: number;
  refractoryMs: number;
  tauEMs: number;
  tauIMs: number;
  /** Threshold increase per spike (0: no adaptation). */
  thetaPlusMv?: number;
  /** Decay time constant of theta (Infinity: no decay). */
  tauThetaMs?: number;
}

/** Conductance-based LIF neurons with an adaptive threshold (Diehl & Cook 2015). */
export class ConductanceLifGroup implements NeuronGroup {
  readonly name: string;
  readonly size: number;
  readonly params: Readonly<ConductanceLifParams>;
  readonly dtMs: number;
  readonly method: ConductanceLifMethod;
  readonly precision: Precision;
  readonly v: StateArray;
  readonly ge: StateArray;
  readonly gi: StateArray;
  readonly iExt: StateArray;
  readonly theta: StateArray;
  readonly state: Readonly<Record<string, StateArray>>;
  readonly lastSpikeStep: Int32Array;
  readonly spiked: Int32Array;
  spikeCount = 0;
  readonly refractorySteps: number;
  private readonly decayE: number;
  private readonly decayI: number;
  private readonly decayTheta: number;
  private readonly thetaPlus: number;

  constructor(
    name: string,
    size: number,
    params: ConductanceLifParams,
    dtMs: number,
    method: ConductanceLifMethod = "exponential-euler",
    options: GroupOptions = {},
  ) {
    checkSize(name, size, dtMs);
    for (const k of ["tauMs", "tauEMs", "tauIMs"] as const) checkParam(name, k, params[k], true);
    for (const k of ["elMv", "eExcMv", "eInhMv", "vThreshMv", "vResetMv", "refractoryMs"] as const) {
      checkParam(name, k, params[k]);
    }
    const thetaPlus = params.thetaPlusMv ?? 0;
    const tauTheta = params.tauThetaMs ?? Infinity;
    checkParam(name, "thetaPlusMv", thetaPlus);
    if (!(tauTheta > 0)) checkParam(name, "tauThetaMs", tauTheta, true);
    checkMethod(name, method, ["exponential-euler", "euler"]);
    this.name = name;
    this.size = size;
    this.params = { ...params };
    this.dtMs = dtMs;
    this.method = method;
    this.precision = checkPrecision(name, options.precision);
    const p = this.precision;
    this.v = stateArray(p, size).fill(params.elMv);
    this.ge = stateArray(p, size);
    this.gi = stateArray(p, size);
    this.iExt = stateArray(p, size);
    this.theta = stateArray(p, size);
    this.state = { v: this.v, ge: this.ge, gi: this.gi, iExt: this.iExt, theta: this.theta };
    this.lastSpikeStep = new Int32Array(size).fill(NEVER_SPIKED);
    this.spiked = new Int32Array(size);
    this.refractorySteps = refractorySteps(params.refractoryMs, dtMs);
    this.decayE = Math.exp(-dtMs / params.tauEMs);
    this.decayI = Math.exp(-dtMs / params.tauIMs);
    this.decayTheta = Number.isFinite(tauTheta) ? Math.exp(-dtMs / tauTheta) : 1;
    this.thetaPlus = thetaPlus;
  }

  integrateAndThreshold(step: number): void {
    const { v, ge, gi, iExt, theta, lastSpikeStep, spiked, size } = this;
    const { tauMs, elMv, eExcMv, eInhMv, vThreshMv } = this.params;
    const dt = this.dtMs;
    const dtOverTau = dt / tauMs;
    const dE = this.decayE,
      dI = this.decayI,
      dTh = this.decayTheta;
    const refSteps = this.refractorySteps;
    const expo = this.method === "exponential-euler";
    const leak = Math.exp(-dtOverTau * 1);
    let count = 0;
    for (let i = 0; i < size; i++) {
      const e = ge[i]!;
      const g = gi[i]!;
      ge[i] = e * dE;
      gi[i] = g * dI;
      if (dTh !== 1) theta[i] = theta[i]! * dTh;
      if (step - lastSpikeStep[i]! < refSteps) continue;
      const vi = v[i]!;
      const gTot = 1 + e + g;
      const drive = elMv + e * eExcMv + g * eInhMv + iExt[i]!;
      if (expo) {
        const vInf = drive / gTot;
        // With no conductance gTot is 1 and the factor is the leak's, computed once (the same double).
        v[i] = vInf + (vi - vInf) * (e === 0 && g === 0 ? leak : Math.exp(-dtOverTau * gTot));
      } else {
        v[i] = vi + dtOverTau * (drive - gTot * vi);
      }
      if (v[i]! > vThreshMv + theta[i]!) spiked[count++] = i;
    }
    this.spikeCount = count;
  }

  reset(step: number): void {
    const { v, theta, lastSpikeStep, spiked } = this;
    const vr = this.params.vResetMv;
    const plus = this.thetaPlus;
    for (let k = 0; k < this.spikeCount; k++) {
      const i = spiked[k]!;
      v[i] = vr;
      theta[i] = theta[i]! + plus;
      lastSpikeStep[i] = step;
    }
  }
}
