/**
 * The build phase of a run, on its own: what `validate` runs, and what `run`
 * runs before it trains or simulates anything, so the two accept and refuse
 * the same files with the same messages.
 *
 *   bounds (steps, recording sizes) -> memory estimate against the budget
 *   -> build: the task's data, every learner (each sweep point) with its
 *      training hooks, or the network with its monitors
 *   -> a trial of a few steps: one small training batch and evaluation per
 *      learner, or a few simulation steps of the network.
 *
 * Every problem found is an issue with the file, the JSON path and, when the
 * text is given, the line; they are collected and reported together. Errors
 * that are not UserErrors are bugs and pass through untouched.
 */
import { type ErrorCode, type Issue, isUserError, ScenarioError, type UserError } from "../core/errors.js";
import type { Learner } from "../learners/learner.js";
import { buildNetwork } from "../scenario/build-network.js";
import { JsonLocator } from "../scenario/json-locate.js";
import { prepareNirLearners } from "../scenario/nir-learners.js";
import { resolveTaskPaths } from "../scenario/task-paths.js";
import type { AnyScenario } from "../scenario/load.js";
import type { NetworkScenario } from "../scenario/network-schema.js";
import {
  BASELINE_BYTES,
  checkBounds,
  checkEstimate,
  estimateLearning,
  estimateNetwork,
  type MemoryBudget,
  memoryBudget,
  estimateRouting,
  type ResourceEstimate,
} from "../scenario/resources.js";
import type { Scenario } from "../scenario/schema.js";
import { parsePath } from "../scenario/zod-issues.js";
import { readIdxHeader } from "../tasks/idx.js";
import type { Task } from "../tasks/task.js";
import type { HookFactory, TrainingHooks } from "./hooks.js";
import { buildLearningUnit, phasesOf, TaskCache } from "./learning-unit.js";
import { planLearningUnits } from "./plan.js";
import { defaultHookFactories } from "./run.js";
import { checkFinite, MAX_CHART_SPIKES, MAX_TRACE_POINTS } from "./run-network.js";

export interface BuildCheckOptions {
  /** Memory the run may use, in bytes (default: the machine's). */
  maxMemoryBytes?: number;
  /** The file's text, so that issues carry line numbers. */
  text?: string;
  /** Training samples (per learner) or network steps of the trial after building; default 2; 0 builds only. */
  trialSteps?: number;
  /** Training hooks the run uses (default: pruning schedules). */
  hooks?: readonly HookFactory[];
  /** The seed whose units are built (default: the scenario's first). */
  seed?: number;
  /** Units the run holds at once (`--jobs`; default 1). */
  jobs?: number;
}

export interface BuildCheck {
  estimate: ResourceEstimate;
  budget: MemoryBudget;
}

function fail(file: string, issues: Issue[], text: string | undefined, code?: ErrorCode): never {
  const locator = text === undefined ? undefined : new JsonLocator(text);
  const located = issues.map((i) => {
    if (i.line !== undefined || locator === undefined) return i;
    const path = parsePath(i.path);
    const loc = path === undefined ? undefined : locator.locate(path);
    return loc === undefined ? i : { ...i, line: loc.line, column: loc.column };
  });
  throw new ScenarioError(file, located, code);
}

const message = (e: UserError) => e.message.replace(/\n\s*/g, " ");

/** Raw IDX bytes the task's files declare, read from their headers alone (no data is read). */
function declaredDataBytes(task: Scenario["task"]): number | undefined {
  if (task.type !== "idx") return undefined;
  let bytes = 0;
  for (const f of [task.train.imagesPath, task.train.labelsPath, task.test.imagesPath, task.test.labelsPath]) {
    bytes += readIdxHeader(f).totalBytes;
  }
  return bytes;
}

