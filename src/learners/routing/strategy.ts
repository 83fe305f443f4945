/**
 * The strategies that build a routing network from a stream of
 * source-target pairs (Navlakha, Barth & Bar-Joseph 2015): pruning an
 * over-connected network by use at a constant, increasing or decreasing rate
 * (prune.ts), growing a spanning tree by shortcuts along common routes
 * (grow.ts), and B random edges with no learning (random.ts).
 *
 * A strategy is not a Learner: a routing network classifies nothing, so it
 * has no accuracy. It sees training as intervals: it routes each interval's
 * pairs along shortest paths (metrics/routes.ts), then changes its edges;
 * after the last interval it is judged on its graph (metrics/graph.ts).
 *
 * Configs are what a routing scenario's `strategies` list says.
 */
import { z } from "zod";
import type { Rng } from "../../core/rng.js";
import { recurrentGraph, type ConnectivityGraph } from "../../metrics/graph.js";
import type { RouteFinder } from "../../metrics/routes.js";
import type { SynapseMatrix } from "../../snn/synapses/csr.js";
import type { PairList, RoutingTask } from "../../tasks/routing.js";

const name = z
  .string()
  .min(1)
  .max(60)
  .regex(/^[^,\n"]*$/, "a name without commas, quotes or newlines")
  .optional()
  .describe("label in results; defaults to the rate (prune) or the type");

export const pruneStrategySchema = z.strictObject({
  type: z.literal("prune"),
  name,
  rate: z
    .enum(["constant", "increasing", "decreasing"])
    .describe("how the share of edges removed per interval changes over the intervals"),
  rateOf: z
    .enum(["remaining", "removals"])
    .default("remaining")
    .describe(
      "remaining: the rate is the percentage of the existing edges removed per interval (Navlakha et al. 2015: constant = the same percentage each interval); removals: the edges to remove are shared among intervals in proportion to the rate",
    ),
  decay: z
    .enum(["linear", "exponential"])
    .default("linear")
    .describe(
      "decreasing rate only: linear w_i = T - i (the mirror of increasing, w_i = i + 1), or exponential w_i = 2^(-i/halfLife)",
    ),
  halfLifeIntervals: z.number().positive().optional().describe("exponential decay only; default intervals / 4"),
  usage: z
    .enum(["cumulative", "interval"])
    .default("cumulative")
    .describe(
      "cumulative: an edge's use counts every message since the start; interval: only the messages of the interval just ended",
    ),
});

export const growStrategySchema = z.strictObject({
  type: z.literal("grow"),
  name,
});

export const randomStrategySchema = z.strictObject({
  type: z.literal("random"),
  name,
});

export const routingStrategySchema = z.discriminatedUnion("type", [
  pruneStrategySchema,
  growStrategySchema,
  randomStrategySchema,
]);
export type RoutingStrategyConfig = z.infer<typeof routingStrategySchema>;
export type PruneStrategyConfig = z.infer<typeof pruneStrategySchema>;

/** The name a strategy goes by in results: its `name`, else its rate (prune) or type. */
export function strategyName(c: { type: string; name?: string | undefined; rate?: string }): string {
  return c.name ?? c.rate ?? c.type;
}

/** What a strategy is built for. */
export interface RoutingContext {
  task: RoutingTask;
  /** Training intervals (each ends with a change of edges). */
  intervals: number;
  /** Edges the finished network may have (B). */
  edgeBudget: number;
  /** Edges of the over-connected start of the pruning strategies (≤ n(n-1)). */
  initialEdges: number;
  /** The strategy's own stream (initial network, route choices, ties). */
  rng: Rng;
}

/** One interval's figures. */
export interface IntervalRecord {
  /** Edges after the interval's change. */
  edgeCount: number;
  prunedCount: number;
  grownCount: number;
  /** Training pairs of the interval with a path, over all of them. */
  trainRoutableFraction: number;
  /** Mean hops of the interval's routed training pairs (NaN when none). */
  trainPathLength: number;
}

/** A strategy that builds a routing network interval by interval. */
export interface RoutingStrategy {
  readonly name: string;
  readonly type: RoutingStrategyConfig["type"];
  /** Edges now. */
  edgeCount(): number;
  /** Routes one interval's training pairs (interval counts from 0), then prunes or grows; returns its figures. */
  trainInterval(interval: number, pairs: PairList): IntervalRecord;
  /** The network as a graph whose inputs are the task's sources and outputs its targets. */
  graph(): ConnectivityGraph;
}

/** A routing network's graph: edge ids equal synapse indices when the matrix holds no dead synapse. */
export function networkGraph(m: SynapseMatrix, task: RoutingTask): ConnectivityGraph {
  return recurrentGraph(m, task.sources, task.targets, { selfConnections: false });
}

/**
 * Routes every pair along a shortest path drawn uniformly among the shortest
 * ones (RouteFinder.route), calling `onRoute(source, edges, hops)` for each
 * routed pair (`edges` holds the path's edge ids, valid during the call);
 * returns the interval's training figures.
 */
export function routePairs(
  finder: RouteFinder,
  pairs: PairList,
  rng: Rng,
  onRoute: (source: number, edges: Int32Array, hops: number) => void,
): { routableFraction: number; meanPathLength: number } {
  const path = new Int32Array(finder.g.nodes);
  let routed = 0;
  let hopSum = 0;
  for (let k = 0; k < pairs.count; k++) {
    const hops = finder.route(pairs.source[k]!, pairs.target[k]!, rng, path);
    if (hops < 0) continue;
    routed++;
    hopSum += hops;
    onRoute(pairs.source[k]!, path, hops);
  }
  return {
    routableFraction: pairs.count === 0 ? NaN : routed / pairs.count,
    meanPathLength: routed === 0 ? NaN : hopSum / routed,
  };
}
