/**
 * One unit of a learning scenario: one learner (or sweep point) trained with
 * one seed for the scenario's epochs (per phase, for a continual-learning
 * sequence), evaluated on the held-out set after each epoch with its inference
 * costs, then measured for robustness. Pure apart from its callbacks: it
 * returns the unit's rows; storing them is the caller's business.
 *
 * Randomness: Rng.fromSeed(seed) is the root; the task draws from
 * fork("task"), the learner from fork(`learner:${base}`) (every point of a
 * sweep from its base learner's name): its initial weights from .fork("init"),
 * its epoch order from .fork("order"), training hooks such as pruning from
 * .fork("hooks"), robustness from .fork("robustness"). So a unit's numbers do
 * not depend on which other units run, or where.
 *
 * Checkpoints: after every epoch the unit can hand its whole state to
 * `saveCheckpoint` (core/snapshot.ts: the learner, its hooks, its epoch-order
 * stream, and the rows so far); given a checkpoint, it rebuilds the learner
 * and hooks exactly as new, writes the state back, and continues with the
 * next epoch, bit for bit as if never interrupted.
 *
 * Divergence: when a training batch's loss, or after an epoch any parameter,
 * is not finite, the unit stops training and records a `diverged` row (its
 * value the epoch at which it happened); the rows of earlier epochs stand,
 * and nothing after it (no robustness, fields or rates) is measured.
 */
