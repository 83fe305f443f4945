/**
 * Processes that run alongside a learner's training without being part of
 * it: pruning and growth schedules today. The runner asks every factory in
 * the list it is given (`RunOptions.hooks`, by default `defaultHookFactories`
 * in run.ts) for hooks when it builds a learner; a factory returns null
 * when the learner's config does not ask for it. Hooks see training only
 * through these calls, so a learner never knows it is being pruned.
 */
import type { Rng } from "../core/rng.js";
import type { Learner } from "../learners/learner.js";
import type { LearnerConfig } from "../learners/registry.js";
import type { Task } from "../tasks/task.js";

/** Calls a process running beside a learner's training receives (a pruning schedule, for example). */
export interface TrainingHooks {
  /** After each training batch; `samplesSeen` counts training samples since the learner was built. */
  afterBatch?(samplesSeen: number): void;
  /**
   * After an epoch's training, before its test evaluation; returns metrics for
   * metrics.csv (for example synapseCount, prunedCount).
   */
  endOfEpoch?(epoch: number): Record<string, number>;
  /** After the epoch's test evaluation, with its test accuracy; returns more metrics for the same epoch. */
  afterTest?(epoch: number, testAccuracy: number): Record<string, number>;
}

/** What a {@link HookFactory} is told about the learner it may attach hooks to. */
export interface HookContext {
  config: LearnerConfig;
  learner: Learner;
  task: Task;
  /** Epochs of training in all (over every phase of a continual-learning sequence). */
  epochs: number;
  /** Training samples the learner will see in all (each phase trains only on its own classes). */
  trainSamples: number;
  /** The learner's own stream, forked by the hook's label. */
  rng: Rng;
}

/** Returns hooks for a learner, or null when the learner's config does not ask for them. */
export type HookFactory = (ctx: HookContext) => TrainingHooks | null;
