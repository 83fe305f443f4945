/**
 * Pruning by use (Navlakha, Barth & Bar-Joseph 2015): start over-connected
 * (`initialEdges` random directed edges; all n(n-1) for the complete digraph),
 * route each interval's training pairs along shortest paths, count every
 * edge's uses, and at the end of each interval remove the least-used edges,
 * as many as the rate schedule says, so that exactly B remain after the last
 * interval.
 *
 * The use count is the activity criterion's score (plasticity/pruning/
 * activity-criterion.ts, "use it or lose it"): a message along an edge is a
 * use of that synapse, credited with `use(edge, interval)`; the score never
 * decays (tauMs = Infinity), and with `usage: "interval"` it restarts after
 * each interval. Ties, above all the many edges no message used, are broken
 * uniformly at random.
 *
 * The number removed per interval comes from the pruning schedules
 * (plasticity/pruning/schedule.ts): constant-, increasing- or decreasing-rate,
 * with the rate taken of the remaining edges (`rateOf: "remaining"`, the
 * paper's "constant percentage of existing edges removed in each interval")
 * or of the removals.
 */
import { RouteFinder } from "../../metrics/routes.js";
import { ActivityCriterion } from "../../plasticity/pruning/activity-criterion.js";
import { scheduleStep, type PruningScheduleConfig, type ScheduleContext } from "../../plasticity/pruning/schedule.js";
import type { Rng } from "../../core/rng.js";
import type { SynapseMatrix } from "../../snn/synapses/csr.js";
import type { PairList, RoutingTask } from "../../tasks/routing.js";
import { possibleEdges, randomDigraph } from "../../tasks/routing-networks.js";
import {
  networkGraph,
  routePairs,
  strategyName,
  type IntervalRecord,
  type PruneStrategyConfig,
  type RoutingContext,
  type RoutingStrategy,
} from "./strategy.js";

/** The pruning schedule a prune strategy follows: `intervals` applications from the initial edges down to B. */
export function pruneSchedule(
  config: PruneStrategyConfig,
  ctx: Pick<RoutingContext, "intervals" | "edgeBudget" | "task">,
) {
  const possible = possibleEdges(ctx.task.nodes);
  const common = {
    every: "epoch" as const,
    applications: ctx.intervals,
    targetDensity: ctx.edgeBudget / possible,
    rateOf: config.rateOf,
  };
  const schedule: PruningScheduleConfig =
    config.rate === "constant"
      ? { type: "constant-rate", ...common }
      : config.rate === "increasing"
        ? { type: "increasing-rate", ...common }
        : {
            type: "decreasing-rate",
            ...common,
            decay: config.decay,
            ...(config.halfLifeIntervals === undefined ? {} : { halfLifeApplications: config.halfLifeIntervals }),
          };
  return schedule;
}

export class PruneStrategy implements RoutingStrategy {
  readonly name: string;
  readonly type = "prune" as const;
  readonly matrix: SynapseMatrix;
  readonly criterion: ActivityCriterion;
  private readonly config: PruneStrategyConfig;
  private readonly task: RoutingTask;
  private readonly schedule: PruningScheduleConfig;
  private readonly scheduleContext: ScheduleContext;
  private readonly routeRng: Rng;
  private readonly tieRng: Rng;

  constructor(config: PruneStrategyConfig, ctx: RoutingContext) {
    this.name = strategyName(config);
    this.config = config;
    this.task = ctx.task;
    if (ctx.initialEdges < ctx.edgeBudget)
      throw new RangeError(
        `pruning starts above the budget: ${ctx.initialEdges} initial edges < B = ${ctx.edgeBudget}`,
      );
    this.matrix = randomDigraph(ctx.task.nodes, ctx.initialEdges, ctx.rng.fork("initial"));
    // Plain counts: the score never decays (one step per interval).
    this.criterion = new ActivityCriterion(this.matrix, { dtMs: 1, tauMs: Number.POSITIVE_INFINITY });
    this.schedule = pruneSchedule(config, ctx);
    this.scheduleContext = { initialCount: ctx.initialEdges, possibleCount: possibleEdges(ctx.task.nodes) };
    this.routeRng = ctx.rng.fork("routes");
    this.tieRng = ctx.rng.fork("ties");
  }

  edgeCount(): number {
    return this.criterion.matrix.count;
  }

  trainInterval(interval: number, pairs: PairList): IntervalRecord {
    const c = this.criterion;
    // Compacted after every interval: graph edge e is synapse e.
    const finder = new RouteFinder(networkGraph(c.matrix, this.task));
    const train = routePairs(finder, pairs, this.routeRng.fork(`interval:${interval}`), (_s, edges, hops) => {
      for (let h = 0; h < hops; h++) c.use(edges[h]!, interval);
    });
    const count = scheduleStep(this.schedule, interval, this.scheduleContext).prune;
    const pruned = c.prune(count, interval, this.tieRng.fork(`interval:${interval}`));
    c.compact();
    if (this.config.usage === "interval") c.reset();
    return {
      edgeCount: c.matrix.count,
      prunedCount: pruned,
      grownCount: 0,
      trainRoutableFraction: train.routableFraction,
      trainPathLength: train.meanPathLength,
    };
  }

  graph() {
    return networkGraph(this.criterion.matrix, this.task);
  }
}
