/**
 * Runs the units of a routing scenario (scenario/routing-schema.ts; units in
 * plan.ts, one per sweep point, strategy and seed). A unit builds its
 * strategy, routes the training pairs interval by interval (the strategy
 * prunes or grows after each), then measures the finished network on the
 * test pairs (metrics/routing-evaluation.ts). Pure: returns the tidy rows.
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
import { createRoutingStrategy } from "../learners/routing/create.js";
import { evaluateRouting } from "../metrics/routing-evaluation.js";
import type { RoutingScenario } from "../scenario/routing-schema.js";
import type { LearnerInfo } from "../scenario/sweep.js";
import { routingTask } from "../tasks/routing.js";
import { possibleEdges } from "../tasks/routing-networks.js";
import type { EpochRecord } from "./learning-unit.js";
import { planRoutingUnits, type RoutingUnit } from "./plan.js";
import type { MetricRow } from "./results.js";

/** Runs one unit; returns its rows in interval order. `onInterval` hears of each finished interval. */
export function runRoutingUnit(unit: RoutingUnit, onInterval?: (record: EpochRecord) => void): MetricRow[] {
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
    push(i + 1, metrics);
    onInterval?.({ learner: name, type: unit.strategy.type, seed, epoch: i + 1, epochs: T, metrics });
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

/** The run's tables from finished units' rows, in plan order (units missing from `rows` are left out). */
export function assembleRouting(
  scenario: RoutingScenario,
  seeds: readonly number[],
  units: readonly RoutingUnit[],
  rows: readonly (readonly MetricRow[])[],
): RoutingRunResult {
  return {
    scenario,
    seeds: [...seeds],
    strategies: units.filter((u) => u.first).map((u) => u.strategy),
    rows: rows.flat(),
  };
}

/**
 * Runs every unit of a routing scenario in plan order, in memory (no files):
 * what `run()` does unit by unit on every core, for code and tests that want
 * the numbers alone.
 */
export function runRoutingScenario(
  scenario: RoutingScenario,
  options: { seeds?: number[]; onInterval?: (record: EpochRecord) => void } = {},
): RoutingRunResult {
  const seeds = options.seeds ?? scenario.seeds;
  const units = planRoutingUnits(scenario, seeds);
  return assembleRouting(
    scenario,
    seeds,
    units,
    units.map((u) => runRoutingUnit(u, options.onInterval)),
  );
}
