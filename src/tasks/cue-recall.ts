/**
 * Cue recall: a synthetic memory task whose answer depends only on the first
 * input. Each sample is a sequence of `steps` steps of `classes + 2` features
 * (channels 0..K-1 carry symbols, K flags the cue, K+1 flags the query):
 *
 *   step 0:             the cue: one-hot symbol (the label) and the cue flag
 *   steps 1..steps-2:   distractors: a random one-hot symbol of amplitude
 *                       `noise`, the same channels as the cue but no flag
 *   step steps-1:       the query flag alone
 *
 * The answer is the symbol seen with the cue flag, carried across `steps - 2`
 * distractors that look like cues. A gated cell can open its input only at the
 * flag; a simple RNN adds every distractor into the same state, and its
 * gradients vanish over the delay. Classes are balanced (label i mod classes).
 */
import { z } from "zod";
import type { Rng } from "../core/rng.js";
import type { Dataset, Task } from "./task.js";

export const cueRecallConfigSchema = z.strictObject({
  type: z.literal("cue-recall"),
  steps: z.int().min(3).max(1000).default(20).describe("sequence length, cue and query included"),
  classes: z.int().min(2).max(64).default(4).describe("number of distinct cues (and answers)"),
  noise: z.number().min(0).max(10).default(1).describe("amplitude of the distractor symbols"),
  trainSize: z.int().min(4).max(1_000_000).default(2000),
  testSize: z.int().min(4).max(1_000_000).default(500),
});
export type CueRecallConfig = z.infer<typeof cueRecallConfigSchema>;

function makeCueRecall(c: CueRecallConfig, count: number, rng: Rng): Dataset {
  const k = c.classes;
  const f = k + 2;
  const per = c.steps * f;
  const x = new Float32Array(count * per);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % k;
    const o = i * per;
    x[o + label] = 1;
    x[o + k] = 1;
    for (let t = 1; t < c.steps - 1; t++) x[o + t * f + rng.int(k)] = c.noise;
    x[o + (c.steps - 1) * f + k + 1] = 1;
    y[i] = label;
  }
  return { x, y, count };
}

export function cueRecallTask(c: CueRecallConfig, rng: Rng): Task {
  const features = c.classes + 2;
  return {
    name: "cue-recall",
    description: `recall a flagged one-hot cue (${c.classes} symbols) seen at step 1 of ${c.steps}, through ${c.steps - 2} look-alike distractors`,
    shape: {
      inputSize: c.steps * features,
      classes: c.classes,
      sequence: { steps: c.steps, features },
      featureRange: { min: 0, max: Math.max(1, c.noise) },
    },
    train: makeCueRecall(c, c.trainSize, rng.fork("train")),
    test: makeCueRecall(c, c.testSize, rng.fork("test")),
  };
}
