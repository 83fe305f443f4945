/**
 * Runs a learning scenario: for every seed, build the task once (shared by
 * all learners), then train each learner (each sweep point) for the
 * scenario's epochs (per phase, for a continual-learning sequence),
 * evaluating on the held-out set after each epoch and measuring inference
 * costs; after training, measure robustness. Pure apart from the observer
 * callbacks: returns the tidy rows; writing files is the caller's business.
 *
 * Randomness: Rng.fromSeed(seed) is the root; the task draws from
 * fork("task"), each learner from fork(`learner:${name}`) (every point of a
 * sweep from its base learner's name) (its initial
 * weights from .fork("init"), its epoch order from .fork("order"), training
 * hooks such as pruning from .fork("hooks"), robustness from
 * .fork("robustness")), so adding or removing a learner never changes
 * another's numbers.
 */
import { Rng } from "../core/rng.js";
import { UserError } from "../core/errors.js";
import { createLearner } from "../learners/registry.js";
import type { Learner } from "../learners/learner.js";
import { createTask } from "../tasks/registry.js";
import { epochOrder, gatherBatch, type Dataset, type Task } from "../tasks/task.js";
import { histogram } from "../metrics/spike-stats.js";
import type { HookFactory, TrainingHooks } from "./hooks.js";
import { pruningHooks } from "./pruning-hooks.js";
import { costMetrics, forgettingMetrics, learningMetrics, type CurvePoint } from "./learning-metrics.js";
import type { LearnerInfo, RunResult, WeightHistogramRow } from "./results.js";
import { headOf, measureRobustness, synapticWeights } from "./robustness.js";
import type { Scenario } from "../scenario/schema.js";
import { expandSweep } from "../scenario/sweep.js";

export { learnerName } from "../scenario/sweep.js";

/** One finished epoch of one learner and seed, with its metrics. */
export interface EpochRecord {
  learner: string;
  type: string;
  seed: number;
  epoch: number;
  epochs: number;
  metrics: Record<string, number>;
}

/** Progress callbacks of {@link runScenario}. */
export interface RunObserver {
  /** Called after every finished epoch (for events.jsonl and progress). */
  onEpoch?(record: EpochRecord): void;
  /** Called during an epoch with the fraction done (for a progress bar). */
  onProgress?(learner: string, seed: number, epoch: number, fraction: number): void;
}

/** The training hooks every run uses unless told otherwise: pruning and growth schedules. */
export const defaultHookFactories: readonly HookFactory[] = [pruningHooks];

/** Options of {@link runScenario}. */
export interface RunOptions {
  /** Seeds to use instead of the scenario's. */
  seeds?: number[];
  observer?: RunObserver;
  /** Hook factories asked for each learner's hooks, in the order their hooks run (default: `defaultHookFactories`). */
  hooks?: readonly HookFactory[];
}

/** One stretch of a continual-learning sequence (the whole task when there is none). */
interface Phase {
  name: string;
  train: Dataset;
  test: Dataset;
}

function subsetByClass(ds: Dataset, inputSize: number, classes: readonly number[]): Dataset {
  const keep = new Set(classes);
  let count = 0;
  for (let i = 0; i < ds.count; i++) if (keep.has(ds.y[i]!)) count++;
  const x = new Float32Array(count * inputSize);
  const y = new Int32Array(count);
  let j = 0;
  for (let i = 0; i < ds.count; i++) {
    if (!keep.has(ds.y[i]!)) continue;
    x.set(ds.x.subarray(i * inputSize, (i + 1) * inputSize), j * inputSize);
    y[j++] = ds.y[i]!;
  }
  return { x, y, count };
}

function phasesOf(scenario: Scenario, task: Task): Phase[] {
  if (scenario.continual === undefined) return [{ name: "", train: task.train, test: task.test }];
  return scenario.continual.phases.map((p, i) => {
    const bad = p.classes.find((c) => c >= task.shape.classes);
    if (bad !== undefined) {
      throw new UserError(
        "E_SCENARIO_INVALID",
        `continual.phases[${i}].classes: expected class labels below ${task.shape.classes} (task "${task.name}" has ${task.shape.classes} classes), found ${bad}`,
      );
    }
    const train = subsetByClass(task.train, task.shape.inputSize, p.classes);
    if (train.count === 0)
      throw new UserError(
        "E_SCENARIO_INVALID",
        `continual.phases[${i}] ("${p.name}"): expected training samples of classes ${p.classes.join(", ")}, found none`,
      );
    return { name: p.name, train, test: subsetByClass(task.test, task.shape.inputSize, p.classes) };
  });
}

