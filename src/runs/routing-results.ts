/**
 * The summary of a routing run (summary.json): each strategy's final figures
 * (the last interval) as mean, standard deviation and 95% CI over seeds, and
 * every pair of strategies at the same sweep point compared on the headline
 * routing measures with Welch's t-test, the p-values corrected for the many
 * comparisons by Holm's step-down method (Holm 1979).
 */
import { confidenceInterval, effectSize, holmAdjust, welchTTest } from "../metrics/stats.js";
import {
  finalValues,
  type Comparison,
  type Environment,
  type FinalFigure,
  type LearnerSummary,
  type MetricRow,
} from "./results.js";
import type { RoutingScenario } from "../scenario/routing-schema.js";
import type { RoutingRunResult } from "./run-routing.js";

/** A pairwise comparison with its Holm-adjusted p-value. */
export interface RoutingComparison extends Comparison {
  /** p corrected over every comparison of the run (Holm 1979). */
  pHolm: number;
}

/** What a routing run's summary.json holds: per-strategy figures with 95% intervals and the Holm-corrected comparisons. */
export interface RoutingSummary {
  kind: "routing";
  scenario: RoutingScenario;
  packageVersion: string;
  seeds: number[];
  /** One per strategy (and sweep point), `epochs` being the intervals. */
  strategies: LearnerSummary[];
  comparisons: RoutingComparison[];
  environment?: Environment;
}

/** Measures compared pairwise: efficiency, then robustness (the damage measures follow in scenario order). */
export function routingHeadlineMetrics(scenario: RoutingScenario): string[] {
  const f = scenario.evaluation.damageFractions;
  return [
    "meanPathLength",
    "routableFraction",
    "alternativePaths",
    ...f.map((x) => `routableAfterEdgeLoss[${x}]`),
    ...f.map((x) => `routableAfterNodeLoss[${x}]`),
  ];
}

function sweepKey(params: Record<string, string | number | boolean>): string {
  return JSON.stringify(Object.entries(params));
}

export function summarizeRouting(
  result: Pick<RoutingRunResult, "scenario" | "seeds" | "strategies" | "rows">,
  packageVersion: string,
  environment?: Environment,
): RoutingSummary {
  const rows: readonly MetricRow[] = result.rows;
  const finals = result.strategies.map((s) => finalValues(rows, s.name, []));
  const strategies: LearnerSummary[] = result.strategies.map((s, i) => {
    const { epochs, byMetric } = finals[i]!;
    const final: Record<string, FinalFigure> = {};
    for (const [metric, bySeed] of [...byMetric.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const values = [...bySeed.values()];
      final[metric] = { ...confidenceInterval(values.filter(Number.isFinite)), seeds: values.length };
    }
    return { ...s, epochs, diverged: [], final };
  });
  const raw: Comparison[] = [];
  const metrics = routingHeadlineMetrics(result.scenario);
  for (let i = 0; i < result.strategies.length; i++) {
    for (let j = i + 1; j < result.strategies.length; j++) {
      const a = result.strategies[i]!;
      const b = result.strategies[j]!;
      if (sweepKey(a.params) !== sweepKey(b.params)) continue;
      for (const metric of metrics) {
        const va = finals[i]!.byMetric.get(metric);
        const vb = finals[j]!.byMetric.get(metric);
        if (va === undefined || vb === undefined) continue;
        const fa = [...va.values()].filter(Number.isFinite);
        const fb = [...vb.values()].filter(Number.isFinite);
        const welch = welchTTest(fa, fb);
        const effect = effectSize(fa, fb);
        const reason = welch.reason ?? effect.reason;
        raw.push({
          a: a.name,
          b: b.name,
          metric,
          ...welch,
          cohenD: effect.cohenD,
          hedgesG: effect.hedgesG,
          ...(reason === undefined ? {} : { reason }),
        });
      }
    }
  }
  const adjusted = holmAdjust(raw.map((c) => c.p));
  return {
    kind: "routing",
    scenario: result.scenario,
    packageVersion,
    seeds: result.seeds,
    strategies,
    comparisons: raw.map((c, k) => ({ ...c, pHolm: adjusted[k]! })),
    ...(environment === undefined ? {} : { environment }),
  };
}
