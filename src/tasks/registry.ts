/**
 * Every task a scenario can name: its config schema and its constructor.
 * The task's data depend only on the task config and the RNG handed in (the
 * runner forks it by the label "task"), so all learners of a scenario share them.
 */
import { z } from "zod";
import type { Rng } from "../core/rng.js";
import { fashionMnistConfigSchema, fashionMnistTask } from "./fashion-mnist.js";
import { idxConfigSchema, idxFilesTask } from "./idx.js";
import { cueRecallConfigSchema, cueRecallTask } from "./cue-recall.js";
import { mnistConfigSchema, mnistTask } from "./mnist.js";
import { moonsTask } from "./moons.js";
import { mnistRowsConfigSchema, mnistRowsTask } from "./row-digits.js";
import type { Task } from "./task.js";
import { xorTask } from "./xor.js";

const size = (d: number) => z.int().min(4).max(1_000_000).default(d);

export const xorConfigSchema = z.strictObject({
  type: z.literal("xor"),
  trainSize: size(400),
  testSize: size(200),
  noise: z.number().min(0).max(1).default(0.1).describe("Gaussian jitter σ around each corner"),
});

export const moonsConfigSchema = z.strictObject({
  type: z.literal("moons"),
  trainSize: size(1000),
  testSize: size(500),
  noise: z.number().min(0).max(2).default(0.1).describe("Gaussian noise σ on each coordinate"),
});

export const taskConfigSchema = z.discriminatedUnion("type", [
  xorConfigSchema,
  moonsConfigSchema,
  mnistConfigSchema,
  mnistRowsConfigSchema,
  cueRecallConfigSchema,
  idxConfigSchema,
  fashionMnistConfigSchema,
]);
/** A task config after validation, every default filled in (see {@link TaskConfigInput} for what may be left out). */
export type TaskConfig = z.infer<typeof taskConfigSchema>;

/** The number of classes a task config gives, when the config alone says (idx files without `classes`: unknown until read). */
export function taskClassCount(config: TaskConfig): number | undefined {
  switch (config.type) {
    case "xor":
    case "moons":
      return 2;
    case "mnist":
    case "mnist-rows":
    case "fashion-mnist":
      return 10;
    case "cue-recall":
      return config.classes;
    case "idx":
      return config.classes;
  }
}

export function createTask(config: TaskConfig, rng: Rng): Task {
  switch (config.type) {
    case "xor":
      return xorTask(config, rng);
    case "moons":
      return moonsTask(config, rng);
    case "mnist":
      return mnistTask(config, rng);
    case "mnist-rows":
      return mnistRowsTask(config, rng);
    case "cue-recall":
      return cueRecallTask(config, rng);
    case "idx":
      return idxFilesTask(config, rng);
    case "fashion-mnist":
      return fashionMnistTask(config, rng);
  }
}
