/**
 * A trained learner brought back from a results folder, for export: the
 * unit is built exactly as a run builds it (learning-unit.ts), then its last
 * checkpoint (state.bin for a finished unit, checkpoint.bin for one still
 * running or stopped) is written into it, as a resumed run does. The unit is
 * named by learner and seed; when the folder holds one learner or one seed
 * they may be left out.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "../core/errors.js";
import { decodeSnapshot, restoreState } from "../core/snapshot.js";
import type { Learner } from "../learners/learner.js";
import type { Scenario } from "../scenario/schema.js";
import type { HookFactory } from "./hooks.js";
import { buildLearningUnit, TaskCache } from "./learning-unit.js";
import { planLearningUnits, type LearningUnit } from "./plan.js";
import { defaultHookFactories } from "./run.js";
import { ResultsStore } from "./store.js";

export interface CheckpointChoice {
  /** The learner's name in the results (default: the only one). */
  learner?: string;
  /** The seed (default: the run's first). */
  seed?: number;
}

/**
 * The results folder and unit a checkpoint file (`units/<learner>/<seed>/state.bin` or
 * `checkpoint.bin`) belongs to, or null when `path` is not inside a results folder's units.
 */
export function checkpointLocation(path: string): { dir: string; unitFolder: string } | null {
  const file = resolve(path);
  if (!["state.bin", "checkpoint.bin"].includes(basename(file))) return null;
  const unitFolder = dirname(file);
  let dir = unitFolder;
  for (let up = 0; up < 8; up++) {
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
    if (existsSync(join(dir, "manifest.json"))) return { dir, unitFolder };
  }
  return null;
}

/**
 * The learner of one unit of the results folder `dir`, as its last checkpoint left it; `unitFolder`
 * (a checkpoint's folder) names the unit instead of `choice`.
 */
export function learnerFromResults(
  dir: string,
  choice: CheckpointChoice & { unitFolder?: string } = {},
  hooks: readonly HookFactory[] = defaultHookFactories,
): { learner: Learner; unit: LearningUnit; scenario: Scenario } {
  const store = ResultsStore.openExisting(dir);
  if (store === null) {
    throw new UserError("E_RESULTS_INVALID", `${dir}: no manifest.json: not a results folder written by \`run\``);
  }
  const m = store.manifest;
  if (m.kind !== "learning") {
    throw new UserError(
      "E_RESULTS_INVALID",
      `${dir} holds a network scenario's results, which keep no learner; export the network scenario file itself`,
    );
  }
  const scenario = m.scenario as Scenario;
  const units = planLearningUnits(scenario, m.seeds);
  if (choice.unitFolder !== undefined) {
    const u = units.find((x) => store.unitFolder(x) === resolve(choice.unitFolder!));
    if (u === undefined) throw new UserError("E_RESULTS_INVALID", `${choice.unitFolder}: not a unit of ${dir}`);
    choice = { learner: u.learner.name, seed: u.seed };
  }
  const names = [...new Set(units.map((u) => u.learner.name))];
  const name = choice.learner ?? (names.length === 1 ? names[0]! : undefined);
  if (name === undefined || !names.includes(name)) {
    throw new UserError(
      "E_OPTION_INVALID",
      `${dir}: ${choice.learner === undefined ? "several learners" : `no learner "${choice.learner}"`}; name one with --learner (${names.join(", ")})`,
    );
  }
  const seed = choice.seed ?? m.seeds[0]!;
  const unit = units.find((u) => u.learner.name === name && u.seed === seed);
  if (unit === undefined) {
    throw new UserError("E_OPTION_INVALID", `${dir}: no seed ${seed} (the run has ${m.seeds.join(", ")})`);
  }
  const checkpoint = store.readCheckpoint(unit);
  if (checkpoint === null) {
    throw new UserError(
      "E_RESULTS_INVALID",
      `${dir}: ${name} seed ${seed} has no checkpoint yet (it has not finished an epoch); run the scenario first`,
    );
  }
  const built = buildLearningUnit(scenario, unit, hooks, new TaskCache());
  // The same object graph a unit checkpoints (learning-unit.ts): learner, hooks, epoch-order stream, progress.
  const state = {
    learner: built.learner,
    hooks: built.hooks,
    orderRng: built.rng.fork("order"),
    progress: { epoch: 0, samplesSeen: 0, curve: [], justAfter: [], rows: [], weightHistograms: [], divergedEpoch: 0 },
  };
  restoreState(state, decodeSnapshot(checkpoint).snap);
  return { learner: built.learner, unit, scenario };
}
