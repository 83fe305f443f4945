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
 * The engine's ConductanceLifGroup carries this mechanism built in
 * (thetaPlusMv, tauThetaMs); this kernel is for step loops of one's own
 * (the Diehl & Cook kernel, tests): call `step(spiked, count)` once per step
 * and compare v against vThresh + theta[i]. Synaptic normalisation, the other
 * homeostatic mechanism, is in normalization.ts.
 */
import { z } from "zod";

export const adaptiveThresholdConfigSchema = z.strictObject({
  thetaPlusMv: z.number().min(0).default(0.05).describe("threshold increase per spike"),
  tauThetaMs: z.number().positive().default(1e7).describe("decay time constant of theta"),
});
/** Threshold increase per spike (default 0.05 mV) and its decay time constant (default 1e7 ms, Diehl & Cook 2015). */
export type AdaptiveThresholdConfig = z.infer<typeof adaptiveThresholdConfigSchema>;

/**
 * An adaptive threshold (Diehl & Cook 2015): every spike raises the neuron's offset theta by thetaPlus, which decays with
 * tauTheta; call `step(spiked, count)` once per step and compare v with the threshold plus theta.
 */
export class AdaptiveThreshold {
  readonly theta: Float32Array;
  readonly thetaPlusMv: number;
  readonly tauThetaMs: number;
  private readonly decay: number;

  constructor(size: number, config: AdaptiveThresholdConfig, dtMs: number) {
    this.theta = new Float32Array(size);
    this.thetaPlusMv = config.thetaPlusMv;
    this.tauThetaMs = config.tauThetaMs;
    this.decay = Math.exp(-dtMs / config.tauThetaMs);
  }

  /** One step: every theta decays, then each neuron in spiked[0 .. count) gets thetaPlus. */
  step(spiked: Int32Array, count: number): void {
    const th = this.theta;
    const d = this.decay;
    for (let i = 0; i < th.length; i++) th[i] = th[i]! * d;
    for (let k = 0; k < count; k++) th[spiked[k]!]! += this.thetaPlusMv;
  }

  /** Sets every offset back to 0. */
  reset(): void {
    this.theta.fill(0);
  }
}