/** What a task's data take in memory: inputs and labels, and for the bundled digits what loading them holds. */
function datasetBytes(config: Scenario["task"], task: Task): number {
  const arrays = task.train.x.byteLength + task.train.y.byteLength + task.test.x.byteLength + task.test.y.byteLength;
  // The mnist package's digits arrive as JSON (ten files, 7.8 million numbers) parsed into arrays before the
  // float32 copy; the whole split stays cached for the thread (the main thread and each worker load their own).
  // 80 MiB: with 55 MiB the bundled MNIST scenarios that run two units on workers came out at 0.67-0.73 of
  // their peak RSS (npm run memory-check).
  const loading = config.type === "mnist" || config.type === "mnist-rows" ? 80 * 1024 * 1024 : 0;
  return arrays + loading;
}

function checkLearning(s: Scenario, file: string, opts: BuildCheckOptions, budget: MemoryBudget): BuildCheck {
  const text = opts.text;
  const bounds = checkBounds({ kind: "learning", scenario: s });
  if (bounds.length > 0) fail(file, bounds, text, "E_RESOURCE_LIMIT");
  const declared = (() => {
    try {
      return declaredDataBytes(s.task);
    } catch (e) {
      if (isUserError(e)) fail(file, [{ path: "$.task", expected: "readable IDX files", found: message(e) }], text);
      throw e;
    }
  })();
  if (declared !== undefined) {
    // Raw bytes and their float32 copy: refused before a byte of data is read when they cannot fit.
    checkEstimate(
      file,
      {
        parts: [
          {
            where: "$",
            what: "Node.js and the libraries",
            bytes: BASELINE_BYTES.main,
            heap: true,
            largestArray: 0,
          },
          { where: "$.task", what: "the IDX data", bytes: 5 * declared, heap: false, largestArray: declared },
        ],
        totalBytes: BASELINE_BYTES.main + 5 * declared,
        heapBytes: BASELINE_BYTES.main,
      },
      budget,
    );
  }
  const seed = opts.seed ?? s.seeds[0]!;
  const tasks = new TaskCache();
  let task: Task;
  try {
    task = tasks.get(s, seed);
  } catch (e) {
    if (isUserError(e)) fail(file, [{ path: "$.task", expected: "a task whose data loads", found: message(e) }], text);
    throw e;
  }
  let phases: ReturnType<typeof phasesOf>;
  try {
    phases = phasesOf(s, task);
  } catch (e) {
    if (isUserError(e)) fail(file, [{ path: "$.continual", expected: "phases with data", found: message(e) }], text);
    throw e;
  }
  const estimate = estimateLearning(
    s,
    {
      shape: task.shape,
      bytes: datasetBytes(s.task, task),
      trainCount: task.train.count,
      testCount: task.test.count,
    },
    opts.jobs ?? 1,
  );
  checkEstimate(file, estimate, budget);

  const indexOf = new Map(s.learners.map((l, i) => [l.name ?? l.type, i] as const));
  const trial = opts.trialSteps ?? 2;
  const issues: Issue[] = [];
  const reported = new Set<number>();
  // The first seed's units, built as the run builds them (the same task, phases, learner and hooks).
  for (const unit of planLearningUnits(s, [seed])) {
    const info = unit.learner;
    const at = indexOf.get(info.base) ?? 0;
    try {
      const built = buildLearningUnit(s, unit, opts.hooks ?? defaultHookFactories, tasks);
      if (trial > 0) trialStep(built.learner, built.hooks, task, phases[0]!.train, trial);
    } catch (e) {
      if (!isUserError(e)) throw e;
      // One issue per learner of the file: its sweep points fail alike.
      if (!reported.has(at)) {
        reported.add(at);
        issues.push({
          path: `$.learners[${at}]`,
          expected: "a learner that can be built for this task",
          found: `${info.name !== info.base ? `(sweep point "${info.name}") ` : ""}${message(e)}`,
        });
      }
    }
  }
  if (issues.length > 0) fail(file, issues, text);
  return { estimate, budget };
}

