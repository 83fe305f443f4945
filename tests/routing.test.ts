// References: Navlakha, Barth & Bar-Joseph 2015 (PLoS Comput Biol 11:e1004347):
// the routing task (sources and targets of a 2-patch distribution, pairs
// routed along shortest paths, each edge counting its uses, the least-used
// pruned at a constant, increasing or decreasing rate down to B; growth from a
// spanning tree by shortcuts; B random edges), and Cayley's formula (n^(n-2)
// labelled trees, one per Prüfer sequence). Shortest paths, path counts and
// edge-disjoint paths of the small graphs below are worked out by hand; the
// statistical bounds are binomial (5 standard deviations) and chi-square
// (p = 0.001) quantiles, so a correct implementation fails about once in a
// million runs at most, and the draws are seeded anyway.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { GrowStrategy } from "../src/learners/routing/grow.js";
import { PruneStrategy, pruneSchedule } from "../src/learners/routing/prune.js";
import { RandomStrategy } from "../src/learners/routing/random.js";
import { networkGraph, type RoutingContext } from "../src/learners/routing/strategy.js";
import { recurrentGraph, robustness, routingStats } from "../src/metrics/graph.js";
import { RouteFinder } from "../src/metrics/routes.js";
import { evaluateRouting } from "../src/metrics/routing-evaluation.js";
import { ActivityCriterion } from "../src/plasticity/pruning/activity-criterion.js";
import { schedulePlan } from "../src/plasticity/pruning/schedule.js";
import { lowestK } from "../src/plasticity/pruning/select.js";
import { routingTask, type PairList } from "../src/tasks/routing.js";
import {
  digraphFromEdges,
  possibleEdges,
  randomDigraph,
  randomTreeLinks,
  spanningTree,
} from "../src/tasks/routing-networks.js";

/** A digraph from an edge list [u, v][] (CSR rows ascending). */
function digraph(n: number, edges: readonly [number, number][]) {
  return digraphFromEdges(
    n,
    edges.map(([u]) => u),
    edges.map(([, v]) => v),
  );
}

/** The edge id of u → v in a compacted CSR matrix. */
function edgeId(m: { rowPtr: Int32Array; target: Int32Array }, u: number, v: number): number {
  for (let e = m.rowPtr[u]!; e < m.rowPtr[u + 1]!; e++) if (m.target[e] === v) return e;
  throw new Error(`no edge ${u}→${v}`);
}

function pairs(list: readonly [number, number][]): PairList {
  return {
    source: Int32Array.from(list.map(([s]) => s)),
    target: Int32Array.from(list.map(([, t]) => t)),
    count: list.length,
  };
}

