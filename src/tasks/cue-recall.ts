/**
 * Cue recall: a synthetic memory task whose answer depends only on the first
 * input. Each sample is a sequence of `steps` steps of `classes + 1` features:
 *
 *   step 0:             a one-hot cue among `classes` channels (the label)
 *   steps 1..steps-2:   distractors, every cue channel uniform in [0, noise)
 *   step steps-1:       the query: channel `classes` set to 1, cue channels 0
 *
 * The label must be carried across `steps - 2` noisy steps. A simple RNN loses
 * it as the stretch grows (vanishing gradients); gated cells keep it. Classes
 * are balanced (sample i has label i mod classes).
 */
import { z } from "zod";
import type { Rng } from "../core/rng.js";
import type { Dataset, Task } from "./task.js";

export const cueRecallConfigSchema = z.strictObject({
  type: z.literal("cue-recall"),
  steps: z.int().min(3).max(1000).default(20).describe("sequence length, cue and query included"),
  classes: z.int().min(2).max(64).default(4).describe("number of distinct cues (and answers)"),
  noise: z.number().min(0).max(10).default(1).describe("distractor amplitude: uniform in [0, noise)"),
  trainSize: z.int().min(4).max(1_000_000).default(2000),
  testSize: z.int().min(4).max(1_000_000).default(500),
});
export type CueRecallConfig = z.infer<typeof cueRecallConfigSchema>;

function makeCueRecall(c: CueRecallConfig, count: number, rng: Rng): Dataset {
  const k = c.classes;
  const f = k + 1;
  const per = c.steps * f;
  const x = new Float32Array(count * per);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % k;
    const o = i * per;
    x[o + label] = 1;
    for (let t = 1; t < c.steps - 1; t++) {
      for (let j = 0; j < k; j++) x[o + t * f + j] = c.noise * rng.next();
    }
    x[o + (c.steps - 1) * f + k] = 1;
    y[i] = label;
  }
  return { x, y, count };
}

export function cueRecallTask(c: CueRecallConfig, rng: Rng): Task {
  const features = c.classes + 1;
  return {
    name: "cue-recall",
    description: `recall a one-hot cue (${c.classes} classes) seen at step 1 of ${c.steps}, through noise of amplitude ${c.noise}`,
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
