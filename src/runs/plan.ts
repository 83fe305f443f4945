/**
 * The units of a run: a learning scenario has one unit per (learner or sweep
 * point, seed), a network scenario one per seed, a routing scenario one per
 * (strategy or sweep point, seed). Each unit draws only from its
 * own labelled random streams, so units can run in any order, in any process,
 * and the results are assembled in the order this plan fixes: seeds in the
 * order given, and within a seed the learners in scenario order (sweep points
 * in grid order). Each unit's files live under units/<learner>/<seed>/
 * (units/network/<seed>/ for a network scenario), names through fileComponent.
 */
import { createHash } from "node:crypto";
import { UserError } from "../core/errors.js";
import { fileComponent } from "../core/paths.js";
import type { LearnerConfig } from "../learners/registry.js";
import type { RoutingStrategyConfig } from "../learners/routing/strategy.js";
import type { NetworkScenario } from "../scenario/network-schema.js";
import { routingStrategies, type RoutingScenario, type RoutingSettings } from "../scenario/routing-schema.js";
import type { Scenario } from "../scenario/schema.js";
import { expandSweep, type LearnerInfo } from "../scenario/sweep.js";

export interface LearningUnit {
  kind: "learning";
  /** Position in the plan (the assembly order). */
  index: number;
  learner: LearnerInfo;
  config: LearnerConfig;
  seed: number;
  /** The first seed's units also record weight histograms, receptive fields and firing rates. */
  first: boolean;
  /** Folder of the unit's files, relative to the results folder. */
  path: string[];
}

export interface NetworkUnit {
  kind: "network";
  index: number;
  seed: number;
  /** The first seed's unit also records spikes, state traces and final weights. */
  first: boolean;
  path: string[];
}

export interface RoutingUnit {
  kind: "routing";
  index: number;
  /** The strategy (or sweep point) as results name it. */
  strategy: LearnerInfo;
  config: RoutingStrategyConfig;
  /** The settings of the unit's sweep point. */
  settings: RoutingSettings;
  seed: number;
  first: boolean;
  path: string[];
}

export type Unit = LearningUnit | NetworkUnit | RoutingUnit;

/** The name a unit goes by in messages: "mlp seed 3", "network seed 0", "decreasing seed 2". */
export function unitLabel(u: Unit): string {
  const name = u.kind === "learning" ? u.learner.name : u.kind === "routing" ? u.strategy.name : "network";
  return `${name} seed ${u.seed}`;
}

export function planLearningUnits(scenario: Scenario, seeds: readonly number[]): LearningUnit[] {
  const expanded = expandSweep(scenario.learners, scenario.sweep);
  if (expanded.problems.length > 0)
    throw new UserError("E_SCENARIO_INVALID", `sweep: ${expanded.problems[0]!.message.replace("|", ", found ")}`);
  const units: LearningUnit[] = [];
  seeds.forEach((seed, s) => {
    for (const { config, info } of expanded.learners) {
      units.push({
        kind: "learning",
        index: units.length,
        learner: info,
        config,
        seed,
        first: s === 0,
        path: ["units", fileComponent(info.name), fileComponent(String(seed))],
      });
    }
  });
  return units;
}

export function planNetworkUnits(seeds: readonly number[]): NetworkUnit[] {
  return seeds.map((seed, i) => ({
    kind: "network",
    index: i,
    seed,
    first: i === 0,
    path: ["units", "network", fileComponent(String(seed))],
  }));
}

/** A routing scenario's units: seeds outer, then sweep points and strategies in scenario order. */
export function planRoutingUnits(scenario: RoutingScenario, seeds: readonly number[]): RoutingUnit[] {
  const strategies = routingStrategies(scenario);
  const units: RoutingUnit[] = [];
  seeds.forEach((seed, s) => {
    for (const { info, config, settings } of strategies) {
      units.push({
        kind: "routing",
        index: units.length,
        strategy: info,
        config,
        settings,
        seed,
        first: s === 0,
        path: ["units", fileComponent(info.name), fileComponent(String(seed))],
      });
    }
  });
  return units;
}

/** JSON with object keys sorted, so equal scenarios give equal text whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (typeof v === "object" && v !== null) {
    const entries = Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/**
 * What a results folder belongs to: SHA-256 of the resolved scenario (defaults
 * filled in), the seeds run and the package version. A folder resumes only
 * with the same hash.
 */
export function scenarioHash(
  scenario: Scenario | NetworkScenario | RoutingScenario,
  seeds: readonly number[],
  packageVersion: string,
): string {
  return createHash("sha256").update(canonicalJson({ scenario, seeds, packageVersion })).digest("hex");
}
