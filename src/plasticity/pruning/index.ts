/**
 * Synaptic pruning and structural plasticity: schedules (how many synapses to
 * remove or grow at each application), criteria for spiking synapses in CSR
 * form (magnitude, activity, random) with compaction and regrowth, and mask
 * pruning of artificial-network weights (magnitude, random, iterative,
 * lottery-ticket rewinding, effective operation counts).
 */
export {
  pruneRequestSchema,
  requestedCount,
  type PruneCriterion,
  type PruneRequest,
  type PruneResult,
  type PruneScope,
} from "./types.js";
export {
  applicationsDue,
  applyEverySchema,
  constantRateScheduleSchema,
  decreasingRateScheduleSchema,
  developmentalScheduleSchema,
  increasingRateScheduleSchema,
  profileCount,
  pruningScheduleSchema,
  scheduleLength,
  schedulePlan,
  scheduleStep,
  type ApplyEvery,
  type PruningScheduleConfig,
  type RateProfile,
  type ScheduleContext,
  type ScheduleStep,
} from "./schedule.js";
export { liveSynapses, lowestK, randomK, shareCount } from "./select.js";
export {
  liveCount,
  pruneSynapseMatrices,
  pruneSynapsesAtRandom,
  pruneSynapsesByMagnitude,
  synapseDensity,
  type SynapsePruneContext,
} from "./csr-criteria.js";
export { ActivityCriterion, type ActivityCriterionOptions } from "./activity-criterion.js";
export { regrowSynapses, type RegrowOptions } from "./regrowth.js";
export {
  applyMasks,
  ensureMask,
  magnitudePrune,
  maskCounts,
  pruneParams,
  randomPrune,
  remainingCount,
} from "./mask-pruning.js";
export { perRoundFraction, pruneIteratively, type IterativePruneOptions } from "./iterative.js";
export { rewindWeights, snapshotWeights, type WeightSnapshot } from "./lottery-ticket.js";
export { effectiveOps } from "./effective-ops.js";
export {
  iterativePruningSchema,
  pruningConfigSchema,
  type IterativePruningConfig,
  type PruningConfig,
} from "./config.js";
export {
  growParams,
  maskConnectivity,
  maskStructure,
  type MaskStructureOptions,
  type StructuralPlasticity,
} from "./structural.js";
