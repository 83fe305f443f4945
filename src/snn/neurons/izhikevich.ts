/**
 * Izhikevich 2003 ("Simple model of spiking neurons", IEEE TNN 14:1569):
 *
 *   dv/dt = 0.04 v² + 5 v + 140 - u + I      (v in mV, t in ms)
 *   du/dt = a (b v - u)
 *   if v ≥ vPeak (30 mV): v = c, u = u + d
 *
 * Two integrators:
 *   "euler"            v' = v + dt·f(v, u),  u' = u + dt·a(b v - u)   (both from the old state)
 *   "izhikevich-2003"  the paper's published MATLAB scheme, generalised to any dt:
 *                      two half-steps of dt/2 for v (u fixed), then u' = u + dt·a(b v' - u)
 *                      with the new v. At dt = 1 ms these are the paper's 0.5 ms half-steps.
 * The two give different spike times: for RS at dt = 1 ms under a step
 * current both first spike at 14 ms, then they part (tests/izhikevich.test.ts).
 *
 * "euler" sums the terms of f in the order Brian2's code generator emits them
 * for `dv/dt = (0.04*v**2 + 5*v + 140 - u + I)/ms` (sympy's canonical order:
 * dt·((140 + ((I + 0.04·v²) + 5·v)) - u) + v). Floating-point addition is not
 * associative, and this model amplifies a last-bit difference: summed in the
 * order written, the FS preset's spikes drift up to 3 steps (0.3 ms) from
 * Brian2's within 0.5 s at dt 0.1 ms; in Brian2's order, with float64 state,
 * every preset spikes at Brian2's steps exactly (tests/brian2-izhikevich.test.ts).
 *
 * State: v, u and I (a constant input per neuron, default 0), float64 or
 * float32 (GroupOptions.precision). Initial state as in the paper: v = -65 mV,
 * u = b·v. No refractory period (the model has none).
 */
import { stateArray, type NeuronGroup, type Precision, type StateArray } from "../group.js";
import { UserError } from "../../core/errors.js";
import { checkMethod, checkParam, checkPrecision, checkSize, type GroupOptions } from "./common.js";

/**
 * The seven firing patterns of Izhikevich 2003, Fig. 2: regular spiking, intrinsically bursting, chattering, fast spiking, low-threshold spiking, thalamo-cortical, resonator.
 */
export type IzhikevichPreset = "RS" | "IB" | "CH" | "FS" | "LTS" | "TC" | "RZ";
/** Forward Euler, or the paper's own scheme (two half-steps for v, then u). */
export type IzhikevichMethod = "euler" | "izhikevich-2003";

/** The Izhikevich 2003 model's a, b, c, d and its spike cut-off. */
export interface IzhikevichParams {
  a: number;
  b: number;
  c: number;
  d: number;
  /** Spike cut-off; the paper uses 30 mV. */
  vPeakMv: number;
}

/** The seven presets of Izhikevich 2003, Fig. 2 (a, b, c, d). */
export const IZHIKEVICH_PRESETS: Readonly<Record<IzhikevichPreset, Readonly<IzhikevichParams>>> = {
  RS: { a: 0.02, b: 0.2, c: -65, d: 8, vPeakMv: 30 }, // regular spiking: tonic, adapting
  IB: { a: 0.02, b: 0.2, c: -55, d: 4, vPeakMv: 30 }, // intrinsically bursting: initial burst then tonic
  CH: { a: 0.02, b: 0.2, c: -50, d: 2, vPeakMv: 30 }, // chattering: fast repeated bursts
  FS: { a: 0.1, b: 0.2, c: -65, d: 2, vPeakMv: 30 }, // fast spiking: no adaptation
  LTS: { a: 0.02, b: 0.25, c: -65, d: 2, vPeakMv: 30 }, // low-threshold spiking
  TC: { a: 0.02, b: 0.25, c: -65, d: 0.05, vPeakMv: 30 }, // thalamo-cortical: rebound burst
  RZ: { a: 0.1, b: 0.26, c: -65, d: 2, vPeakMv: 30 }, // resonator
};

export function izhikevichPreset(name: IzhikevichPreset): IzhikevichParams {
  const p = IZHIKEVICH_PRESETS[name];
  if (p === undefined) {
    throw new UserError(
      "E_CONFIG_INVALID",
      `unknown Izhikevich preset "${String(name)}": expected one of ${Object.keys(IZHIKEVICH_PRESETS).join(", ")}`,
    );
  }
  return { ...p };
}

/** Izhikevich 2003 neurons, by preset or by the parameters a, b, c, d. */
export class IzhikevichGroup implements NeuronGroup {
  readonly name: string;
  readonly size: number;
  readonly params: Readonly<IzhikevichParams>;
  readonly dtMs: number;
  readonly method: IzhikevichMethod;
  readonly precision: Precision;
  readonly v: StateArray;
  readonly u: StateArray;
  /** Input current per neuron (the model's I, in its own units). */
  readonly I: StateArray;
  readonly state: Readonly<Record<string, StateArray>>;
  readonly spiked: Int32Array;
  spikeCount = 0;

  constructor(
    name: string,
    size: number,
    params: IzhikevichParams | IzhikevichPreset,
    dtMs: number,
    method: IzhikevichMethod = "izhikevich-2003",
    options: GroupOptions = {},
  ) {
    checkSize(name, size, dtMs);
    const p = typeof params === "string" ? izhikevichPreset(params) : { ...params };
    for (const k of ["a", "b", "c", "d", "vPeakMv"] as const) checkParam(name, k, p[k]);
    checkMethod(name, method, ["euler", "izhikevich-2003"]);
    this.name = name;
    this.size = size;
    this.params = p;
    this.dtMs = dtMs;
    this.method = method;
    this.precision = checkPrecision(name, options.precision);
    this.v = stateArray(this.precision, size).fill(-65);
    this.u = stateArray(this.precision, size).fill(p.b * -65);
    this.I = stateArray(this.precision, size);
    this.state = { v: this.v, u: this.u, I: this.I };
    this.spiked = new Int32Array(size);
  }

  integrateAndThreshold(_step: number): void {
    const { v, u, I, spiked, size } = this;
    const { a, b, vPeakMv } = this.params;
    const dt = this.dtMs;
    const half = dt / 2;
    let count = 0;
    if (this.method === "euler") {
      for (let i = 0; i < size; i++) {
        const vi = v[i]!;
        const ui = u[i]!;
        // Brian2's order (see the header): dt·((140 + ((I + 0.04·v²) + 5·v)) - u) + v.
        v[i] = dt * (140 + (I[i]! + 0.04 * (vi * vi) + 5 * vi) - ui) + vi;
        u[i] = dt * (a * (b * vi - ui)) + ui;
        if (v[i]! >= vPeakMv) spiked[count++] = i;
      }
    } else {
      for (let i = 0; i < size; i++) {
        let vi = v[i]!;
        const ui = u[i]!;
        const ii = I[i]!;
        vi = vi + half * (0.04 * (vi * vi) + 5 * vi + 140 - ui + ii);
        vi = vi + half * (0.04 * (vi * vi) + 5 * vi + 140 - ui + ii);
        v[i] = vi;
        u[i] = ui + dt * (a * (b * vi - ui));
        if (v[i]! >= vPeakMv) spiked[count++] = i;
      }
    }
    this.spikeCount = count;
  }

  reset(_step: number): void {
    const { v, u, spiked } = this;
    const { c, d } = this.params;
    for (let k = 0; k < this.spikeCount; k++) {
      const i = spiked[k]!;
      v[i] = c;
      u[i] = u[i]! + d;
    }
  }
}
