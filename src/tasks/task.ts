/**
 * A Task is a classification problem with a fixed train/test split that every
 * learner of a scenario shares. Samples are stored flat: sample i occupies
 * x[i·inputSize .. (i+1)·inputSize), its label is y[i].
 */
import type { Rng } from "../core/rng.js";

/** Samples stored flat: sample i is x[i·inputSize .. (i+1)·inputSize), its label y[i]. */
export interface Dataset {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
}

/** What a learner needs to know about a task's samples: their size, classes, and image or sequence layout. */
export interface TaskShape {
  /** Values per sample. */
  readonly inputSize: number;
  readonly classes: number;
  /** Present for images: inputSize = height·width·channels (channel-last). */
  readonly image?: { readonly height: number; readonly width: number; readonly channels: number };
  /** Present for sequences: inputSize = steps·features (step-major). */
  readonly sequence?: { readonly steps: number; readonly features: number };
  /** Each feature's range, for encoders that need one (rate coding). */
  readonly featureRange: { readonly min: number; readonly max: number };
}

/** A classification problem with a fixed train/test split that every learner of a scenario shares. */
export interface Task {
  readonly name: string;
  readonly description: string;
  readonly shape: TaskShape;
  readonly train: Dataset;
  readonly test: Dataset;
}

/** Copies samples order[start..start+batch) of `ds` into caller-owned buffers. */
export function gatherBatch(
  ds: Dataset,
  inputSize: number,
  order: Int32Array,
  start: number,
  batch: number,
  xOut: Float32Array,
  yOut: Int32Array,
): void {
  for (let b = 0; b < batch; b++) {
    const i = order[start + b]!;
    xOut.set(ds.x.subarray(i * inputSize, (i + 1) * inputSize), b * inputSize);
    yOut[b] = ds.y[i]!;
  }
}

/** The order in which an epoch visits the training set: a fresh permutation. */
export function epochOrder(rng: Rng, count: number): Int32Array {
  return rng.permutation(count);
}

/** Fraction of samples per class, for checks and reports. */
export function classBalance(ds: Dataset, classes: number): number[] {
  const c = new Array<number>(classes).fill(0);
  for (let i = 0; i < ds.count; i++) c[ds.y[i]!]!++;
  return c.map((v) => v / Math.max(1, ds.count));
}
