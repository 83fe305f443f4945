/**
 * neurocompare's public API: what a researcher scripts with. Run scenarios
 * from code, or build artificial and spiking networks directly.
 *
 *   scenario (object or file) -> run() -> results folder (units, tables, charts, report)
 *   or by hand: validateScenario / loadAnyScenario
 *     -> runScenario / runNetworkScenario -> results -> writeData, writeReport
 *
 * Everything here validates what it is given at the boundary (a bad config
 * throws a ScenarioError or UserError that names the problem) and is
 * documented in the API reference (`npm run docs`). Anything not exported
 * here is internal and may change.
 *
 * @packageDocumentation
 */

// run(): the one call that does what `neurocompare run` does (the runs layer: units, resume, every core).
export {
  run,
  EXIT_OK,
  EXIT_DIVERGED,
  EXIT_STOPPED,
  type RunCallOptions,
  type RunOutcome,
  type RunOutcomeBase,
  type LearningRunOutcome,
  type NetworkRunOutcome,
  type RoutingRunOutcome,
} from "./api/run.js";
export type { ExecuteEvents } from "./runs/execute.js";

// Errors and randomness
export { NeuroError, UserError, ScenarioError, type ErrorCode, type Issue } from "./core/errors.js";
export { Rng, type RngState } from "./core/rng.js";

// Scenarios: validate, load, run, summarise
export {
  validateScenario,
  createLearner,
  createTask,
  createPlasticity,
  type LearnerConfigInput,
  type TaskConfigInput,
  type PlasticityConfigInput,
} from "./api/validate.js";
export { loadAnyScenario, type AnyScenario } from "./scenario/load.js";
export {
  scenarioJsonSchema,
  chartNames,
  type Scenario,
  type ScenarioInput,
  type ChartName,
} from "./scenario/schema.js";
export type { NetworkScenario, NetworkScenarioInput } from "./scenario/network-schema.js";
export type { RoutingScenario, RoutingScenarioInput } from "./scenario/routing-schema.js";
// run(scenarioOrPath, { out, seeds }): the one call that validates, runs and writes exactly what the CLI writes.
// It comes with the runs layer (src/runs/) and is exported here, next to runScenario.
export {
  runScenario,
  defaultHookFactories,
  type RunOptions,
  type RunObserver,
  type EpochRecord,
} from "./runs/run.js";
export type { TrainingHooks, HookFactory, HookContext } from "./runs/hooks.js";
export {
  runNetworkScenario,
  type NetworkRunResult,
  type SeedRun,
  type Recordings,
  type GroupStats,
  type SynapseStats,
  type RecordingFiles,
} from "./runs/run-network.js";
export {
  summarize,
  type MetricRow,
  type RunResult,
  type Summary,
  type LearnerSummary,
  type FinalFigure,
  type Comparison,
  type RobustnessSummary,
  type RobustnessRow,
  type WeightHistogramRow,
  type Environment,
  type LearnerInfo,
} from "./runs/results.js";
export type { NetworkSummary } from "./runs/network-results.js";
export type { RoutingSummary, RoutingComparison } from "./runs/routing-results.js";
export type { RoutingRunResult } from "./runs/run-routing.js";

// Report writers
export { writeData, writeReport, type ReportData, type WrittenReport } from "./report/write.js";
export type { ReportImage } from "./report/html.js";
export type { ChartBuilder, ChartDef, VegaLiteSpec } from "./report/charts.js";
export { writeNetworkReport } from "./report/network-report.js";

// Tasks and learners
export type { Task, Dataset, TaskShape } from "./tasks/task.js";
export type { TaskConfig } from "./tasks/registry.js";
export type { Learner, BatchResult, LearnerStats, ReceptiveFields } from "./learners/learner.js";
export type { LearnerConfig } from "./learners/registry.js";

// Artificial networks: layers, losses, optimisers
export type { Layer, Param } from "./ann/layer.js";
export { Sequential } from "./ann/sequential.js";
export { Dense, type DenseOptions } from "./ann/dense.js";
export { Conv2D, type Conv2DConfig } from "./ann/conv2d.js";
export { MaxPool2D, AvgPool2D, type Pool2DConfig } from "./ann/pool2d.js";
export { Flatten } from "./ann/flatten.js";
export { Activation, type ActivationName } from "./ann/activation.js";
export { Recurrent, type RecurrentOptions, type RecurrentOutput } from "./ann/recurrent.js";
export type { CellKind } from "./ann/cells/cell.js";
export { LifLayer, type LifLayerOptions, type LifInputMode, type ResetMode } from "./ann/spiking/lif-layer.js";
export type { SurrogateName } from "./ann/spiking/surrogate.js";
export type { InitName } from "./ann/init.js";
export type { RecurrentInit } from "./ann/cells/cell.js";
export {
  softmaxCrossEntropy,
  meanSquaredError,
  computeLoss,
  type LossName,
  type LossResult,
} from "./ann/loss.js";
export { createOptimizer, type Optimizer, type OptimizerConfig } from "./ann/optimizer.js";

