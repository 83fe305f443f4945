/**
 * Every learner type a scenario can name: its config schema (validated at the
 * boundary) and its constructor. Add a learner by adding one schema to the
 * union and one case to `createLearner`.
 */
import { z } from "zod";
import type { Rng } from "../core/rng.js";
import type { TaskShape } from "../tasks/task.js";
import type { Learner } from "./learner.js";
import { MlpLearner, mlpConfigSchema } from "./mlp.js";

export const learnerConfigSchema = z.discriminatedUnion("type", [
  mlpConfigSchema,
]);
export type LearnerConfig = z.infer<typeof learnerConfigSchema>;

/** One-line descriptions for `neurocompare list --learners` and the README. */
export const learnerDescriptions: Record<LearnerConfig["type"], string> = {
  mlp: "multilayer perceptron: dense layers, backpropagation, mini-batch SGD/Adam",
};

export function createLearner(config: LearnerConfig, shape: TaskShape, rng: Rng): Learner {
  switch (config.type) {
    case "mlp":
      return new MlpLearner(config, shape, rng);
  }
}
