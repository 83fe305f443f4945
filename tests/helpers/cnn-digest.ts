/**
 * A fingerprint of a few CNN training steps: SHA-256 of every parameter's
 * float32 bytes after `steps` Adam steps on seeded synthetic images (most
 * pixels zero, as in MNIST), then of the logits on one more batch. Two runs
 * give the same digest only when every float of every step is the same, so a
 * digest recorded from one version of the kernels pins the next version to
 * bit-identical results.
 */
import { createHash } from "node:crypto";
import { Rng } from "../../src/core/rng.js";
import { CnnLearner, cnnConfigSchema } from "../../src/learners/cnn.js";
import type { TaskShape } from "../../src/tasks/task.js";

export interface DigestCase {
  label: string;
  image: { height: number; width: number; channels: number };
  /** Pixel range of the non-zero pixels, and the fraction of pixels that are zero. */
  range: [number, number];
  zeros: number;
  layers: unknown[];
  batch: number;
  /** Batches of `batch` samples, then one of `lastBatch` (smaller: the partial last batch of an epoch). */
  steps: number;
  lastBatch: number;
}

export const digestCases: DigestCase[] = [
  {
    label: "the benchmark network (8c5-p2-16c5-p2-fc10, ReLU)",
    image: { height: 28, width: 28, channels: 1 },
    range: [0, 1],
    zeros: 0.8,
    layers: [
      { type: "conv", filters: 8, kernel: 5, activation: "relu" },
      { type: "maxpool", size: 2 },
      { type: "conv", filters: 16, kernel: 5, activation: "relu" },
      { type: "maxpool", size: 2 },
      { type: "dense", units: 10 },
    ],
    batch: 32,
    steps: 6,
    lastBatch: 13,
  },
  {
    label: "padding, stride 2, tanh, 12 filters, average pooling",
    image: { height: 12, width: 12, channels: 2 },
    range: [-1, 1],
    zeros: 0.9,
    layers: [
      { type: "conv", filters: 8, kernel: 3, padding: 1, activation: "relu" },
      { type: "maxpool", size: 2 },
      { type: "conv", filters: 12, kernel: 3, stride: 2, padding: 1, activation: "tanh" },
      { type: "avgpool", size: 2, stride: 1 },
      { type: "flatten" },
      { type: "dense", units: 10 },
    ],
    batch: 8,
    steps: 5,
    lastBatch: 3,
  },
  {
    label: "3 channels, overlapping max pooling, a linear convolution, two dense layers",
    image: { height: 11, width: 11, channels: 3 },
    range: [-1, 1],
    zeros: 0.5,
    layers: [
      { type: "conv", filters: 4, kernel: 3, activation: "relu" },
      { type: "maxpool", size: 3, stride: 2 },
      { type: "conv", filters: 16, kernel: 2, activation: "linear" },
      { type: "dense", units: 16, activation: "relu" },
      { type: "dense", units: 10 },
    ],
    batch: 16,
    steps: 5,
    lastBatch: 7,
  },
];

/** Seeded images: a fraction `zeros` of the pixels zero, the rest uniform in `range`; labels uniform over 10 classes. */
function synthetic(c: DigestCase, count: number, rng: Rng): { x: Float32Array; y: Int32Array } {
  const n = c.image.height * c.image.width * c.image.channels;
  const x = new Float32Array(count * n);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform(0, 1) < c.zeros ? 0 : rng.uniform(c.range[0], c.range[1]);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) y[i] = Math.min(9, Math.floor(rng.uniform(0, 10)));
  return { x, y };
}

/** The digest of `c` trained with the learner options in `extra` (e.g. `{ kernels: "relaxed-simd" }`). */
export function cnnDigest(c: DigestCase, extra: Record<string, unknown> = {}): string {
  const n = c.image.height * c.image.width * c.image.channels;
  const shape: TaskShape = { inputSize: n, classes: 10, image: c.image, featureRange: { min: c.range[0], max: 1 } };
  const config = cnnConfigSchema.parse({
    type: "cnn",
    // Named, not left to the default initialiser, so that the digests pin the kernels' arithmetic only.
    init: "he-uniform",
    layers: c.layers,
    optimizer: { type: "adam", learningRate: 0.01 },
    batchSize: c.batch,
    ...extra,
  });
  const learner = new CnnLearner(config, shape, Rng.fromSeed(5).fork(c.label));
  const data = synthetic(c, c.steps * c.batch + c.lastBatch + c.batch, Rng.fromSeed(6).fork(c.label));
  const hash = createHash("sha256");
  let start = 0;
  for (let s = 0; s <= c.steps; s++) {
    const b = s < c.steps ? c.batch : c.lastBatch;
    const r = learner.trainBatch(data.x.subarray(start * n, (start + b) * n), data.y.subarray(start, start + b), b);
    hash.update(Float64Array.of(r.loss, r.correct));
    start += b;
  }
  for (const p of learner.params()) hash.update(p.value);
  const logits = learner.net.forward(data.x.subarray(start * n, (start + c.batch) * n), c.batch, false);
  hash.update(logits.subarray(0, c.batch * 10));
  return hash.digest("hex");
}
