/**
 * Shared pieces of the built-in neuron groups: parameter checks at the
 * boundary, Brian2's refractory arithmetic, and the integration method names.
 */
import { UserError } from "../../core/errors.js";
import { DEFAULT_PRECISION, type Precision } from "../group.js";

/** Integration methods, as a scenario file names them. */
export type IntegrationMethod = "exact" | "euler" | "rk4" | "exponential-euler" | "izhikevich-2003";

/** `lastSpikeStep` of a neuron that has never spiked: far enough back that it is never refractory. */
export const NEVER_SPIKED = -(2 ** 30);

/**
 * Brian2's `timestep(refractory, dt)`: the refractory period as a whole number
 * of steps, truncating `refractory / dt + 1e-3` (so 5 ms at 0.1 ms is 50
 * steps even though 5 / 0.1 = 49.999...). A neuron that spiked in step s is
 * refractory while `step - s < refractorySteps`: it holds `v` during steps
 * s+1 .. s+R-1 and integrates again from step s+R (time t_spike + refractory).
 */
export function refractorySteps(refractoryMs: number, dtMs: number): number {
  return Math.floor(refractoryMs / dtMs + 1e-3);
}

/** Throws a UserError unless `value` is a finite number (and > 0 when `positive`). */
export function checkParam(group: string, name: string, value: unknown, positive = false): void {
  if (typeof value !== "number" || !Number.isFinite(value) || (positive && value <= 0)) {
    throw new UserError(
      "E_CONFIG_INVALID",
      `neuron group "${group}": parameter ${name} must be a ${positive ? "positive" : "finite"} number, found ${String(value)}`,
    );
  }
}

export function checkSize(group: string, size: number, dtMs: number): void {
  if (!Number.isInteger(size) || size < 0) {
    throw new UserError(
      "E_CONFIG_INVALID",
      `neuron group "${group}": size must be a non-negative integer, found ${size}`,
    );
  }
  checkParam(group, "dtMs", dtMs, true);
}

/** Throws a UserError unless `method` is one of `allowed`. */
export function checkMethod(group: string, method: string, allowed: readonly string[]): void {
  if (!allowed.includes(method)) {
    throw new UserError(
      "E_CONFIG_INVALID",
      `neuron group "${group}": integration method must be one of ${allowed.map((m) => `"${m}"`).join(", ")}, found "${method}"`,
    );
  }
}

/** The precision asked for (default DEFAULT_PRECISION); a UserError for anything but "float64" or "float32". */
export function checkPrecision(group: string, precision: unknown): Precision {
  if (precision === undefined) return DEFAULT_PRECISION;
  if (precision !== "float64" && precision !== "float32") {
    throw new UserError(
      "E_CONFIG_INVALID",
      `neuron group "${group}": precision must be "float64" or "float32", found ${JSON.stringify(precision)}`,
    );
  }
  return precision;
}

/** Options every built-in neuron group takes. */
export interface GroupOptions {
  /** State and arithmetic: "float64" (default) or the opt-in "float32". */
  precision?: Precision;
}
