/**
 * Runs a routing scenario (routing-schema.ts) as units: one per sweep point,
 * strategy and seed. A unit builds its strategy, routes the training pairs
 * interval by interval (the strategy prunes or grows after each), then
 * measures the finished network on the test pairs (metrics/routing-evaluation.ts).
 * Pure apart from the observer: returns the tidy rows.
 *
 * Rows (metrics.csv, with the strategy in the learner column and the
 * interval in the epoch column): interval 0 holds the starting edgeCount;
 * intervals 1..T hold edgeCount, prunedCount, grownCount,
 * trainRoutableFraction, trainPathLength and wallMs; the last interval also
 * holds the test figures and evalMs.
 *
 * Randomness: Rng.fromSeed(seed) is the root; the training pairs of interval
 * i come from fork("train").fork(`interval:${i}`) and the test pairs from
 * fork("test"), the same for every strategy and sweep point; each strategy
 * draws from fork(`strategy:${name}`) (its initial network, route choices,
 * ties) and its damage trials from fork(`evaluation:${name}`), so adding a
 * strategy changes no other's numbers, and the points of a sweep differ by
 * their settings alone.
 */
import { Rng } from "../core/rng.js";
import { UserError } from "../core/errors.js";
import { createRoutingStrategy } from "../learners/routing/create.js";
import { strategyName, type RoutingStrategyConfig } from "../learners/routing/strategy.js";
import { evaluateRouting } from "../metrics/routing-evaluation.js";
import { routingTask } from "../tasks/routing.js";
import { possibleEdges } from "../tasks/routing-networks.js";
import type { MetricRow } from "./results.js";
import { expandRoutingSweep, type RoutingScenario, type RoutingSettings } from "./routing-schema.js";
import type { LearnerInfo } from "./sweep.js";

/** One unit of a routing run: a strategy at a sweep point, with one seed. */
export interface RoutingUnit {
  /** Position in the plan (the order rows are assembled in). */
  index: number;
  strategy: LearnerInfo;
  config: RoutingStrategyConfig;
  settings: RoutingSettings;
  seed: number;
}

/** The label of a strategy at a sweep point: "decreasing", or "decreasing network.initialDensity=0.5". */
function unitName(base: string, params: Record<string, string | number | boolean>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? base : `${base} ${parts.join(" ")}`;
}

/** The strategies as results name them, in plan order (sweep points outer, strategies inner). */
export function routingStrategies(
  scenario: RoutingScenario,
): { info: LearnerInfo; config: RoutingStrategyConfig; settings: RoutingSettings }[] {
  const { points, problems } = expandRoutingSweep(scenario);
  if (problems.length > 0)
    throw new UserError("E_SCENARIO_INVALID", `sweep: ${problems[0]!.message.replace("|", ", found ")}`);
  return points.flatMap((p) =>
    p.strategies.map((config) => {
      const base = strategyName(config);
      return {
        info: { name: unitName(base, p.params), type: config.type, base, params: p.params },
        config,
        settings: p.settings,
      };
    }),
  );
}

/** Every unit: seeds outer, then sweep points and strategies in scenario order. */
export function planRoutingUnits(scenario: RoutingScenario, seeds: readonly number[]): RoutingUnit[] {
  const strategies = routingStrategies(scenario);
  const units: RoutingUnit[] = [];
  for (const seed of seeds)
    for (const s of strategies)
      units.push({ index: units.length, strategy: s.info, config: s.config, settings: s.settings, seed });
  return units;
}

/** Runs one unit; returns its rows in interval order. */
export function runRoutingUnit(unit: RoutingUnit): MetricRow[] {
  const { settings, seed } = unit;
  const name = unit.strategy.name;
  const root = Rng.fromSeed(seed);
  const task = routingTask(settings.task);
  const T = settings.training.intervals;
  const strategy = createRoutingStrategy(unit.config, {
    task,
    intervals: T,
    edgeBudget: settings.network.edgeBudget,
    initialEdges: Math.round(settings.network.initialDensity * possibleEdges(task.nodes)),
    rng: root.fork(`strategy:${unit.strategy.base}`),
  });
  const rows: MetricRow[] = [];
  const push = (epoch: number, metrics: Record<string, number>) => {
    for (const [metric, value] of Object.entries(metrics)) rows.push({ learner: name, seed, epoch, metric, value });
  };
  push(0, { edgeCount: strategy.edgeCount() });
  const train = root.fork("train");
  for (let i = 0; i < T; i++) {
    const pairs = task.drawPairs(settings.training.pairsPerInterval, train.fork(`interval:${i}`));
    const t0 = performance.now();
    const r = strategy.trainInterval(i, pairs);
    const metrics: Record<string, number> = { ...r, wallMs: performance.now() - t0 };
    if (i === T - 1) {
      const t1 = performance.now();
      const test = task.drawPairs(settings.evaluation.testPairs, root.fork("test"));
      Object.assign(
        metrics,
        evaluateRouting(strategy.graph(), test, settings.evaluation, root.fork(`evaluation:${unit.strategy.base}`)),
      );
      metrics["evalMs"] = performance.now() - t1;
    }
    push(i + 1, { ...metrics });
  }
  return rows;
}

/** Everything a routing run produced, in memory. */
export interface RoutingRunResult {
  scenario: RoutingScenario;
  seeds: number[];
  /** Strategies (and sweep points) in plan order. */
  strategies: LearnerInfo[];
  rows: MetricRow[];
}

/** Runs every unit of a routing scenario in plan order; `onUnit` hears of each finished unit. */
export function runRoutingScenario(
  scenario: RoutingScenario,
  options: { seeds?: number[]; onUnit?: (unit: RoutingUnit, rows: readonly MetricRow[], wallMs: number) => void } = {},
): RoutingRunResult {
  const seeds = options.seeds ?? scenario.seeds;
  const units = planRoutingUnits(scenario, seeds);
  const rows: MetricRow[] = [];
  for (const unit of units) {
    const t0 = performance.now();
    const unitRows = runRoutingUnit(unit);
    rows.push(...unitRows);
    options.onUnit?.(unit, unitRows, performance.now() - t0);
  }
  return { scenario, seeds, strategies: routingStrategies(scenario).map((s) => s.info), rows };
}
