/**
 * Growth, the engineering baseline of Navlakha, Barth & Bar-Joseph 2015:
 * start from a spanning tree (a uniformly random labelled tree, each link in
 * both directions, so every pair is routable from the start: 2(n-1) edges)
 * and add local shortcuts along common routes until B edges.
 *
 * Each routed training message v0 → v1 → ... → vk proposes the shortcuts
 * v_j → v_(j+2) (a node skips its next hop); a proposal's count grows each time
 * a message proposes it, over all intervals so far. At the end of each
 * interval the most-proposed shortcuts not yet in the network are added (ties
 * drawn uniformly), the same number every interval (a constant rate) so that
 * exactly B edges stand after the last one. When an interval has fewer
 * proposals than its share, the shortfall is carried to the next interval.
 */
import { RouteFinder } from "../../metrics/routes.js";
import { lowestK } from "../../plasticity/pruning/select.js";
import { profileCount } from "../../plasticity/pruning/schedule.js";
import type { Rng } from "../../core/rng.js";
import type { SynapseMatrix } from "../../snn/synapses/csr.js";
import type { PairList, RoutingTask } from "../../tasks/routing.js";
import { digraphFromEdges, spanningTree } from "../../tasks/routing-networks.js";
import {
  networkGraph,
  routePairs,
  strategyName,
  type IntervalRecord,
  type RoutingContext,
  type RoutingStrategy,
} from "./strategy.js";

export class GrowStrategy implements RoutingStrategy {
  readonly name: string;
  readonly type = "grow" as const;
  matrix: SynapseMatrix;
  private readonly task: RoutingTask;
  private readonly intervals: number;
  private readonly growTotal: number;
  private readonly routeRng: Rng;
  private readonly tieRng: Rng;
  /** Proposals per absent edge u → v, keyed u·n + v. */
  private readonly proposals = new Map<number, number>();
  private carried = 0;

  constructor(config: { type: "grow"; name?: string | undefined }, ctx: RoutingContext) {
    this.name = strategyName(config);
    this.task = ctx.task;
    this.intervals = ctx.intervals;
    this.matrix = spanningTree(ctx.task.nodes, ctx.rng.fork("tree"));
    if (ctx.edgeBudget < this.matrix.count)
      throw new RangeError(
        `growth starts from a spanning tree of ${this.matrix.count} directed edges, above the budget B = ${ctx.edgeBudget}`,
      );
    this.growTotal = ctx.edgeBudget - this.matrix.count;
    this.routeRng = ctx.rng.fork("routes");
    this.tieRng = ctx.rng.fork("ties");
  }

  edgeCount(): number {
    return this.matrix.count;
  }

  trainInterval(interval: number, pairs: PairList): IntervalRecord {
    const n = this.task.nodes;
    const g = networkGraph(this.matrix, this.task);
    const finder = new RouteFinder(g);
    const nodes = new Int32Array(n + 1);
    const train = routePairs(finder, pairs, this.routeRng.fork(`interval:${interval}`), (s, edges, hops) => {
      nodes[0] = s;
      for (let h = 0; h < hops; h++) nodes[h + 1] = g.target[edges[h]!]!;
      for (let j = 0; j + 2 <= hops; j++) {
        const key = nodes[j]! * n + nodes[j + 2]!;
        this.proposals.set(key, (this.proposals.get(key) ?? 0) + 1);
      }
    });
    const due = profileCount("constant", interval, this.intervals, this.growTotal) + this.carried;
    const grown = this.grow(due, this.tieRng.fork(`interval:${interval}`));
    this.carried = due - grown;
    return {
      edgeCount: this.matrix.count,
      prunedCount: 0,
      grownCount: grown,
      trainRoutableFraction: train.routableFraction,
      trainPathLength: train.meanPathLength,
    };
  }

  /** Adds up to `count` of the most-proposed absent edges; returns how many were added. */
  private grow(count: number, rng: Rng): number {
    if (count <= 0 || this.proposals.size === 0) return 0;
    const n = this.task.nodes;
    const keys = Float64Array.from(this.proposals.keys());
    const candidates = new Int32Array(keys.length);
    const negated = new Float64Array(keys.length);
    keys.forEach((key, k) => {
      candidates[k] = k;
      negated[k] = -this.proposals.get(key)!;
    });
    const chosen = lowestK(candidates, negated, count, rng);
    const m = this.matrix;
    const src = new Int32Array(m.count + chosen.length);
    const dst = new Int32Array(m.count + chosen.length);
    for (let u = 0; u < n; u++) {
      for (let e = m.rowPtr[u]!; e < m.rowPtr[u + 1]!; e++) {
        src[e] = u;
        dst[e] = m.target[e]!;
      }
    }
    let k = m.count;
    for (let c = 0; c < chosen.length; c++) {
      const key = keys[chosen[c]!]!;
      const u = Math.floor(key / n);
      const v = key - u * n;
      // A shortcut is proposed only while absent (a present one would have made the route shorter) and leaves the list when added.
      this.proposals.delete(key);
      src[k] = u;
      dst[k] = v;
      k++;
    }
    const added = k - m.count;
    this.matrix = digraphFromEdges(n, src.subarray(0, k), dst.subarray(0, k));
    return added;
  }

  graph() {
    return networkGraph(this.matrix, this.task);
  }
}
