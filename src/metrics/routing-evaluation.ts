/**
 * How well a finished routing network serves test pairs drawn from the task's
 * distribution (Navlakha, Barth & Bar-Joseph 2015):
 *
 *   meanPathLength       efficiency: mean shortest-path length (hops) over
 *                        the test pairs that have a path (lower is better);
 *   routableFraction     test pairs with a path at all;
 *   harmonicEfficiency   mean of 1/d over all test pairs, 0 for an unroutable
 *                        one (Latora & Marchiori 2001): efficiency that counts
 *                        the unroutable pairs instead of leaving them out;
 *   alternativePaths     the paper's robustness, short alternative paths:
 *                        edge-disjoint paths of at most d + slack hops per test
 *                        pair (d its shortest), greedy (routes.ts), mean over
 *                        the test pairs (0 for an unroutable pair);
 *   routableAfterEdgeLoss[f], routableAfterNodeLoss[f]
 *                        fraction of the test pairs still routable after
 *                        removing the fraction f of the edges, or of the nodes
 *                        (a pair that lost an endpoint is unroutable), at
 *                        random, mean over trials (graph.ts `robustness`).
 */
import type { Rng } from "../core/rng.js";
import type { PairList } from "../tasks/routing.js";
import { robustness, routingStats, type ConnectivityGraph } from "./graph.js";
import { RouteFinder } from "./routes.js";

/** What {@link evaluateRouting} measures beyond efficiency. */
export interface RoutingEvaluationOptions {
  /** Hops an alternative path may exceed the pair's shortest path by. */
  alternativeSlackHops: number;
  /** Fractions of edges, and of nodes, removed at random. */
  damageFractions: readonly number[];
  /** Random damage patterns averaged per fraction. */
  damageTrials: number;
}

/** Test-pair figures of a routing network, keyed by metric name. */
export function evaluateRouting(
  g: ConnectivityGraph,
  pairs: PairList,
  options: RoutingEvaluationOptions,
  rng: Rng,
): Record<string, number> {
  const r = routingStats(g, pairs);
  const finder = new RouteFinder(g);
  let alternatives = 0;
  for (let k = 0; k < pairs.count; k++) {
    const s = pairs.source[k]!;
    const t = pairs.target[k]!;
    const d = finder.distance(s, t);
    if (d > 0) alternatives += finder.disjointPaths(s, t, d + options.alternativeSlackHops);
  }
  const out: Record<string, number> = {
    meanPathLength: r.meanPathLength,
    routableFraction: r.connectedFraction,
    harmonicEfficiency: r.efficiency,
    alternativePaths: pairs.count === 0 ? NaN : alternatives / pairs.count,
  };
  if (options.damageFractions.length > 0) {
    const common = { fractions: options.damageFractions, trials: options.damageTrials, pairs };
    const edges = robustness(g, { ...common, remove: "synapses", rng: rng.fork("edges") });
    const nodes = robustness(g, { ...common, remove: "neurons", rng: rng.fork("nodes") });
    for (const p of edges) out[`routableAfterEdgeLoss[${p.fraction}]`] = p.connectedFraction;
    for (const p of nodes) out[`routableAfterNodeLoss[${p.fraction}]`] = p.connectedFraction;
  }
  return out;
}