/**
 * Trains every learner of a validated learning scenario with every seed, in memory (no files written), and returns
 * the results: write them with {@link writeData} and {@link writeReport}.
 *
 * ```ts
 * const v = validateScenario({ name: "xor", task: { type: "xor" }, learners: [{ type: "mlp" }], epochs: 5 });
 * if (v.kind === "learning") {
 *   const result = runScenario(v.scenario, { seeds: [0, 1] });
 * }
 * ```
 */
export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const seeds = options.seeds ?? scenario.seeds;
  const expanded = expandSweep(scenario.learners, scenario.sweep);
  if (expanded.problems.length > 0)
    throw new UserError("E_SCENARIO_INVALID", `sweep: ${expanded.problems[0]!.message.replace("|", ", found ")}`);
  const result: RunResult = {
    scenario,
    seeds,
    learners: expanded.learners.map((l) => l.info),
    rows: [],
    weightHistograms: [],
    receptiveFields: [],
    robustness: [],
    firingRates: [],
  };
  seeds.forEach((seed, seedIndex) => {
    const root = Rng.fromSeed(seed);
    const task = createTask(scenario.task, root.fork("task"));
    const phases = phasesOf(scenario, task);
    const epochs = scenario.epochs * phases.length;
    const trainSamples = phases.reduce((n, p) => n + p.train.count * scenario.epochs, 0);
    // Build every learner (and its hooks) before training any, so a config that
    // only fails when built (a pruning criterion the learner lacks) fails first.
    const built = expanded.learners.map(({ config, info }) => {
      // Every point of a sweep draws from its base learner's stream: the same initial weights
      // (where the shapes agree) and the same data order, so points differ by their setting alone.
      const rng = root.fork(`learner:${info.base}`);
      const learner = createLearner(config, task.shape, rng.fork("init"));
      const hooksRng = rng.fork("hooks");
      const hooks = (options.hooks ?? defaultHookFactories)
        .map((f) => f({ config, learner, task, epochs, trainSamples, rng: hooksRng }))
        .filter((h): h is TrainingHooks => h !== null);
      return { info, rng, learner, hooks };
    });
    const first = seedIndex === 0;
    for (const { info, rng, learner, hooks } of built) {
      trainLearner(
        learner,
        info,
        task,
        phases,
        scenario,
        seed,
        rng.fork("order"),
        hooks,
        result,
        first,
        options.observer,
      );
      const robustness = scenario.evaluation.robustness;
      if (robustness !== undefined)
        result.robustness.push(
          ...measureRobustness(learner, task.test, task.shape, robustness, seed, rng.fork("robustness")),
        );
      if (first && learner.receptiveFields !== undefined) {
        // Only image-shaped fields are drawn: one-row strips (a sequence's row weights, moons' two inputs) read as a barcode.
        const fields = learner.receptiveFields();
        if (fields.height > 1) result.receptiveFields.push({ learner: info.name, fields });
      }
      if (first && learner.neuronRatesHz !== undefined) {
        const ds = headOf(task.test, task.shape.inputSize, Math.max(100, scenario.evaluation.costSamples));
        learner.evaluate(ds.x, ds.y, ds.count);
        result.firingRates.push({ learner: info.name, rateHz: learner.neuronRatesHz() });
      }
    }
  });
  return result;
}

const HISTOGRAM_BINS = 40;

/** The learner's weights (biases excluded where it marks them) binned over their current range. */
function weightHistogram(learner: Learner, epoch: number): WeightHistogramRow[] {
  const weights = synapticWeights(learner);
  let n = 0;
  for (const w of weights) n += w.length;
  const all = new Float32Array(n);
  let off = 0;
  for (const w of weights) {
    all.set(w, off);
    off += w.length;
  }
  return histogram(all, HISTOGRAM_BINS).map((b) => ({
    learner: learner.name,
    epoch,
    lo: b.lo,
    hi: b.hi,
    count: b.count,
  }));
}