describe("routing along shortest paths, counting each edge's uses", () => {
  // 0 → 1 → 2 → 3 is the only shortest path from 0 to 3 (3 hops); 0 → 4 → 5 → 6 → 3 is longer.
  const chain = () =>
    digraph(7, [
      [0, 1],
      [1, 2],
      [2, 3],
      [0, 4],
      [4, 5],
      [5, 6],
      [6, 3],
    ]);

  it("credits exactly the edges of the unique shortest path, once per message", () => {
    const m = chain();
    const g = recurrentGraph(m, [0], [3]);
    const finder = new RouteFinder(g);
    const use = new ActivityCriterion(m, { dtMs: 1, tauMs: Number.POSITIVE_INFINITY });
    const path = new Int32Array(7);
    const rng = Rng.fromSeed(1);
    for (let k = 0; k < 5; k++) {
      const hops = finder.route(0, 3, rng, path);
      expect(hops).toBe(3);
      for (let h = 0; h < hops; h++) use.use(path[h]!, 0);
    }
    const score = (u: number, v: number) => use.scoreAt(edgeId(m, u, v), 3);
    expect([score(0, 1), score(1, 2), score(2, 3)]).toEqual([5, 5, 5]);
    expect([score(0, 4), score(4, 5), score(5, 6), score(6, 3)]).toEqual([0, 0, 0, 0]);
    expect(finder.distance(0, 3)).toBe(3);
    expect(finder.route(3, 0, rng, path)).toBe(-1); // no edge leaves 3
  });

  it("draws each shortest path with equal chance (ties), not each next hop", () => {
    // Three shortest paths of 3 hops: s-a-c-t, s-a-d-t, s-b-e-t. Uniform over paths puts 2/3 of the
    // messages on s → a; a uniform choice of the next hop would put 1/2 there.
    const [s, a, b, c, d, e, t] = [0, 1, 2, 3, 4, 5, 6];
    const m = digraph(7, [
      [s, a],
      [s, b],
      [a, c],
      [a, d],
      [b, e],
      [c, t],
      [d, t],
      [e, t],
    ]);
    const finder = new RouteFinder(recurrentGraph(m, [s], [t]));
    const path = new Int32Array(7);
    const rng = Rng.fromSeed(7);
    const N = 6000;
    let viaA = 0;
    let viaC = 0;
    for (let k = 0; k < N; k++) {
      expect(finder.route(s, t, rng, path)).toBe(3);
      if (path[0] === edgeId(m, s, a)) viaA++;
      if (path[1] === edgeId(m, a, c)) viaC++;
    }
    const sd = (p: number) => 5 * Math.sqrt(N * p * (1 - p));
    expect(Math.abs(viaA - (2 / 3) * N)).toBeLessThan(sd(2 / 3));
    expect(Math.abs(viaC - N / 3)).toBeLessThan(sd(1 / 3));
  });

  it("pruning by use removes the least-used edges, ties drawn at random", () => {
    // Uses: the shortest path 0 → 1 → 2 → 3 three times each, 6 → 3 once; 0 → 4, 4 → 5, 5 → 6 never.
    // Pruning two removes two of the three unused edges, a different two from seed to seed.
    const keptByDraw = new Map<string, number>();
    for (let seed = 0; seed < 60; seed++) {
      const m = chain();
      const use = new ActivityCriterion(m, { dtMs: 1, tauMs: Number.POSITIVE_INFINITY });
      for (const [u, v] of [
        [0, 1],
        [1, 2],
        [2, 3],
      ] as const)
        use.use(edgeId(m, u, v), 0, 3);
      use.use(edgeId(m, 6, 3), 0);
      expect(use.prune(2, 1, Rng.fromSeed(seed))).toBe(2);
      use.compact();
      expect(m.count).toBe(5);
      for (const [u, v] of [
        [0, 1],
        [1, 2],
        [2, 3],
        [6, 3],
      ] as const)
        expect(() => edgeId(m, u, v)).not.toThrow();
      for (const [u, v] of [
        [0, 4],
        [4, 5],
        [5, 6],
      ] as const) {
        const here = m.target.subarray(m.rowPtr[u]!, m.rowPtr[u + 1]!).includes(v);
        if (here) keptByDraw.set(`${u}-${v}`, (keptByDraw.get(`${u}-${v}`) ?? 0) + 1);
      }
    }
    // Each unused edge survives with chance 1/3: about 20 of 60 times (never 0 unless ties go by index).
    expect(keptByDraw.size).toBe(3);
    for (const c of keptByDraw.values()) expect(Math.abs(c - 20)).toBeLessThan(5 * Math.sqrt(60 * (1 / 3) * (2 / 3)));
  });

  it("lowestK with a tie generator picks uniformly among ties and never skips a lower score", () => {
    const candidates = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const score = [0, 1, 1, 1, 1, 2];
    const counts = [0, 0, 0, 0, 0, 0];
    const rng = Rng.fromSeed(11);
    const N = 4000;
    for (let k = 0; k < N; k++) {
      const chosen = lowestK(candidates, score, 3, rng);
      expect(chosen.length).toBe(3);
      expect(Array.from(chosen)).toContain(0);
      expect(Array.from(chosen)).not.toContain(5);
      for (const c of chosen) counts[c]!++;
    }
    // Two of the four ties each time: each tie chosen with probability 1/2.
    for (let c = 1; c <= 4; c++) expect(Math.abs(counts[c]! - N / 2)).toBeLessThan(5 * Math.sqrt(N / 4));
  });
});

