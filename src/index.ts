/**
 * neurocompare's public API: run scenarios from code, or build spiking
 * networks and artificial networks directly.
 *
 *   scenario file -> loadAnyScenario -> runScenario / runNetworkScenario -> results -> writeReport
 */
export { Rng } from "./core/rng.js";
export { NeuroError, UserError, ScenarioError, type ErrorCode, type Issue } from "./core/errors.js";

export { loadAnyScenario, parseAnyScenarioText, type AnyScenario } from "./scenario/load.js";
export { scenarioSchema, scenarioJsonSchema, type Scenario, type ScenarioInput } from "./scenario/schema.js";
export { networkScenarioSchema, type NetworkScenario } from "./scenario/network-schema.js";
export { runScenario, type RunObserver, type RunOptions, type EpochRecord } from "./scenario/run.js";
export { runNetworkScenario, type NetworkRunResult } from "./scenario/run-network.js";
export { summarize, rowsToCsv, type MetricRow, type RunResult, type Summary } from "./scenario/results.js";
export { writeData, writeReport } from "./report/write.js";

export type { Learner, BatchResult, LearnerStats, ReceptiveFields, InferenceCosts } from "./learners/learner.js";
export { createLearner, learnerConfigSchema, type LearnerConfig } from "./learners/registry.js";
export type { Task, Dataset, TaskShape } from "./tasks/task.js";
export { createTask, taskConfigSchema, type TaskConfig } from "./tasks/registry.js";

export type { NeuronGroup } from "./snn/group.js";
export * from "./snn/neurons/index.js";
export * from "./snn/equations/index.js";
export * from "./snn/synapses/index.js";
export * from "./snn/inputs/index.js";
export { SpikeMonitor, StateMonitor, PopulationRateMonitor, type Monitor } from "./snn/monitors.js";
export { Network, type NetworkConfig } from "./snn/network.js";

export { confidenceInterval, studentTQuantile, welchTTest, effectSize, type Interval } from "./metrics/stats.js";
export {
  costMetrics,
  learningMetrics,
  forgettingMetrics,
  MAC_PJ,
  AC_PJ,
  DRAM_ACCESS_PJ,
} from "./scenario/learning-metrics.js";
export { measureRobustness, lesionSynapses, noisyCopy } from "./scenario/robustness.js";
export { expandSweep } from "./scenario/sweep.js";
export type { TrainingHooks, HookFactory, HookContext } from "./scenario/hooks.js";
export { defaultHookFactories } from "./scenario/run.js";
export {
  layeredGraph,
  recurrentGraph,
  routingStats,
  robustness as graphRobustness,
  synapseCount,
  connectionDensity,
} from "./metrics/graph.js";
export * from "./plasticity/pruning/index.js";
