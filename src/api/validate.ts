/**
 * Validation at the public API's boundary. Code that calls neurocompare gets
 * the same answers as the command line: a value that does not fit throws a
 * {@link ScenarioError} that lists every problem with its JSON path, what was
 * expected and what was found (and the line, when the input was JSON text),
 * never raw zod output. Inside, the validated values are trusted.
 */
import type { z } from "zod";
import { ScenarioError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import type { Learner } from "../learners/learner.js";
import { createLearner as buildLearner, learnerConfigSchema, type LearnerConfig } from "../learners/registry.js";
import {
  createPlasticity as buildPlasticity,
  plasticityConfigSchema,
  type PlasticityConfig,
} from "../plasticity/index.js";
import type { PlasticPathway, PlasticityRule } from "../plasticity/rule.js";
import { checkAnyScenario, parseAnyScenarioText, type AnyScenario } from "../scenario/load.js";
import { zodIssuesToIssues } from "../scenario/zod-issues.js";
import { createTask as buildTask, taskConfigSchema, type TaskConfig } from "../tasks/registry.js";
import type { Task, TaskShape } from "../tasks/task.js";

/** A learner config as written in a scenario's `learners` list: every field with a default may be left out. */
export type LearnerConfigInput = z.input<typeof learnerConfigSchema>;
/** A plasticity config as written in a network scenario's synapses (`plasticity`): defaults may be left out. */
export type PlasticityConfigInput = z.input<typeof plasticityConfigSchema>;
/** A task config as written in a scenario's `task`: every field with a default may be left out. */
export type TaskConfigInput = z.input<typeof taskConfigSchema>;

/**
 * Checks a scenario of either kind and fills in its defaults.
 *
 * @param json - the scenario: a parsed value (an object), or JSON text, in
 *   which case the problems also carry line numbers.
 * @param fileName - names the source in messages (default `"scenario"`).
 * @returns the scenario with every default applied, tagged with its kind
 *   (`"learning"` or `"network"`).
 * @throws {@link ScenarioError} (code `E_SCENARIO_INVALID`, or
 *   `E_JSON_SYNTAX` for text that is not JSON) listing every problem.
 *
 * @example
 * ```ts
 * const { kind, scenario } = validateScenario({
 *   name: "xor-mlp",
 *   task: { type: "xor" },
 *   learners: [{ type: "mlp", hidden: [8] }],
 *   epochs: 20,
 * });
 * ```
 */
export function validateScenario(json: unknown, fileName = "scenario"): AnyScenario {
  return typeof json === "string" ? parseAnyScenarioText(json, fileName) : checkAnyScenario(json, fileName);
}

function check<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const issues = zodIssuesToIssues(r.error.issues, input, "", schema).map(
      ({ line: _l, column: _c, ...rest }) => rest,
    );
    throw new ScenarioError(what, issues);
  }
  return r.data;
}

/**
 * Builds a learner (an artificial or spiking network behind the
 * {@link Learner} interface) from a config as a scenario's `learners` list
 * would hold it, after checking it and filling in its defaults.
 *
 * @param config - e.g. `{ type: "mlp", hidden: [32] }`; the `type` picks the
 *   learner (mlp, cnn, rnn, lsm, stdp, surrogate).
 * @param shape - the task's input and class counts ({@link Task}'s `shape`).
 * @param rng - the learner's random stream (fork one per learner).
 * @throws {@link ScenarioError} listing every problem with the config.
 */
export function createLearner(config: LearnerConfigInput | LearnerConfig, shape: TaskShape, rng: Rng): Learner {
  return buildLearner(check(learnerConfigSchema, config, "learner config"), shape, rng);
}

/**
 * Builds a task (training and test data with their shape) from a config as a
 * scenario's `task` would hold it, after checking it and filling in its
 * defaults.
 *
 * @param config - e.g. `{ type: "moons", noise: 0.2 }`.
 * @param rng - the task's random stream: the same stream gives the same data.
 * @throws {@link ScenarioError} listing every problem with the config.
 */
export function createTask(config: TaskConfigInput | TaskConfig, rng: Rng): Task {
  return buildTask(check(taskConfigSchema, config, "task config"), rng);
}

/**
 * Builds a synaptic plasticity rule (pair STDP, triplet STDP or
 * reward-modulated STDP) on one synapse population, after checking its config
 * and filling in its defaults. The rule is a monitor: add it to the
 * {@link Network} (`network.addMonitor(rule)`) and it updates the weights once
 * per step, after that step's spikes were delivered.
 *
 * @param config - e.g. `{ rule: "pair-stdp", wMax: 0.01 }`.
 * @param pathway - the synapses it changes (a {@link Synapses} population fits).
 * @param dtMs - the network's time step, ms.
 * @throws {@link ScenarioError} listing every problem with the config.
 */
export function createPlasticity(
  config: PlasticityConfigInput | PlasticityConfig,
  pathway: PlasticPathway,
  dtMs: number,
): PlasticityRule {
  return buildPlasticity(check(plasticityConfigSchema, config, "plasticity config"), pathway, dtMs);
}