describe("the pruning schedules, edge counts per interval", () => {
  // E0 = 9900 (complete digraph on 100 nodes), B = 400, T = 10 intervals.
  const n = 100;
  const E0 = possibleEdges(n);
  const B = 400;
  const T = 10;
  const task = routingTask({ nodes: n, distribution: { type: "2-patch", sourceFraction: 0.5, targetFraction: 0.5 } });
  const ctx = { task, intervals: T, edgeBudget: B };
  const W = (profile: "constant" | "increasing" | "decreasing", k: number) =>
    profile === "constant" ? k : profile === "increasing" ? (k * (k + 1)) / 2 : k * T - (k * (k - 1)) / 2;
  /** Edges after interval i (0-based): the log of the count falls in proportion to the rate (independent formula). */
  const expected = (profile: "constant" | "increasing" | "decreasing", i: number) =>
    i === T - 1 ? B : Math.round(E0 * (B / E0) ** (W(profile, i + 1) / W(profile, T)));

  for (const rate of ["constant", "increasing", "decreasing"] as const) {
    it(`${rate} rate: the schedule's counts follow round(E0 · (B/E0)^(W(i+1)/W(T))) and end at B`, () => {
      const s = pruneSchedule({ type: "prune", rate, rateOf: "remaining", decay: "linear", usage: "cumulative" }, ctx);
      const plan = schedulePlan(s, { initialCount: E0, possibleCount: E0 });
      expect(Array.from(plan.countAfter)).toEqual(Array.from({ length: T }, (_, i) => expected(rate, i)));
    });
  }

  it("constant rate removes the same percentage of the existing edges every interval", () => {
    const s = pruneSchedule(
      { type: "prune", rate: "constant", rateOf: "remaining", decay: "linear", usage: "cumulative" },
      ctx,
    );
    const plan = schedulePlan(s, { initialCount: E0, possibleCount: E0 });
    const r = 1 - (B / E0) ** (1 / T); // 27.5% per interval
    let before = E0;
    for (let i = 0; i < T; i++) {
      // Rounding each count to a whole edge moves the fraction by at most 1/before (twice).
      expect(Math.abs(plan.prune[i]! / before - r)).toBeLessThan(2 / before + 1e-12);
      before = plan.countAfter[i]!;
    }
  });

  it("decreasing prunes the largest share first and increasing the smallest", () => {
    const plan = (rate: "increasing" | "decreasing") =>
      schedulePlan(
        pruneSchedule({ type: "prune", rate, rateOf: "remaining", decay: "linear", usage: "cumulative" }, ctx),
        {
          initialCount: E0,
          possibleCount: E0,
        },
      );
    const inc = plan("increasing");
    const dec = plan("decreasing");
    const share = (p: ReturnType<typeof plan>, i: number) => p.prune[i]! / (i === 0 ? E0 : p.countAfter[i - 1]!);
    for (let i = 1; i < T; i++) {
      expect(share(inc, i)).toBeGreaterThan(share(inc, i - 1));
      expect(share(dec, i)).toBeLessThan(share(dec, i - 1));
    }
  });

  it("a prune strategy's network has exactly the schedule's edges after every interval", () => {
    const rng = Rng.fromSeed(5);
    for (const rate of ["constant", "increasing", "decreasing"] as const) {
      const routing: RoutingContext = { ...ctx, initialEdges: E0, rng: rng.fork(rate) };
      const s = new PruneStrategy(
        { type: "prune", rate, rateOf: "remaining", decay: "linear", usage: "cumulative" },
        routing,
      );
      expect(s.edgeCount()).toBe(E0);
      const train = rng.fork("train");
      for (let i = 0; i < T; i++) {
        const r = s.trainInterval(i, task.drawPairs(50, train.fork(`interval:${i}`)));
        expect(r.edgeCount).toBe(expected(rate, i));
        expect(r.prunedCount).toBe((i === 0 ? E0 : expected(rate, i - 1)) - expected(rate, i));
      }
      expect(s.graph().target.length).toBe(B);
    }
  });
});