/** One small training batch and an evaluation: the shapes, kernels and hooks run once on real data. */
function trialStep(
  learner: Learner,
  hooks: readonly TrainingHooks[],
  task: Task,
  train: Task["train"],
  samples: number,
) {
  const inputSize = task.shape.inputSize;
  const n = Math.min(samples, learner.maxBatch, train.count);
  if (n > 0) {
    learner.trainBatch(train.x.subarray(0, n * inputSize), train.y.subarray(0, n), n);
    for (const h of hooks) h.afterBatch?.(n);
  }
  const m = Math.min(samples, task.test.count);
  if (m > 0) learner.evaluate(task.test.x.subarray(0, m * inputSize), task.test.y.subarray(0, m), m);
}

function checkNetwork(s: NetworkScenario, file: string, opts: BuildCheckOptions, budget: MemoryBudget): BuildCheck {
  const text = opts.text;
  const bounds = checkBounds({ kind: "network", scenario: s });
  if (bounds.length > 0) fail(file, bounds, text, "E_RESOURCE_LIMIT");
  const estimate = estimateNetwork(s, {
    chartSpikes: MAX_CHART_SPIKES,
    tracePoints: MAX_TRACE_POINTS,
    jobs: opts.jobs ?? 1,
  });
  checkEstimate(file, estimate, budget);
  try {
    const built = buildNetwork(s, opts.seed ?? s.seeds[0]!, file);
    const steps = Math.min(opts.trialSteps ?? 2, Math.round(s.durationMs / s.dtMs));
    if (steps > 0) {
      built.network.runSteps(steps);
      // A state that is NaN or infinite after the trial is refused here as the run would stop on it.
      checkFinite(built, file, 0, steps, s.dtMs);
      // One more integration, looked at before the reset (this network is a throwaway): a value that overflows
      // and is reset within the step, as with a time constant of 0, shows here and nowhere else.
      for (const g of built.groups) g.integrateAndThreshold(built.network.step);
      checkFinite(built, file, 0, steps + 1, s.dtMs);
    }
  } catch (e) {
    if (e instanceof ScenarioError) fail(file, [...e.issues], text, e.code);
    if (isUserError(e) && e.code === "E_NETWORK_DIVERGED")
      fail(
        file,
        // The file is named once, in the heading.
        [{ path: "$", expected: "a network whose state stays finite", found: message(e).replace(`${file}: `, "") }],
        text,
        e.code,
      );
    if (isUserError(e)) fail(file, [{ path: "$", expected: "a network that can be built", found: message(e) }], text);
    throw e;
  }
  return { estimate, budget };
}

/**
 * What the build phase needs first, for `validate` as for `run`: an `idx`
 * task's files and "nir" learners' files resolved against the scenario file,
 * the latter checked (regular files, under the size limit), and h5wasm
 * started so they can be read when the learners are built. A missing file is
 * an issue at its JSON path, with its line when `text` is given.
 */
export async function prepareScenarioBuild(a: AnyScenario, file: string, text?: string): Promise<AnyScenario> {
  if (a.kind !== "learning") return a;
  try {
    return { kind: "learning", scenario: await prepareNirLearners(resolveTaskPaths(a.scenario, file), file) };
  } catch (e) {
    if (e instanceof ScenarioError) fail(file, [...e.issues], text, e.code);
    throw e;
  }
}

/**
 * Builds everything a run of this scenario would build, checks the resources
 * it would need, and runs a trial of a few steps; throws a ScenarioError (or a
 * UserError for a resource refusal) when `run` would fail before it starts.
 */
export function checkScenarioBuild(a: AnyScenario, file: string, opts: BuildCheckOptions = {}): BuildCheck {
  const budget = memoryBudget(opts.maxMemoryBytes);
  if (a.kind === "routing") {
    // A routing scenario's budgets and sweep are checked by its schema; its strategies are built as they run.
    const estimate = estimateRouting(a.scenario, opts.jobs ?? 1);
    checkEstimate(file, estimate, budget);
    return { estimate, budget };
  }
  return a.kind === "network"
    ? checkNetwork(a.scenario, file, opts, budget)
    : checkLearning(a.scenario, file, opts, budget);
}