// Spiking networks: neuron groups, inputs, synapses, monitors, the network
export type { NeuronGroup, Precision, StateArray } from "./snn/group.js";
export type { GroupOptions } from "./snn/neurons/common.js";
export { LifGroup, type LifParams, type LifPrecision, type LifOptions } from "./snn/neurons/lif.js";
export {
  ConductanceLifGroup,
  type ConductanceLifParams,
  type ConductanceLifMethod,
} from "./snn/neurons/conductance-lif.js";
export {
  IzhikevichGroup,
  IZHIKEVICH_PRESETS,
  type IzhikevichParams,
  type IzhikevichPreset,
  type IzhikevichMethod,
} from "./snn/neurons/izhikevich.js";
export { AdexGroup, ADEX_BRETTE_GERSTNER_2005, type AdexParams, type AdexMethod } from "./snn/neurons/adex.js";
export {
  HodgkinHuxleyGroup,
  HH_SQUID,
  type HodgkinHuxleyParams,
  type HodgkinHuxleyMethod,
} from "./snn/neurons/hodgkin-huxley.js";
export { EquationGroup } from "./snn/equations/equation-group.js";
export type { EquationModelConfig, EquationMethod } from "./snn/equations/model.js";
export { PoissonGroup } from "./snn/inputs/poisson.js";
export { SpikeGeneratorGroup } from "./snn/inputs/spike-generator.js";
export { CurrentInput, type CurrentConfig } from "./snn/inputs/current.js";
export {
  rateCode,
  latencyCode,
  type RateCodeOptions,
  type LatencyCodeOptions,
  type LatencyForm,
  type SpikeList,
} from "./snn/inputs/encoders.js";
export { Synapses, type SynapsesConfig, type SpikeSource } from "./snn/synapses/synapses.js";
export type { SynapseMatrix } from "./snn/synapses/csr.js";
export type { ConnectRule } from "./snn/synapses/connect.js";
export type { WeightSpec, DelaySpec } from "./snn/synapses/init.js";
export {
  SpikeMonitor,
  StateMonitor,
  PopulationRateMonitor,
  type Monitor,
  type StateMonitorConfig,
  type RecordWhen,
  type SpikeMonitorOptions,
  type SpikeChunk,
  type StateChunk,
} from "./snn/monitors.js";
export { Network, type NetworkConfig } from "./snn/network.js";
export { buildCuba, type Cuba, type CubaOptions } from "./snn/cuba.js";

// Models in and out: NIR files (Neuromorphic Intermediate Representation)
export type { NirGraph, NirNode, NirArray, NirPrimitive } from "./snn/nir/graph.js";
export { readNir, writeNir, nirReady } from "./snn/nir/hdf5.js";
export { NirExecutor, type NirExecutorOptions } from "./snn/nir/executor.js";
export { exportNir, learnerToNir } from "./learners/nir-export.js";
export { networkToNir, nirToNetwork, type NirImportOptions } from "./scenario/nir-network.js";

// Plasticity
export type {
  PlasticityRule,
  PlasticPathway,
  StdpBound,
  StdpPairing,
  SpikeList as StepSpikes,
} from "./plasticity/rule.js";
export type { PlasticityConfig } from "./plasticity/index.js";
export { PairStdp, type PairStdpConfig, type PairStdpParams } from "./plasticity/pair-stdp.js";
export { TripletStdp, type TripletStdpConfig, type TripletStdpParams } from "./plasticity/triplet-stdp.js";
export { RewardStdp, type RewardStdpConfig, type RewardStdpParams } from "./plasticity/reward-stdp.js";
export { AdaptiveThreshold, type AdaptiveThresholdConfig } from "./plasticity/homeostasis.js";

// Pruning and structural plasticity
export {
  pruneSynapsesByMagnitude,
  pruneSynapsesAtRandom,
  liveCount,
  synapseDensity,
} from "./plasticity/pruning/csr-criteria.js";
export { ActivityCriterion, type ActivityCriterionOptions } from "./plasticity/pruning/activity-criterion.js";
export { regrowSynapses, type RegrowOptions } from "./plasticity/pruning/regrowth.js";
export { magnitudePrune, randomPrune, pruneParams, maskCounts } from "./plasticity/pruning/mask-pruning.js";
export { pruneIteratively, type IterativePruneOptions } from "./plasticity/pruning/iterative.js";
export { snapshotWeights, rewindWeights, type WeightSnapshot } from "./plasticity/pruning/lottery-ticket.js";
export { effectiveOps } from "./plasticity/pruning/effective-ops.js";
export {
  schedulePlan,
  type PruningScheduleConfig,
  type ScheduleContext,
  type ScheduleStep,
} from "./plasticity/pruning/schedule.js";
export type { PruneRequest, PruneResult, PruneCriterion, PruneScope } from "./plasticity/pruning/types.js";
export type { StructuralPlasticity } from "./plasticity/pruning/structural.js";

// Metrics and statistics
export {
  mean,
  sampleStd,
  confidenceInterval,
  studentTQuantile,
  welchTTest,
  effectSize,
  type Interval,
  type WelchTest,
  type EffectSize,
} from "./metrics/stats.js";
export { spikeCounts, interSpikeIntervals, histogram, type HistogramBin } from "./metrics/spike-stats.js";
export { weightStats, type WeightStats } from "./metrics/weights.js";
export type { InferenceCosts } from "./metrics/costs.js";
export {
  layeredGraph,
  recurrentGraph,
  populationGraph,
  routingStats,
  robustness as graphRobustness,
  synapseCount,
  connectionDensity,
  type ConnectivityGraph,
  type CsrConnectivity,
  type PopulationConnectivity,
  type RoutingStats,
  type RobustnessOptions,
  type RobustnessPoint,
} from "./metrics/graph.js";
export {
  learningMetrics,
  type CurvePoint,
  costMetrics,
  forgettingMetrics,
  MAC_PJ,
  AC_PJ,
  DRAM_ACCESS_PJ,
} from "./runs/learning-metrics.js";
export { measureRobustness, lesionSynapses, noisyCopy, type RobustnessConfig } from "./runs/robustness.js";