describe("the growth baseline", () => {
  it("decodes Prüfer sequences into uniformly random labelled trees (Cayley: 16 on 4 nodes)", () => {
    const rng = Rng.fromSeed(2);
    const counts = new Map<string, number>();
    const N = 3200;
    for (let k = 0; k < N; k++) {
      const { a, b } = randomTreeLinks(4, rng);
      const key = Array.from(a, (x, i) => [Math.min(x, b[i]!), Math.max(x, b[i]!)].join("-"))
        .sort()
        .join(",");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(16);
    const e = N / 16;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(37.7); // chi-square, 15 degrees of freedom, p = 0.001
  });

  it("starts from a spanning tree in both directions: 2(n-1) edges, every node reaches every other", () => {
    const n = 60;
    const m = spanningTree(n, Rng.fromSeed(4));
    expect(m.count).toBe(2 * (n - 1));
    for (let u = 0; u < n; u++)
      for (let e = m.rowPtr[u]!; e < m.rowPtr[u + 1]!; e++) {
        expect(m.target[e]).not.toBe(u);
        expect(() => edgeId(m, m.target[e]!, u)).not.toThrow(); // the reverse link is there
      }
    const everyone = Int32Array.from({ length: n }, (_, i) => i);
    const r = routingStats(recurrentGraph(m, everyone, everyone));
    expect(r.connectedFraction).toBe(1);
  });

  it("grows 2-hop shortcuts along the routes to exactly B edges, keeping the tree", () => {
    const n = 40;
    const task = routingTask({ nodes: n, distribution: { type: "2-patch", sourceFraction: 0.5, targetFraction: 0.5 } });
    const rng = Rng.fromSeed(8);
    const B = 120;
    const s = new GrowStrategy({ type: "grow" }, { task, intervals: 4, edgeBudget: B, initialEdges: 0, rng });
    const tree = s.matrix;
    const before: [number, number][] = [];
    for (let u = 0; u < n; u++)
      for (let e = tree.rowPtr[u]!; e < tree.rowPtr[u + 1]!; e++) before.push([u, tree.target[e]!]);
    const dist = new RouteFinder(recurrentGraph(tree, [], []));
    const train = rng.fork("train");
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) counts.push(s.trainInterval(i, task.drawPairs(80, train.fork(`${i}`))).edgeCount);
    // B - 2(n-1) = 42 shortcuts at a constant rate: round(42·k/4) after interval k.
    expect(counts).toEqual([78 + 11, 78 + 21, 78 + 32, 120]);
    for (const [u, v] of before) expect(() => edgeId(s.matrix, u, v)).not.toThrow();
    // A shortcut skips a hop of a route: it never joins a node to itself or to a tree neighbour.
    for (let u = 0; u < n; u++)
      for (let e = s.matrix.rowPtr[u]!; e < s.matrix.rowPtr[u + 1]!; e++) {
        const v = s.matrix.target[e]!;
        expect(v).not.toBe(u);
        if (!before.some(([a, b]) => a === u && b === v)) expect(dist.distance(u, v)).toBeGreaterThanOrEqual(2);
      }
  });
});

