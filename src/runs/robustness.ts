/**
 * Robustness of a trained learner, with no retraining:
 *
 *   lesion   remove a fraction of its synapses (weights) chosen at random
 *            among those still non-zero, as in lesion studies and Navlakha et
 *            al.'s damage experiments; biases are not synapses and are kept
 *            (learner.lesionSynapses when it keeps a second copy it evaluates
 *            with, such as Polyak averages);
 *   silence  silence a fraction of its hidden neurons (learner.silenceUnits);
 *   noise    add Gaussian noise of a given standard deviation to every input
 *            value, clipped to the task's feature range.
 *
 * Each point restores the learner exactly before the next, and every
 * evaluation starts from the same saved state (learner.saveState: the same
 * input noise for spiking learners), so the order of points does not matter;
 * each draws its damage from its own fork of the learner's stream
 * ("lesion:0.3:1"), so adding a point never changes another.
 */
import type { Rng } from "../core/rng.js";
import type { Learner } from "../learners/learner.js";
import { lesionSynapses } from "../learners/lesion.js";

export { lesionSynapses };
import type { Dataset, TaskShape } from "../tasks/task.js";
import type { RobustnessRow } from "./results.js";

/**
 * Damage levels to test after training (lesion and silence fractions, input noise levels), samples and repeats per point.
 */
export interface RobustnessConfig {
  lesion: number[];
  silence: number[];
  noise: number[];
  samples: number;
  repeats: number;
}

/** The first `n` samples of a dataset (the test split is already shuffled and stratified). */
export function headOf(ds: Dataset, inputSize: number, n: number): Dataset {
  const count = Math.min(n, ds.count);
  return { x: ds.x.subarray(0, count * inputSize), y: ds.y.subarray(0, count), count };
}

function accuracy(learner: Learner, ds: Dataset): number {
  return ds.count === 0 ? NaN : learner.evaluate(ds.x, ds.y, ds.count).correct / ds.count;
}

/**
 * The learner's synaptic weights: all of them when it lists them
 * (`synapticWeights`), else the parameters it marks as decayed (weights, not
 * biases), else all its parameters.
 */
export function synapticWeights(learner: Learner): Float32Array[] {
  if (learner.synapticWeights !== undefined) return learner.synapticWeights();
  const params = learner.params();
  const weights = params.some((p) => p.decay) ? params.filter((p) => p.decay) : params;
  return weights.map((p) => p.value);
}

/** A noisy copy of `ds`: x + σ·N(0,1), clipped to the feature range. */
export function noisyCopy(ds: Dataset, shape: TaskShape, std: number, rng: Rng): Dataset {
  const x = new Float32Array(ds.x.length);
  const { min, max } = shape.featureRange;
  for (let i = 0; i < x.length; i++) {
    const v = ds.x[i]! + std * rng.normal();
    x[i] = v < min ? min : v > max ? max : v;
  }
  return { x, y: ds.y, count: ds.count };
}

/**
 * Test accuracy of a trained learner under each lesion, silencing and noise level, with no retraining; the learner is left as it came.
 */
export function measureRobustness(
  learner: Learner,
  test: Dataset,
  shape: TaskShape,
  config: RobustnessConfig,
  seed: number,
  rng: Rng,
): RobustnessRow[] {
  const rows: RobustnessRow[] = [];
  const ds = headOf(test, shape.inputSize, config.samples);
  // Every evaluation starts from the same saved state (same input noise for a
  // spiking learner), so a point's figure does not depend on which points ran
  // before it, and the learner leaves as it came.
  const restore = learner.saveState?.();
  const point = (kind: RobustnessRow["kind"], level: number, run: (r: Rng) => number) => {
    let sum = 0;
    for (let rep = 0; rep < config.repeats; rep++) {
      restore?.();
      sum += run(rng.fork(`${kind}:${level}:${rep}`));
    }
    rows.push({ learner: learner.name, seed, kind, level, accuracy: sum / config.repeats });
  };
  const weights = synapticWeights(learner);
  for (const level of config.lesion) {
    point("lesion", level, (r) => {
      const undo =
        learner.lesionSynapses !== undefined ? learner.lesionSynapses(level, r) : lesionSynapses(weights, level, r);
      try {
        return accuracy(learner, ds);
      } finally {
        undo();
      }
    });
  }
  if (learner.silenceUnits !== undefined) {
    for (const level of config.silence) {
      point("silence", level, (r) => {
        const undo = learner.silenceUnits!(level, r);
        try {
          return accuracy(learner, ds);
        } finally {
          undo();
        }
      });
    }
  }
  for (const level of config.noise)
    point("noise", level, (r) => accuracy(learner, level === 0 ? ds : noisyCopy(ds, shape, level, r)));
  restore?.();
  return rows;
}
