/**
 * A neuron group defined by equations (Brian2's NeuronGroup idea):
 *
 *   const g = new EquationGroup("exc", 100, {
 *     equations: `dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
 *                 dge/dt = -ge / taue
 *                 dgi/dt = -gi / taui`,
 *     parameters: { taum: 20, taue: 5, taui: 10, El: -49, Vt: -50, Vr: -60 },
 *     threshold: "v > Vt", reset: "v = Vr", refractoryMs: 5,
 *     initial: { v: -60 },
 *   }, 0.1);
 *
 * Pipeline: text -> parse + check with mathjs (model.ts) -> choose and set up
 * the integrator (linear.ts) -> one generated JavaScript step function
 * (compile.ts) bound to this group's state arrays (float64, or float32 with
 * `{ precision: "float32" }`). Every state variable
 * (differential and per-neuron constant) is in `state`; `code` shows the
 * generated function.
 */
import { stateArray, type NeuronGroup, type Precision, type StateArray } from "../group.js";
import { UserError } from "../../core/errors.js";
import { NEVER_SPIKED, checkPrecision, type GroupOptions } from "../neurons/common.js";
import { compileModel, type CompiledKernel } from "./compile.js";
import { parseModel, type EquationMethod, type EquationModelConfig } from "./model.js";

/** Neurons defined by user-written differential equations, threshold, reset and refractoriness, as Brian2's NeuronGroup. */
export class EquationGroup implements NeuronGroup {
  readonly name: string;
  readonly size: number;
  readonly dtMs: number;
  readonly precision: Precision;
  readonly state: Readonly<Record<string, StateArray>>;
  readonly lastSpikeStep: Int32Array;
  readonly spiked: Int32Array;
  spikeCount = 0;
  /** The integration method in use (the requested one, or the default choice). */
  readonly method: EquationMethod;
  readonly refractorySteps: number;
  /** The generated step function's source. */
  readonly code: string;
  /** The variables the equations integrate (the differential ones), in their order. */
  readonly differentialVariables: readonly string[];
  private readonly kernel: CompiledKernel;

  constructor(name: string, size: number, model: EquationModelConfig, dtMs: number, options: GroupOptions = {}) {
    if (!Number.isInteger(size) || size < 0) {
      throw new UserError(
        "E_CONFIG_INVALID",
        `neuron group "${name}": size must be a non-negative integer, found ${size}`,
      );
    }
    if (!(dtMs > 0) || !Number.isFinite(dtMs)) {
      throw new UserError("E_CONFIG_INVALID", `neuron group "${name}": dtMs must be a positive number, found ${dtMs}`);
    }
    const parsed = parseModel(model);
    const compiled = compileModel(parsed, size, dtMs);
    this.name = name;
    this.size = size;
    this.dtMs = dtMs;
    this.method = compiled.method;
    this.refractorySteps = compiled.refractorySteps;
    this.code = compiled.code;
    this.differentialVariables = parsed.differential.map((d) => d.name);
    this.precision = checkPrecision(name, options.precision);
    const arrays = compiled.stateNames.map((n) => stateArray(this.precision, size).fill(parsed.initial[n] ?? 0));
    const state: Record<string, StateArray> = {};
    compiled.stateNames.forEach((n, k) => (state[n] = arrays[k]!));
    this.state = state;
    this.lastSpikeStep = new Int32Array(size).fill(NEVER_SPIKED);
    this.spiked = new Int32Array(size);
    this.kernel = compiled.bind(arrays, this.lastSpikeStep, this.spiked);
  }

  integrateAndThreshold(step: number): void {
    this.spikeCount = this.kernel.integrate(step);
  }

  reset(step: number): void {
    this.kernel.reset(step, this.spikeCount);
  }
}
