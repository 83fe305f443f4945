/**
 * Runs a scenario: for every seed, build the task once (shared by all
 * learners), then train each learner for the scenario's epochs, evaluating on
 * the held-out set after each epoch. Pure apart from the observer callbacks:
 * returns the tidy metric rows; writing files is the caller's business.
 *
 * Randomness: Rng.fromSeed(seed) is the root; the task draws from
 * fork("task"), each learner from fork(`learner:${name}`) (its initial
 * weights from .fork("init"), its epoch order from .fork("order")), so
 * adding or removing a learner never changes another's numbers.
 */
import { Rng } from "../core/rng.js";
import { createLearner } from "../learners/registry.js";
import type { Learner } from "../learners/learner.js";
import { createTask } from "../tasks/registry.js";
import { epochOrder, gatherBatch, type Task } from "../tasks/task.js";
import { histogram } from "../metrics/spike-stats.js";
import type { LearnerInfo, MetricRow, RunResult, WeightHistogramRow } from "./results.js";
import type { Scenario } from "./schema.js";

export interface EpochRecord {
  learner: string;
  type: string;
  seed: number;
  epoch: number;
  epochs: number;
  metrics: Record<string, number>;
}

export interface RunObserver {
  /** Called after every finished epoch (for events.jsonl and progress). */
  onEpoch?(record: EpochRecord): void;
  /** Called during an epoch with the fraction done (for a progress bar). */
  onProgress?(learner: string, seed: number, epoch: number, fraction: number): void;
}

export interface RunOptions {
  /** Seeds to use instead of the scenario's. */
  seeds?: number[];
  observer?: RunObserver;
}

export function learnerName(l: { name?: string | undefined; type: string }): string {
  return l.name ?? l.type;
}

export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const seeds = options.seeds ?? scenario.seeds;
  const rows: MetricRow[] = [];
  const weightHistograms: WeightHistogramRow[] = [];
  const receptiveFields: RunResult["receptiveFields"] = [];
  const learners: LearnerInfo[] = scenario.learners.map((l) => ({ name: learnerName(l), type: l.type }));
  seeds.forEach((seed, seedIndex) => {
    const root = Rng.fromSeed(seed);
    const task = createTask(scenario.task, root.fork("task"));
    scenario.learners.forEach((config, i) => {
      const name = learners[i]!.name;
      const rng = root.fork(`learner:${name}`);
      const learner = createLearner(config, task.shape, rng.fork("init"));
      const histograms = seedIndex === 0 ? weightHistograms : null;
      trainLearner(learner, task, scenario.epochs, seed, rng.fork("order"), rows, histograms, options.observer);
      if (seedIndex === 0 && learner.receptiveFields !== undefined) receptiveFields.push({ learner: name, fields: learner.receptiveFields() });
    });
  });
  return { scenario, seeds, learners, rows, weightHistograms, receptiveFields };
}

const HISTOGRAM_BINS = 40;

/** The learner's weights (biases excluded where it marks them) binned over their current range. */
function weightHistogram(learner: Learner, epoch: number): WeightHistogramRow[] {
  const params = learner.params();
  const weights = params.some((p) => p.decay) ? params.filter((p) => p.decay) : params;
  let n = 0;
  for (const p of weights) n += p.value.length;
  const all = new Float32Array(n);
  let off = 0;
  for (const p of weights) {
    all.set(p.value, off);
    off += p.value.length;
  }
  return histogram(all, HISTOGRAM_BINS).map((b) => ({ learner: learner.name, epoch, lo: b.lo, hi: b.hi, count: b.count }));
}

function trainLearner(
  learner: Learner, task: Task, epochs: number, seed: number, orderRng: Rng,
  rows: MetricRow[], histograms: WeightHistogramRow[] | null, observer: RunObserver | undefined,
): void {
  const inputSize = task.shape.inputSize;
  const batchSize = learner.maxBatch;
  const xBatch = new Float32Array(batchSize * inputSize);
  const yBatch = new Int32Array(batchSize);
  const train = task.train;
  const progressEvery = Math.max(1, Math.floor(train.count / batchSize / 20));
  for (let epoch = 1; epoch <= epochs; epoch++) {
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
      if (observer?.onProgress && ++batchIndex % progressEvery === 0) {
        observer.onProgress(learner.name, seed, epoch, (start + n) / train.count);
      }
    }
    const wallMs = performance.now() - t0;
    const test = learner.evaluate(task.test.x, task.test.y, task.test.count);
    const metrics: Record<string, number> = {
      trainLoss: lossSum / train.count,
      trainAccuracy: correct / train.count,
      testLoss: test.loss,
      testAccuracy: test.correct / task.test.count,
      wallMs,
      ...learner.collectStats(),
    };
    for (const [metric, value] of Object.entries(metrics)) rows.push({ learner: learner.name, seed, epoch, metric, value });
    if (histograms !== null) histograms.push(...weightHistogram(learner, epoch));
    observer?.onEpoch?.({ learner: learner.name, type: learner.type, seed, epoch, epochs, metrics });
  }
}