describe("the random baseline and the evaluation", () => {
  it("draws B distinct edges without self-loops, uniformly over the n(n-1) possible", () => {
    const n = 5;
    const counts = new Map<string, number>();
    const rng = Rng.fromSeed(9);
    const N = 2000;
    for (let k = 0; k < N; k++) {
      const m = randomDigraph(n, 4, rng);
      expect(m.count).toBe(4);
      const seen = new Set<string>();
      for (let u = 0; u < n; u++)
        for (let e = m.rowPtr[u]!; e < m.rowPtr[u + 1]!; e++) {
          expect(m.target[e]).not.toBe(u);
          const key = `${u}-${m.target[e]}`;
          expect(seen.has(key)).toBe(false);
          seen.add(key);
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
    }
    expect(counts.size).toBe(20);
    // Each of the 20 edges is in a draw with probability 4/20.
    for (const c of counts.values()) expect(Math.abs(c - N / 5)).toBeLessThan(5 * Math.sqrt(N * 0.2 * 0.8));
    const task = routingTask({
      nodes: 30,
      distribution: { type: "2-patch", sourceFraction: 0.5, targetFraction: 0.5 },
    });
    const s = new RandomStrategy({ type: "random" }, { task, intervals: 2, edgeBudget: 90, initialEdges: 0, rng });
    expect(s.trainInterval(0, task.drawPairs(10, rng)).edgeCount).toBe(90);
  });

  it("measures path length, alternative paths and damage on a hand-built network", () => {
    // 0 → 1 → 5 and 0 → 2 → 5 (two disjoint 2-hop paths), 0 → 3 → 4 → 6 → 5 (4 hops); 7 → 8 only.
    const m = digraph(9, [
      [0, 1],
      [1, 5],
      [0, 2],
      [2, 5],
      [0, 3],
      [3, 4],
      [4, 6],
      [6, 5],
      [7, 8],
    ]);
    const g = recurrentGraph(m, [0, 7], [5, 8], { selfConnections: false });
    const test = pairs([
      [0, 5],
      [0, 5],
      [7, 8],
      [7, 5],
    ]);
    const r = evaluateRouting(
      g,
      test,
      { alternativeSlackHops: 1, damageFractions: [0, 1], damageTrials: 3 },
      Rng.fromSeed(1),
    );
    expect(r["meanPathLength"]).toBeCloseTo((2 + 2 + 1) / 3, 12);
    expect(r["routableFraction"]).toBe(3 / 4);
    expect(r["harmonicEfficiency"]).toBeCloseTo((0.5 + 0.5 + 1 + 0) / 4, 12);
    // Within 2 + 1 hops: the two 2-hop paths (the 4-hop one is too long); 7 → 8: one path.
    expect(r["alternativePaths"]).toBeCloseTo((2 + 2 + 1 + 0) / 4, 12);
    expect(r["routableAfterEdgeLoss[0]"]).toBe(3 / 4);
    expect(r["routableAfterEdgeLoss[1]"]).toBe(0);
    expect(r["routableAfterNodeLoss[1]"]).toBe(0);
    // With the slack at 2 the 4-hop path counts too.
    expect(new RouteFinder(g).disjointPaths(0, 5, 4)).toBe(3);
    const one = robustness(g, {
      remove: "synapses",
      fractions: [1 / 9],
      trials: 200,
      rng: Rng.fromSeed(2),
      pairs: test,
    })[0]!;
    // One edge of nine removed: 7 → 8 is lost with chance 1/9, 0 → 5 never (three disjoint paths).
    expect(one.connectedFraction).toBeCloseTo((2 + 8 / 9) / 4, 1);
  });
});

describe("a prune strategy's network", () => {
  it("is the complete digraph's subgraph its schedule and the counted uses leave", () => {
    const n = 20;
    const task = routingTask({ nodes: n, distribution: { type: "2-patch", sourceFraction: 0.5, targetFraction: 0.5 } });
    const s = new PruneStrategy(
      { type: "prune", rate: "decreasing", rateOf: "remaining", decay: "linear", usage: "cumulative" },
      { task, intervals: 1, edgeBudget: 30, initialEdges: possibleEdges(n), rng: Rng.fromSeed(1) },
    );
    // One interval on the complete digraph: every pair's shortest path is its direct edge, so the
    // 30 kept edges are the most-used direct source → target edges.
    const p = task.drawPairs(400, Rng.fromSeed(2));
    const uses = new Map<string, number>();
    for (let k = 0; k < p.count; k++) {
      const key = `${p.source[k]}-${p.target[k]}`;
      uses.set(key, (uses.get(key) ?? 0) + 1);
    }
    s.trainInterval(0, p);
    const g = networkGraph(s.matrix, task);
    const kept: number[] = [];
    for (let u = 0; u < n; u++)
      for (let e = g.rowPtr[u]!; e < g.rowPtr[u + 1]!; e++) kept.push(uses.get(`${u}-${g.target[e]}`) ?? 0);
    const sorted = [...uses.values()].sort((a, b) => b - a);
    expect(kept.length).toBe(30);
    expect(Math.min(...kept)).toBeGreaterThanOrEqual(sorted[29]!);
  });
});
