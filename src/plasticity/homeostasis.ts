/**
 * Homeostasis by an adaptive threshold (Diehl & Cook 2015; Zylberberg et al.
 * 2011): every spike raises the neuron's threshold offset theta, which decays
 * slowly back to 0,
 *
 *   dtheta/dt = -theta / tauTheta,   at a spike theta += thetaPlus,
 *
 * so a neuron under strong drive fires less and less until the threshold
 * balances the drive. In steady state at rate r (tauTheta ≫ interspike
 * interval) theta ≈ thetaPlus · r · tauTheta.
 *
 * Two uses. On a group of the engine (`AdaptiveThreshold.watching`): theta
 * is one of the group's state variables that its threshold reads (the
 * conductance LIF's `theta`, or a per-neuron variable of an equation model
 * whose threshold says `v > vt + theta`), and the rule runs as a Monitor at
 * the end of each step, after the group's reset, while `enabled` (a learner
 * freezes it during its test phase). In a step loop of one's own: call
 * `step(spiked, count)` once per step and compare v against
 * vThresh + theta[i]. Synaptic normalisation, the other homeostatic
 * mechanism, is in normalization.ts.
 */
import { z } from "zod";
import type { Monitor } from "../snn/monitors.js";
import type { SpikeList } from "./rule.js";

export const adaptiveThresholdConfigSchema = z.strictObject({
  thetaPlusMv: z.number().min(0).default(0.05).describe("threshold increase per spike"),
  tauThetaMs: z.number().positive().default(1e7).describe("decay time constant of theta"),
});
/** Threshold increase per spike (default 0.05 mV) and its decay time constant (default 1e7 ms, Diehl & Cook 2015). */
export type AdaptiveThresholdConfig = z.infer<typeof adaptiveThresholdConfigSchema>;

/**
 * An adaptive threshold (Diehl & Cook 2015): every spike raises the neuron's offset theta by thetaPlus, which decays with
 * tauTheta; call `step(spiked, count)` once per step and compare v with the threshold plus theta, or build it with
 * `AdaptiveThreshold.watching(group, theta, ...)` and add it to the network as a monitor.
 */
export class AdaptiveThreshold implements Monitor {
  readonly when = "end" as const;
  readonly theta: Float32Array | Float64Array;
  readonly thetaPlusMv: number;
  readonly tauThetaMs: number;
  /** While false, `record` leaves theta alone (a frozen threshold, e.g. during a test phase). */
  enabled = true;
  private readonly decay: number;
  private source: SpikeList | null = null;

  /** `theta`: the size of a new offset array, or an existing array to work on (a group's state variable). */
  constructor(theta: number | Float32Array | Float64Array, config: AdaptiveThresholdConfig, dtMs: number) {
    this.theta = typeof theta === "number" ? new Float32Array(theta) : theta;
    this.thetaPlusMv = config.thetaPlusMv;
    this.tauThetaMs = config.tauThetaMs;
    this.decay = Math.exp(-dtMs / config.tauThetaMs);
  }

  /** A threshold on a group's offset variable `theta` that `record` updates from the group's spikes of each step. */
  static watching(
    group: SpikeList,
    theta: Float32Array | Float64Array,
    config: AdaptiveThresholdConfig,
    dtMs: number,
  ): AdaptiveThreshold {
    if (theta.length !== group.size)
      throw new RangeError(`adaptive threshold: ${theta.length} offsets for a group of ${group.size}`);
    const a = new AdaptiveThreshold(theta, config, dtMs);
    a.source = group;
    return a;
  }

  /** One step: every theta decays, then each neuron in spiked[0 .. count) gets thetaPlus. */
  step(spiked: Int32Array, count: number): void {
    const th = this.theta;
    const d = this.decay;
    if (d !== 1) for (let i = 0; i < th.length; i++) th[i] = th[i]! * d;
    for (let k = 0; k < count; k++) th[spiked[k]!]! += this.thetaPlusMv;
  }

  /**
   * Lets `ms` of simulated time pass without steps (a reset standing in for a
   * rest period): every theta decays by exp(-ms/tauTheta), while enabled.
   */
  elapse(ms: number): void {
    if (!this.enabled || !(ms > 0)) return;
    const f = Math.exp(-ms / this.tauThetaMs);
    const th = this.theta;
    for (let i = 0; i < th.length; i++) th[i] = th[i]! * f;
  }

  /** Monitor hook (end of step, after reset): this step's spikes of the watched group, while enabled. */
  record(_step: number): void {
    const g = this.source;
    if (g === null) throw new Error("AdaptiveThreshold.record needs a threshold built with AdaptiveThreshold.watching");
    if (this.enabled) this.step(g.spiked, g.spikeCount);
  }

  reserve(_steps: number): void {}

  /** Sets every offset back to 0. */
  reset(): void {
    this.theta.fill(0);
  }
}