import { UserError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { captureState, decodeSnapshot, encodeSnapshot, restoreState } from "../core/snapshot.js";
import type { Learner, ReceptiveFields } from "../learners/learner.js";
import { createLearner } from "../learners/registry.js";
import { histogram } from "../metrics/spike-stats.js";
import type { Scenario } from "../scenario/schema.js";
import { createTask } from "../tasks/registry.js";
import { epochOrder, gatherBatch, type Dataset, type Task } from "../tasks/task.js";
import type { HookFactory, TrainingHooks } from "./hooks.js";
import { costMetrics, forgettingMetrics, learningMetrics, type CurvePoint } from "./learning-metrics.js";
import type { LearningUnit } from "./plan.js";
import { DIVERGED_METRIC, type MetricRow, type RobustnessRow, type WeightHistogramRow } from "./results.js";
import { headOf, measureRobustness, synapticWeights } from "./robustness.js";

/** One finished epoch of one learner and seed, with its metrics. */
export interface EpochRecord {
  learner: string;
  type: string;
  seed: number;
  epoch: number;
  epochs: number;
  metrics: Record<string, number>;
}

/** Progress callbacks of {@link runScenario} and {@link run}. */
export interface RunObserver {
  /** Called after every finished epoch (for events.jsonl and progress). */
  onEpoch?(record: EpochRecord): void;
  /** Called during an epoch with the fraction done (for a progress bar). */
  onProgress?(learner: string, seed: number, epoch: number, fraction: number): void;
}

/** What a finished unit produced: its share of every results table. */
export interface LearningUnitResult {
  learner: string;
  seed: number;
  status: "done" | "diverged";
  /** The epoch at which the loss or a weight became non-finite (diverged units). */
  divergedEpoch?: number;
  rows: MetricRow[];
  /** First seed only. */
  weightHistograms: WeightHistogramRow[];
  robustness: RobustnessRow[];
  /** First seed only, image-shaped fields only. */
  receptiveFields: ReceptiveFields | null;
  /** First seed only, spiking learners only. */
  firingRates: Float32Array | null;
}

/**
 * Tasks built for a seed, kept while consecutive units share it (units are
 * planned seed by seed), so the learners of one seed see one task built once.
 */
export class TaskCache {
  private key = "";
  private task: Task | null = null;

  get(scenario: Scenario, seed: number): Task {
    const key = `${seed}\u0000${JSON.stringify(scenario.task)}`;
    if (this.task === null || this.key !== key) {
      this.task = null; // let a large dataset go before the next is built
      this.task = createTask(scenario.task, Rng.fromSeed(seed).fork("task"));
      this.key = key;
    }
    return this.task;
  }
}

export interface LearningUnitContext {
  scenario: Scenario;
  unit: LearningUnit;
  hooks: readonly HookFactory[];
  tasks: TaskCache;
  observer?: RunObserver | undefined;
  /** A checkpoint written by `saveCheckpoint` of an earlier, interrupted attempt at this unit. */
  checkpoint?: Uint8Array | null | undefined;
  /** Receives the unit's whole state after every finished epoch. */
  saveCheckpoint?: ((bytes: Uint8Array, epoch: number) => void) | undefined;
  /** Asked after every checkpoint: true stops the unit there (it can be resumed from the checkpoint). */
  shouldStop?: (() => boolean) | undefined;
}

export type LearningUnitOutcome =
  | { status: "stopped"; epoch: number }
  | { status: "finished"; result: LearningUnitResult };

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

export function phasesOf(scenario: Scenario, task: Task): Phase[] {
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

/** A unit's learner and hooks, built exactly as for a first attempt (the checkpoint is written into them). */
export function buildLearningUnit(
  scenario: Scenario,
  unit: LearningUnit,
  hooks: readonly HookFactory[],
  tasks: TaskCache,
): { task: Task; phases: Phase[]; learner: Learner; hooks: TrainingHooks[]; rng: Rng } {
  const task = tasks.get(scenario, unit.seed);
  const phases = phasesOf(scenario, task);
  const epochs = scenario.epochs * phases.length;
  const trainSamples = phases.reduce((n, p) => n + p.train.count * scenario.epochs, 0);
  // Every point of a sweep draws from its base learner's stream: the same initial weights
  // (where the shapes agree) and the same data order, so points differ by their setting alone.
  const rng = Rng.fromSeed(unit.seed).fork(`learner:${unit.learner.base}`);
  const learner = createLearner(unit.config, task.shape, rng.fork("init"));
  const hooksRng = rng.fork("hooks");
  const built = hooks
    .map((f) => f({ config: unit.config, learner, task, epochs, trainSamples, rng: hooksRng }))
    .filter((h): h is TrainingHooks => h !== null);
  return { task, phases, learner, hooks: built, rng };
}

const HISTOGRAM_BINS = 40;

/**
 * The weights learning changes (`learnedWeights`; else every synaptic weight,
 * biases excluded where the learner marks them) binned over their current
 * range. Fixed synapses are left out where the learner says which they are:
 * a network's fixed inhibition (weights of 10 to 17 beside plastic weights
 * of 0 to 1) would otherwise crowd the plastic weights into one bin.
 */
function weightHistogram(learner: Learner, name: string, epoch: number): WeightHistogramRow[] {
  const learned = learner.learnedWeights?.() ?? [];
  const weights = learned.some((w) => w.length > 0) ? learned : synapticWeights(learner);
  let n = 0;
  for (const w of weights) n += w.length;
  const all = new Float32Array(n);
  let off = 0;
  for (const w of weights) {
    all.set(w, off);
    off += w.length;
  }
  return histogram(all, HISTOGRAM_BINS).map((b) => ({ learner: name, epoch, lo: b.lo, hi: b.hi, count: b.count }));
}

function accuracyOn(learner: Learner, ds: Dataset): number {
  return ds.count === 0 ? NaN : learner.evaluate(ds.x, ds.y, ds.count).correct / ds.count;
}

function paramsFinite(learner: Learner): boolean {
  for (const p of learner.params()) {
    const w = p.value;
    for (let i = 0; i < w.length; i++) if (!Number.isFinite(w[i]!)) return false;
  }
  return true;
}

/** What a unit carries from epoch to epoch besides the learner and hooks (part of its checkpoint). */
interface Progress {
  /** Epochs finished. */
  epoch: number;
  samplesSeen: number;
  curve: CurvePoint[];
  justAfter: number[];
  rows: MetricRow[];
  weightHistograms: WeightHistogramRow[];
  divergedEpoch: number;
}

/** Checkpoint header: which unit it belongs to, checked before its state is written into a learner. */
interface CheckpointMeta {
  learner: string;
  seed: number;
  epoch: number;
}

/** Runs a unit to its end (or its stop), without yielding. */
export function runLearningUnit(ctx: LearningUnitContext): LearningUnitOutcome {
  const steps = learningUnitSteps(ctx);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs a unit, letting the event loop turn after every epoch's checkpoint, so
 * a signal handler (Ctrl-C) runs between epochs and `shouldStop` sees it.
 */
export async function runLearningUnitAsync(ctx: LearningUnitContext): Promise<LearningUnitOutcome> {
  const steps = learningUnitSteps(ctx);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise((done) => setImmediate(done));
  }
}

/** The unit as a generator: one step per epoch, yielding the epoch just checkpointed. */
function* learningUnitSteps(ctx: LearningUnitContext): Generator<number, LearningUnitOutcome> {
  const { scenario, unit, observer } = ctx;
  const name = unit.learner.name;
  const seed = unit.seed;
  const { task, phases, learner, hooks, rng } = buildLearningUnit(scenario, unit, ctx.hooks, ctx.tasks);
  const orderRng = rng.fork("order");
  const progress: Progress = {
    epoch: 0,
    samplesSeen: 0,
    curve: [],
    justAfter: [],
    rows: [],
    weightHistograms: [],
    divergedEpoch: 0,
  };
  const state = { learner, hooks, orderRng, progress };
  if (ctx.checkpoint) {
    const { snap, meta } = decodeSnapshot(ctx.checkpoint);
    const m = meta as Partial<CheckpointMeta> | null;
    if (m?.learner !== name || m.seed !== seed)
      throw new Error(`internal: checkpoint of ${m?.learner} seed ${m?.seed} offered to ${name} seed ${seed}`);
    restoreState(state, snap);
  }
  const inputSize = task.shape.inputSize;
  const batchSize = learner.maxBatch;
  const xBatch = new Float32Array(batchSize * inputSize);
  const yBatch = new Int32Array(batchSize);
  const totalEpochs = scenario.epochs * phases.length;
  const continual = phases.length > 1;
  const costSet = headOf(task.test, inputSize, scenario.evaluation.costSamples);

  while (progress.epoch < totalEpochs && progress.divergedEpoch === 0) {
    const epoch = progress.epoch + 1;
    const k = Math.floor((epoch - 1) / scenario.epochs);
    const e = epoch - k * scenario.epochs;
    const train = phases[k]!.train;
    const progressEvery = Math.max(1, Math.floor(train.count / batchSize / 20));
    const order = epochOrder(orderRng, train.count);
    let lossSum = 0;
    let correct = 0;
    let finite = true;
    const t0 = performance.now();
    let batchIndex = 0;
    for (let start = 0; start < train.count; start += batchSize) {
      const n = Math.min(batchSize, train.count - start);
      gatherBatch(train, inputSize, order, start, n, xBatch, yBatch);
      const r = learner.trainBatch(xBatch, yBatch, n);
      if (!Number.isFinite(r.loss)) {
        finite = false;
        break;
      }
      lossSum += r.loss * n;
      correct += r.correct;
      progress.samplesSeen += n;
      for (const h of hooks) h.afterBatch?.(progress.samplesSeen);
      if (observer?.onProgress && ++batchIndex % progressEvery === 0) {
        observer.onProgress(name, seed, epoch, (start + n) / train.count);
      }
    }
    if (!finite || !paramsFinite(learner)) {
      progress.divergedEpoch = epoch;
      progress.epoch = epoch;
      const metrics = { [DIVERGED_METRIC]: epoch };
      progress.rows.push({ learner: name, seed, epoch, metric: DIVERGED_METRIC, value: epoch });
      observer?.onEpoch?.({ learner: name, type: learner.type, seed, epoch, epochs: totalEpochs, metrics });
      break;
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
      samplesSeen: progress.samplesSeen,
      ...learner.collectStats(),
      ...hookMetrics,
    };
    for (const h of hooks) Object.assign(metrics, h.afterTest?.(epoch, metrics.testAccuracy!));
    // Extra evaluations below must not leak into the next epoch's statistics: collect and drop them after.
    let extra = false;
    if (continual) {
      phases.forEach((p, j) => {
        const acc = accuracyOn(learner, p.test);
        metrics[`testAccuracy[${p.name}]`] = acc;
        if (j === k && e === scenario.epochs) progress.justAfter[k] = acc;
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
    progress.curve.push({ samplesSeen: progress.samplesSeen, testAccuracy: metrics.testAccuracy!, wallMs });
    if (epoch === totalEpochs) {
      Object.assign(
        metrics,
        learningMetrics(progress.curve, task.shape.classes, scenario.evaluation.criterionAccuracy),
      );
      if (continual) {
        const atEnd = phases.map((p) => metrics[`testAccuracy[${p.name}]`]!);
        Object.assign(
          metrics,
          forgettingMetrics(
            phases.map((p) => p.name),
            progress.justAfter,
            atEnd,
          ),
        );
      }
    }
    for (const [metric, value] of Object.entries(metrics))
      progress.rows.push({ learner: name, seed, epoch, metric, value });
    if (unit.first) progress.weightHistograms.push(...weightHistogram(learner, name, epoch));
    progress.epoch = epoch;
    observer?.onEpoch?.({ learner: name, type: learner.type, seed, epoch, epochs: totalEpochs, metrics });
    if (ctx.saveCheckpoint !== undefined) {
      const meta: CheckpointMeta = { learner: name, seed, epoch };
      ctx.saveCheckpoint(encodeSnapshot(captureState(state), meta), epoch);
    }
    yield epoch;
    if (epoch < totalEpochs && ctx.shouldStop?.()) return { status: "stopped", epoch };
  }

  const result: LearningUnitResult = {
    learner: name,
    seed,
    status: progress.divergedEpoch > 0 ? "diverged" : "done",
    ...(progress.divergedEpoch > 0 ? { divergedEpoch: progress.divergedEpoch } : {}),
    rows: progress.rows,
    weightHistograms: progress.weightHistograms,
    robustness: [],
    receptiveFields: null,
    firingRates: null,
  };
  if (result.status === "diverged") return { status: "finished", result };
  const robustness = scenario.evaluation.robustness;
  if (robustness !== undefined)
    result.robustness = measureRobustness(learner, task.test, task.shape, robustness, seed, rng.fork("robustness"));
  if (unit.first && learner.receptiveFields !== undefined) {
    // Only image-shaped fields are drawn: one-row strips (a sequence's row weights, moons' two inputs) read as a barcode.
    const fields = learner.receptiveFields();
    if (fields.height > 1) result.receptiveFields = fields;
  }
  if (unit.first && learner.neuronRatesHz !== undefined) {
    const ds = headOf(task.test, inputSize, Math.max(100, scenario.evaluation.costSamples));
    learner.evaluate(ds.x, ds.y, ds.count);
    result.firingRates = learner.neuronRatesHz();
  }
  return { status: "finished", result };
}
