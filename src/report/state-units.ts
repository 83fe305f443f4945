/**
 * The unit of a recorded state variable, for chart titles ("v (mV)"): from
 * the model's documented units for the built-in neuron models, and from the
 * `: unit` a Brian2-style equation declares for an `equations` model, shown
 * as the unit the number is held in (the model's unit system converts every
 * quantity at parse time: volt as mV, second as ms, amp as pA).
 */
import type { NeuronModelConfig } from "../scenario/network-schema.js";
import { dimEqual, formatDimension, isDimensionless, unitTable, type Dimension } from "../snn/equations/units.js";

/** Units of each built-in model's state variables, as its source documents them. */
const MODEL_UNITS: Partial<Record<NeuronModelConfig["type"], Readonly<Record<string, string>>>> = {
  // All of v, ge, gi and iExt in mV (iExt = R·I): Vogels & Abbott 2005's CUBA neuron.
  lif: { v: "mV", ge: "mV", gi: "mV", iExt: "mV" },
  // ge and gi in units of the leak conductance; iExt a drive in mV; theta the adaptive threshold in mV.
  "conductance-lif": { v: "mV", ge: "× leak conductance", gi: "× leak conductance", iExt: "mV", theta: "mV" },
  // Izhikevich 2003: u and I enter dv/dt directly, so they are in mV/ms.
  izhikevich: { v: "mV", u: "mV/ms", I: "mV/ms" },
  // Brette & Gerstner 2005 in pF, nS, mV, ms, pA.
  adex: { v: "mV", w: "pA", I: "pA" },
  // Hodgkin & Huxley 1952, modern convention: gating variables are fractions.
  "hodgkin-huxley": { v: "mV", m: "gating fraction", h: "gating fraction", n: "gating fraction", I: "µA/cm²" },
};

/**
 * The model's unit system (ms, mV, pA, nS, pF, GΩ, µm, mM, kHz: see
 * snn/equations/units.ts), by dimension: a variable declared in any unit of
 * a dimension holds its value in this one (`: volt` and `: mV` both in mV).
 */
const MODEL_UNITS_BY_DIMENSION: readonly (readonly [Dimension, string])[] = [
  [[2, 1, -3, -1, 0, 0, 0], "mV"],
  [[0, 0, 0, 1, 0, 0, 0], "pA"],
  [[0, 0, 1, 0, 0, 0, 0], "ms"],
  [[-2, -1, 3, 2, 0, 0, 0], "nS"],
  [[-2, -1, 4, 2, 0, 0, 0], "pF"],
  [[2, 1, -3, -2, 0, 0, 0], "GΩ"],
  [[0, 0, -1, 0, 0, 0, 0], "kHz"],
  [[1, 0, 0, 0, 0, 0, 0], "µm"],
  [[-3, 0, 0, 0, 0, 1, 0], "mM"],
  [[2, 1, -4, -1, 0, 0, 0], "mV/ms"],
];

/** The unit a declaration's values are held in: "mV" for `volt`, "" for `1`, the declaration itself when it is not one unit name. */
function modelUnitOf(declared: string): string {
  if (declared === "1" || declared === "") return "";
  const def = unitTable().get(declared);
  if (def === undefined) return declared;
  if (isDimensionless(def.dim)) return "";
  return MODEL_UNITS_BY_DIMENSION.find(([d]) => dimEqual(d, def.dim))?.[1] ?? formatDimension(def.dim);
}

/** The unit an equations model declares for `variable` (`dv/dt = ... : volt` or `I : amp`), or undefined. */
function declaredUnit(equations: string, variable: string): string | undefined {
  for (const raw of equations.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    const colon = line.lastIndexOf(":");
    if (colon < 0) continue;
    const lhs = line.slice(0, line.indexOf("=") >= 0 ? line.indexOf("=") : colon).trim();
    const name = lhs.match(/^d(\w+)\/dt$/)?.[1] ?? lhs.match(/^(\w+)$/)?.[1];
    if (name !== variable) continue;
    const unit = line
      .slice(colon + 1)
      .replace(/\((unless refractory|constant)\)|\bconstant\b/g, "")
      .trim();
    return modelUnitOf(unit);
  }
  return undefined;
}

/** "mV", "pA", "" (dimensionless) or undefined when the unit is not known. */
export function stateUnit(model: NeuronModelConfig | undefined, variable: string): string | undefined {
  if (model === undefined) return undefined;
  if (model.type === "equations") return declaredUnit(model.equations, variable);
  return MODEL_UNITS[model.type]?.[variable];
}

/** A variable with its unit for a chart title: "v (mV)", "m (gating fraction)", or the name alone. */
export function withUnit(variable: string, unit: string | undefined): string {
  return unit === undefined || unit === "" ? variable : `${variable} (${unit})`;
}
