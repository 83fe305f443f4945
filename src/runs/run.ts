/**
 * Runs a learning scenario in memory, unit by unit in plan order (plan.ts),
 * and returns the assembled tidy rows. `run()` (src/api/run.ts) is the call
 * that also stores units, checkpoints, resumes, uses every core and writes
 * the files and report; this one is for code and tests that want the numbers
 * alone. Both give the same numbers: they run the same units.
 */
import type { HookFactory } from "./hooks.js";
import { assembleLearning } from "./assemble.js";
import { runLearningUnit, TaskCache, type LearningUnitResult, type RunObserver } from "./learning-unit.js";
import { buildLearningUnit } from "./learning-unit.js";
import { planLearningUnits } from "./plan.js";
import { pruningHooks } from "./pruning-hooks.js";
import type { RunResult } from "./results.js";
import type { Scenario } from "../scenario/schema.js";

export { learnerName } from "../scenario/sweep.js";
export type { EpochRecord, RunObserver } from "./learning-unit.js";

/** The training hooks every run uses unless told otherwise: pruning and growth schedules. */
export const defaultHookFactories: readonly HookFactory[] = [pruningHooks];

/** Options of {@link runScenario}. */
export interface RunOptions {
  /** Seeds to use instead of the scenario's. */
  seeds?: number[];
  observer?: RunObserver;
  /** Hook factories asked for each learner's hooks, in the order their hooks run (default: `defaultHookFactories`). */
  hooks?: readonly HookFactory[];
}

/**
 * Builds every learner of the first seed (and its hooks) without training it,
 * so a config that only fails when built (a pruning criterion the learner
 * lacks, a convolution that does not fit the images) fails before any unit
 * runs or any file is written.
 */
export function preflightLearning(scenario: Scenario, seeds: readonly number[], hooks: readonly HookFactory[]): void {
  const tasks = new TaskCache();
  for (const unit of planLearningUnits(scenario, seeds.slice(0, 1))) buildLearningUnit(scenario, unit, hooks, tasks);
}

/**
 * Trains every learner of a validated learning scenario with every seed, in memory (no files written), and returns
 * the results: write them with {@link writeData} and {@link writeReport}, or use {@link run} for what the CLI does.
 *
 * ```ts
 * const v = validateScenario({ name: "xor", task: { type: "xor" }, learners: [{ type: "mlp" }], epochs: 5 });
 * if (v.kind === "learning") {
 *   const result = runScenario(v.scenario, { seeds: [0, 1] });
 * }
 * ```
 */
export function runScenario(scenario: Scenario, options: RunOptions = {}): RunResult {
  const seeds = options.seeds ?? scenario.seeds;
  const hooks = options.hooks ?? defaultHookFactories;
  preflightLearning(scenario, seeds, hooks);
  const tasks = new TaskCache();
  const results: LearningUnitResult[] = [];
  for (const unit of planLearningUnits(scenario, seeds)) {
    const outcome = runLearningUnit({ scenario, unit, hooks, tasks, observer: options.observer });
    if (outcome.status !== "finished") throw new Error("internal: an in-memory unit stopped");
    results.push(outcome.result);
  }
  return assembleLearning(scenario, seeds, results);
}
