/**
 * Plasticity rules a scenario can select by name (`rule`), each with its zod
 * schema: pair STDP (additive or multiplicative bounds, all-to-all or nearest
 * pairing), triplet STDP (Pfister & Gerstner 2006) and reward-modulated STDP
 * with an eligibility trace. Homeostasis (adaptive thresholds, synaptic
 * normalisation) and lateral inhibition are building blocks next to them.
 */
import { z } from "zod";
import { PairStdp, pairStdpConfigSchema } from "./pair-stdp.js";
import { RewardStdp, rewardStdpConfigSchema } from "./reward-stdp.js";
import type { PlasticPathway, PlasticityRule } from "./rule.js";
import { TripletStdp, tripletStdpConfigSchema } from "./triplet-stdp.js";

export const plasticityConfigSchema = z.discriminatedUnion("rule", [
  pairStdpConfigSchema,
  tripletStdpConfigSchema,
  rewardStdpConfigSchema,
]);
/** A plasticity rule's config after validation (see {@link PlasticityConfigInput} for what may be left out). */
export type PlasticityConfig = z.infer<typeof plasticityConfigSchema>;

/** Builds the rule a config names on one synapse population. */
export function createPlasticity(config: PlasticityConfig, pathway: PlasticPathway, dtMs: number): PlasticityRule {
  switch (config.rule) {
    case "pair-stdp":
      return new PairStdp(pathway, config, dtMs);
    case "triplet-stdp":
      return new TripletStdp(pathway, config, dtMs);
    case "reward-stdp":
      return new RewardStdp(pathway, config, dtMs);
  }
}

export { PairStdp, pairStdpConfigSchema, type PairStdpConfig, type PairStdpParams } from "./pair-stdp.js";
export {
  TripletStdp,
  tripletStdpConfigSchema,
  type TripletStdpConfig,
  type TripletStdpParams,
} from "./triplet-stdp.js";
export { RewardStdp, rewardStdpConfigSchema, type RewardStdpConfig, type RewardStdpParams } from "./reward-stdp.js";
export { AdaptiveThreshold, adaptiveThresholdConfigSchema, type AdaptiveThresholdConfig } from "./homeostasis.js";
export { DenseColumnNormalizer, normalizeCsrIncoming, waterFill, type NormalizationParams } from "./normalization.js";
export {
  winnerTakeAll,
  oneToOneMatrix,
  allButSelfMatrix,
  lateralInhibitionConfigSchema,
  type LateralInhibitionConfig,
} from "./lateral-inhibition.js";
export { buildColumnIndex, denseStructure, type ColumnIndex } from "./column-index.js";
export { LazyTraces, type TraceMode } from "./traces.js";
export type { PlasticPathway, PlasticityRule, SpikeList, StdpBound, StdpPairing } from "./rule.js";