function accuracyOn(learner: Learner, ds: Dataset): number {
  return ds.count === 0 ? NaN : learner.evaluate(ds.x, ds.y, ds.count).correct / ds.count;
}

function trainLearner(
  learner: Learner,
  info: LearnerInfo,
  task: Task,
  phases: readonly Phase[],
  scenario: Scenario,
  seed: number,
  orderRng: Rng,
  hooks: readonly TrainingHooks[],
  result: RunResult,
  first: boolean,
  observer: RunObserver | undefined,
): void {
  const inputSize = task.shape.inputSize;
  const batchSize = learner.maxBatch;
  const xBatch = new Float32Array(batchSize * inputSize);
  const yBatch = new Int32Array(batchSize);
  const totalEpochs = scenario.epochs * phases.length;
  const continual = phases.length > 1;
  const costSet = headOf(task.test, inputSize, scenario.evaluation.costSamples);
  const curve: CurvePoint[] = [];
  const justAfter: number[] = [];
  let samplesSeen = 0;
  let epoch = 0;
  phases.forEach((phase, k) => {
    const train = phase.train;
    const progressEvery = Math.max(1, Math.floor(train.count / batchSize / 20));
    for (let e = 1; e <= scenario.epochs; e++) {
      epoch++;
      const order = epochOrder(orderRng, train.count);
      let lossSum = 0;
      let correct = 0;
      const t0 = performance.now();
      let batchIndex = 0;
      for (let start = 0; start < train.count; start += batchSize) {
        const n = Math.min(batchSize, train.count - start);
        gatherBatch(train, inputSize, order, start, n, xBatch, yBatch);
        const r = learner.trainBatch(xBatch, yBatch, n);
        lossSum += r.loss * n;
        correct += r.correct;
        samplesSeen += n;
        for (const h of hooks) h.afterBatch?.(samplesSeen);
        if (observer?.onProgress && ++batchIndex % progressEvery === 0) {
          observer.onProgress(learner.name, seed, epoch, (start + n) / train.count);
        }
      }
      const wallMs = performance.now() - t0;
      const hookMetrics: Record<string, number> = {};
      for (const h of hooks) Object.assign(hookMetrics, h.endOfEpoch?.(epoch));
      const test = learner.evaluate(task.test.x, task.test.y, task.test.count);
      const metrics: Record<string, number> = {
        trainLoss: lossSum / train.count,
        trainAccuracy: correct / train.count,
        testLoss: test.loss,
        testAccuracy: test.correct / task.test.count,
        wallMs,
        samplesSeen,
        ...learner.collectStats(),
        ...hookMetrics,
      };
      // Extra evaluations below must not leak into the next epoch's statistics: collect and drop them after.
      let extra = false;
      if (continual) {
        phases.forEach((p, j) => {
          const acc = accuracyOn(learner, p.test);
          metrics[`testAccuracy[${p.name}]`] = acc;
          if (j === k && e === scenario.epochs) justAfter[k] = acc;
        });
        extra = true;
      }
      if (costSet.count > 0 && learner.measureCosts !== undefined) {
        Object.assign(
          metrics,
          costMetrics(
            learner.measureCosts(costSet.x, costSet.count),
            synapticWeights(learner),
            learner.possibleSynapses?.(),
          ),
        );
        extra = true;
      }
      if (extra) learner.collectStats();
      curve.push({ samplesSeen, testAccuracy: metrics.testAccuracy!, wallMs });
      if (epoch === totalEpochs) {
        Object.assign(metrics, learningMetrics(curve, task.shape.classes, scenario.evaluation.criterionAccuracy));
        if (continual) {
          const atEnd = phases.map((p) => metrics[`testAccuracy[${p.name}]`]!);
          Object.assign(
            metrics,
            forgettingMetrics(
              phases.map((p) => p.name),
              justAfter,
              atEnd,
            ),
          );
        }
      }
      for (const [metric, value] of Object.entries(metrics))
        result.rows.push({ learner: info.name, seed, epoch, metric, value });
      if (first) result.weightHistograms.push(...weightHistogram(learner, epoch));
      observer?.onEpoch?.({ learner: learner.name, type: learner.type, seed, epoch, epochs: totalEpochs, metrics });
    }
  });
}
