/**
 * Reward-modulated STDP with an eligibility trace (Izhikevich 2007; Florian
 * 2007): the pair-STDP increment of every pre/post pairing (pair-stdp.ts, same
 * window and pairing options) accumulates into a per-synapse eligibility
 *
 *   e_s += F(w) · trace      (instead of changing w),   de_s/dt = -e_s / tauEligibility
 *
 * and a reward r, given once per sample, changes the weights by
 *
 *   w_s ← clip(w_s + learningRate · r · e_s, wMin, wMax)
 *
 * after which the eligibility is cleared (resetOnReward, the per-sample
 * setting) or kept decaying. Eligibilities decay lazily (each synapse stores
 * the step it was last touched), so only the synapses that take part in a
 * pairing are visited during a step; a reward visits every synapse once.
 */
import { z } from "zod";
import { PairStdp, pairStdpConfigSchema, type PairStdpParams } from "./pair-stdp.js";
import type { PlasticPathway } from "./rule.js";

export const rewardStdpConfigSchema = pairStdpConfigSchema.extend({
  rule: z.literal("reward-stdp"),
  learningRate: z.number().min(0).default(1).describe("weights change by learningRate · reward · eligibility"),
  tauEligibilityMs: z.number().positive().default(1000).describe("decay of the eligibility trace"),
  resetOnReward: z.boolean().default(true).describe("clear the eligibility after each reward (reward per sample)"),
});
/**
 * Reward-modulated STDP's settings after validation: pair STDP's, the eligibility time constant and the learning rate.
 */
export type RewardStdpConfig = z.infer<typeof rewardStdpConfigSchema>;
/** Reward-modulated STDP's settings without the rule name (what the constructor takes). */
export type RewardStdpParams = Omit<RewardStdpConfig, "rule">;

/**
 * Reward-modulated STDP with an eligibility trace (Izhikevich 2007; Florian 2007): pairings accumulate into a
 * per-synapse eligibility, and a reward given once per sample turns it into a weight change.
 */
export class RewardStdp extends PairStdp {
  override readonly rule: string = "reward-stdp";
  eligibility: Float64Array;
  private eligibilityStep: Int32Array;
  private readonly eRate: number;
  private readonly learningRate: number;
  private readonly resetOnReward: boolean;

  constructor(pathway: PlasticPathway, params: RewardStdpParams, dtMs: number) {
    const pair: PairStdpParams = {
      tauPlusMs: params.tauPlusMs,
      tauMinusMs: params.tauMinusMs,
      aPlus: params.aPlus,
      aMinus: params.aMinus,
      wMin: params.wMin,
      wMax: params.wMax,
      bound: params.bound,
      pairing: params.pairing,
    };
    super(pathway, pair, dtMs);
    const n = pathway.matrix.count;
    this.eligibility = new Float64Array(n);
    this.eligibilityStep = new Int32Array(n);
    this.eRate = dtMs / params.tauEligibilityMs;
    this.learningRate = params.learningRate;
    this.resetOnReward = params.resetOnReward;
  }

  /** The STDP increment goes into the eligibility, decayed to `step` first. */
  protected override apply(s: number, _w: number, dw: number, step: number): void {
    const e = this.eligibility[s]!;
    const age = step - this.eligibilityStep[s]!;
    this.eligibility[s] = (e === 0 || age === 0 ? e : e * Math.exp(-age * this.eRate)) + dw;
    this.eligibilityStep[s] = step;
  }

  /** Applies a reward at `step`: w += learningRate · reward · eligibility (clipped). */
  reward(reward: number, step: number): void {
    const w = this.pathway.matrix.weight;
    const e = this.eligibility;
    const last = this.eligibilityStep;
    const { wMin, wMax } = this.params;
    const k = this.learningRate * reward;
    const rate = this.eRate;
    for (let s = 0; s < e.length; s++) {
      const es = e[s]!;
      if (es === 0) continue;
      const age = step - last[s]!;
      const ev = age === 0 ? es : es * Math.exp(-age * rate);
      const nw = w[s]! + k * ev;
      w[s] = nw < wMin ? wMin : nw > wMax ? wMax : nw;
      if (this.resetOnReward) e[s] = 0;
      else {
        e[s] = ev;
        last[s] = step;
      }
    }
  }

  /** Synapses were removed or added: each survivor keeps its eligibility, a new synapse starts at 0. */
  override synapsesChanged(origin: Int32Array): void {
    super.synapsesChanged(origin);
    const e = new Float64Array(origin.length);
    const step = new Int32Array(origin.length);
    for (let s = 0; s < origin.length; s++) {
      const o = origin[s]!;
      if (o < 0) continue;
      e[s] = this.eligibility[o]!;
      step[s] = this.eligibilityStep[o]!;
    }
    this.eligibility = e;
    this.eligibilityStep = step;
  }

  override resetTraces(): void {
    super.resetTraces();
    this.eligibility.fill(0);
  }
}
