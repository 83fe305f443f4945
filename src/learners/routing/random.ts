/**
 * The no-learning baseline of Navlakha, Barth & Bar-Joseph 2015: B directed
 * edges drawn uniformly at random (no self-loops) before any pair is seen,
 * never changed. Training pairs are still routed, for the interval figures.
 */
import { RouteFinder } from "../../metrics/routes.js";
import type { Rng } from "../../core/rng.js";
import type { SynapseMatrix } from "../../snn/synapses/csr.js";
import type { PairList, RoutingTask } from "../../tasks/routing.js";
import { randomDigraph } from "../../tasks/routing-networks.js";
import {
  networkGraph,
  routePairs,
  strategyName,
  type IntervalRecord,
  type RoutingContext,
  type RoutingStrategy,
} from "./strategy.js";

export class RandomStrategy implements RoutingStrategy {
  readonly name: string;
  readonly type = "random" as const;
  readonly matrix: SynapseMatrix;
  private readonly task: RoutingTask;
  private readonly routeRng: Rng;

  constructor(config: { type: "random"; name?: string | undefined }, ctx: RoutingContext) {
    this.name = strategyName(config);
    this.task = ctx.task;
    this.matrix = randomDigraph(ctx.task.nodes, ctx.edgeBudget, ctx.rng.fork("edges"));
    this.routeRng = ctx.rng.fork("routes");
  }

  edgeCount(): number {
    return this.matrix.count;
  }

  trainInterval(interval: number, pairs: PairList): IntervalRecord {
    const finder = new RouteFinder(networkGraph(this.matrix, this.task));
    const train = routePairs(finder, pairs, this.routeRng.fork(`interval:${interval}`), () => {});
    return {
      edgeCount: this.matrix.count,
      prunedCount: 0,
      grownCount: 0,
      trainRoutableFraction: train.routableFraction,
      trainPathLength: train.meanPathLength,
    };
  }

  graph() {
    return networkGraph(this.matrix, this.task);
  }
}
