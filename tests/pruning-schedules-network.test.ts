// The brain-side analogue of Navlakha, Barth & Bar-Joseph 2015 (scenarios/pruning-schedules.json):
// a recurrent spiking `network` learner pruned by use under constant, increasing and decreasing
// rates. References, per test: (1) counting: in a constructed network whose neurons fire in known
// presentations, a synapse's use (co-activity score) is proportional to the presentations in which
// both its neurons fire, and activity pruning removes the unused, then the less used, first;
// (2) the pure schedule plan (schedule.ts): every rate removes its planned counts and all three end
// at round(targetDensity · possible); (3) shortest paths counted by hand on a small population graph;
// (4) the ordering statement is computed from the numbers: made-up summaries in Navlakha's order and
// in the reverse order must give opposite statements.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { NetworkLearner } from "../src/learners/network/learner.js";
import { networkLearnerConfigSchema } from "../src/learners/network/schema.js";
import { populationGraph, routingStats } from "../src/metrics/graph.js";
import { pruningConfigSchema } from "../src/plasticity/pruning/config.js";
import { schedulePlan } from "../src/plasticity/pruning/schedule.js";
import {
  judgeTrio,
  orderingStatement,
  scheduleOrderingSection,
  scheduleTrios,
  SCHEDULE_ORDER_MEASURES,
  type OrderItem,
} from "../src/report/navlakha-order.js";
import type { MetricRow } from "../src/runs/results.js";
import { runScenario } from "../src/runs/run.js";
import { parseScenarioText } from "../src/scenario/parse.js";
import type { TaskShape } from "../src/tasks/task.js";

const shape = (inputSize: number): TaskShape => ({ inputSize, classes: 2, featureRange: { min: 0, max: 1 } });

describe("activity pruning of a network learner counts use", () => {
  // Four LIF neurons, each driven by its own feature as an injected current (identical drive:
  // identical spike trains). Neurons 0 and 1 fire in every presentation, neuron 2 in one of every
  // two, neuron 3 never. Recurrent synapses of weight 0 (they carry nothing that changes the
  // dynamics): 0→1 used in every presentation, 0→2 in half, 0→3 and 3→0 never.
  const config = networkLearnerConfigSchema.parse({
    type: "network",
    dtMs: 0.5,
    input: { coding: "current", target: "rec", variable: "iExt", scale: 40 },
    groups: [{ name: "rec", size: 4, model: { type: "lif", tauMs: 10, vThreshMv: -55, vResetMv: -65, elMv: -65 } }],
    synapses: [
      {
        name: "rec->rec",
        source: "rec",
        target: "rec",
        targetVar: "ge",
        connect: { rule: "explicit", pre: [0, 0, 0, 3], post: [1, 2, 3, 0] },
        weight: 0,
      },
    ],
    prunable: ["rec->rec"],
    presentation: { presentationMs: 40, between: "reset" },
    readout: { type: "linear", group: "rec" },
    batchSize: 4,
  });
  const x = Float32Array.from([1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0]);
  const y = Int32Array.from([0, 1, 0, 1]);

  it("scores each synapse by the presentations both its neurons fire in, and prunes the unused, then the less used", () => {
    const learner = new NetworkLearner(config, shape(4), Rng.fromSeed(1).fork("init"));
    const s = learner.structure();
    // A score that never decays: the plain count of co-activity (tauMs far beyond the run).
    s.trackActivity?.(1e15);
    learner.trainBatch(x, y, 4);
    learner.trainBatch(x, y, 4);
    const m = learner.synapsesNamed("rec->rec")!.synapses.matrix;
    const c = learner.gate.criteria[0]!;
    const step = learner.network.step;
    const score = (pre: number, post: number) => {
      const src = m.sources();
      for (let k = 0; k < m.count; k++) if (src[k] === pre && m.target[k] === post) return c.scoreAt(k, step);
      return Number.NaN;
    };
    expect(score(0, 1)).toBeGreaterThan(0);
    // Neuron 2 fires (as neuron 1 does) in 4 of the 8 presentations: half the use.
    expect(score(0, 2) / score(0, 1)).toBeCloseTo(0.5, 9);
    expect(score(0, 3)).toBe(0);
    expect(score(3, 0)).toBe(0);
    expect(s.prune({ criterion: "activity", count: 2, scope: "global" }).removed).toBe(2);
    expect(Number.isNaN(score(0, 3)) && Number.isNaN(score(3, 0))).toBe(true);
    expect(score(0, 2)).toBeGreaterThan(0);
    s.prune({ criterion: "activity", count: 1, scope: "global" });
    expect(m.count).toBe(1);
    expect(score(0, 1)).toBeGreaterThan(0);
  });
});

/** A recurrent pool of 12 LIF neurons on two moons features (population coding), pruned by use. */
function recurrentLearner(name: string, schedule: Record<string, unknown>) {
  return {
    type: "network",
    name,
    dtMs: 1,
    input: { coding: "population", neuronsPerFeature: 4, maxRateHz: 200 },
    groups: [{ name: "pool", size: 12, model: { type: "lif", tauMs: 20, vThreshMv: -50, vResetMv: -65, elMv: -65 } }],
    synapses: [
      {
        name: "input->pool",
        source: "input",
        target: "pool",
        targetVar: "ge",
        connect: { rule: "probability", p: 0.5 },
        weight: { dist: "uniform", lo: 2, hi: 10 },
      },
      {
        name: "pool->pool",
        source: "pool",
        target: "pool",
        targetVar: "ge",
        connect: { rule: "probability", p: 0.5, allowSelf: false },
        weight: { dist: "uniform", lo: 0, hi: 2 },
        delayMs: 1,
      },
    ],
    prunable: ["pool->pool"],
    presentation: { presentationMs: 20, restMs: 0, between: "reset" },
    readout: { type: "linear", group: "pool" },
    batchSize: 8,
    pruning: { criterion: "activity", scope: "global", graphMeasures: true, damageTrials: 2, schedule },
  };
}

describe("pruning schedules on a recurrent network learner", () => {
  const rates = [
    { name: "recurrent-constant", type: "constant-rate" },
    { name: "recurrent-increasing", type: "increasing-rate" },
    { name: "recurrent-decreasing", type: "decreasing-rate", decay: "exponential" },
  ];
  const schedule = (r: (typeof rates)[number]) => ({
    type: r.type,
    every: { samples: 16 },
    applications: 6,
    targetDensity: 0.1,
    ...(r.decay !== undefined ? { decay: r.decay } : {}),
  });
  const scenario = parseScenarioText(
    JSON.stringify({
      name: "schedules-network",
      description: "d",
      task: { type: "moons", trainSize: 48, testSize: 24, noise: 0.1 },
      learners: rates.map((r) => recurrentLearner(r.name, schedule(r))),
      epochs: 2,
      seeds: [2],
    }),
    "schedules-network.json",
  );
  const rows = runScenario(scenario).rows;
  const series = (learner: string, metric: string) =>
    rows
      .filter((r) => r.learner === learner && r.metric === metric)
      .sort((a, b) => a.epoch - b.epoch)
      .map((r) => r.value);

  it("each rate removes its planned counts and all end at the same density", () => {
    const possible = 12 * 11;
    const finals = rates.map((r) => {
      const counts = series(r.name, "synapseCount");
      const pruned = series(r.name, "prunedCount");
      const initial = counts[0]! + pruned[0]!;
      const plan = schedulePlan(pruningConfigSchema.parse({ schedule: schedule(r) }).schedule!, {
        initialCount: initial,
        possibleCount: possible,
      });
      // 48 samples an epoch, an application every 16: three per epoch, six in all.
      const perEpoch = [0, 1].map((e) => plan.prune.slice(3 * e, 3 * e + 3).reduce((a, b) => a + b, 0));
      expect(pruned).toEqual(perEpoch);
      return counts[counts.length - 1]!;
    });
    expect(finals).toEqual([13, 13, 13]);
    for (const r of rates) expect(series(r.name, "connectionDensity").at(-1)).toBeCloseTo(13 / possible, 12);
    // The rates differ on the way: after the first epoch increasing has removed least, decreasing most.
    const afterFirst = rates.map((r) => series(r.name, "synapseCount")[0]!);
    expect(afterFirst[2]!).toBeLessThan(afterFirst[0]!);
    expect(afterFirst[0]!).toBeLessThan(afterFirst[1]!);
  });

  it("measures routes through the recurrent pool (graph of populations)", () => {
    for (const r of rates) {
      const eff = series(r.name, "graphEfficiency");
      expect(eff).toHaveLength(2);
      for (const e of eff) expect(e).toBeGreaterThan(0);
      for (const f of series(r.name, "robustnessNeurons")) expect(f).toBeGreaterThanOrEqual(0);
    }
  });
});

describe("populationGraph", () => {
  it("joins an input population to a recurrent pool and routes through the recurrent edges", () => {
    // Inputs a, b (nodes 0, 1) → pool p0, p1, p2 (nodes 2, 3, 4): a→p0, b→p2; recurrent p0→p1, p1→p2.
    // Shortest paths by hand: a→p0 1, a→p1 2, a→p2 3; b→p2 1, b→p0 and b→p1 none.
    const csr = (nPre: number, nPost: number, rows: number[][]) => {
      const rowPtr = new Int32Array(nPre + 1);
      rows.forEach((r, i) => {
        rowPtr[i + 1] = rowPtr[i]! + r.length;
      });
      return { nPre, nPost, rowPtr, target: Int32Array.from(rows.flat()) };
    };
    const g = populationGraph({
      sizes: [2, 3],
      projections: [
        { source: 0, target: 1, matrix: csr(2, 3, [[0], [2]]) },
        { source: 1, target: 1, matrix: csr(3, 3, [[1], [2], []]) },
      ],
      inputs: 0,
      outputs: 1,
      possible: 12,
    });
    expect(g.nodes).toBe(5);
    const r = routingStats(g);
    expect(r.pairs).toBe(6);
    expect(r.connectedPairs).toBe(4);
    expect(r.meanPathLength).toBeCloseTo((1 + 2 + 3 + 1) / 4, 12);
    expect(r.efficiency).toBeCloseTo((1 + 1 / 2 + 1 / 3 + 1) / 6, 12);
  });
});

describe("the ordering statement is computed from the numbers", () => {
  const item = (learner: string, mean: number, half: number): OrderItem => ({
    learner,
    mean,
    lo: mean - half,
    hi: mean + half,
    seeds: 5,
  });
  const efficiency = SCHEDULE_ORDER_MEASURES.find((m) => m.metric === "graphEfficiency")!;
  const pathLength = SCHEDULE_ORDER_MEASURES.find((m) => m.metric === "graphMeanPathLength")!;

  it("says 'holds' for Navlakha's order and 'contradicted' for the reverse, on the same measure", () => {
    const inOrder = judgeTrio(efficiency, [item("d", 0.6, 0.01), item("c", 0.5, 0.01), item("i", 0.4, 0.01)]);
    const reverse = judgeTrio(efficiency, [item("d", 0.4, 0.01), item("c", 0.5, 0.01), item("i", 0.6, 0.01)]);
    expect(inOrder.order).toBe("holds");
    expect(reverse.order).toBe("reversed");
    expect(orderingStatement([inOrder])).toMatch(/holds, with separated 95% intervals, for efficiency/);
    expect(orderingStatement([reverse])).toMatch(/contradicted .* for efficiency/);
    expect(orderingStatement([reverse])).not.toMatch(/holds/);
  });

  it("turns a lower-is-better measure round: shorter paths after decreasing-rate pruning follow the order", () => {
    const shorter = judgeTrio(pathLength, [item("d", 3, 0.1), item("c", 4, 0.1), item("i", 5, 0.1)]);
    const longer = judgeTrio(pathLength, [item("d", 5, 0.1), item("c", 4, 0.1), item("i", 3, 0.1)]);
    expect(shorter.order).toBe("holds");
    expect(longer.order).toBe("reversed");
  });

  it("separates 'means in order, intervals overlap' from 'means out of order'", () => {
    const overlap = judgeTrio(efficiency, [item("d", 0.55, 0.1), item("c", 0.5, 0.1), item("i", 0.45, 0.1)]);
    const outOfOrder = judgeTrio(efficiency, [item("d", 0.5, 0.1), item("c", 0.55, 0.1), item("i", 0.45, 0.1)]);
    expect(overlap.order).toBe("means-in-order");
    expect(outOfOrder.order).toBe("not-in-order");
    const both = orderingStatement([overlap, { ...outOfOrder, measure: pathLength }]);
    expect(both).toMatch(/followed by the means but not resolved \(intervals overlap\) for efficiency/);
    expect(both).toMatch(/not followed .* for mean path length/);
  });

  it("does not count three equal means as following the order (a layered network's fixed path length)", () => {
    const same = judgeTrio(pathLength, [item("d", 3, 0), item("c", 3, 0), item("i", 3, 0)]);
    expect(same.order).toBe("equal");
    expect(orderingStatement([same])).toMatch(/cannot be told \(the three means are equal\) for mean path length/);
  });

  it("groups learners into trios by name and writes one statement per trio from metric rows", () => {
    expect(scheduleTrios(["surrogate-constant", "recurrent-decreasing", "surrogate-increasing", "other"])).toEqual([]);
    const names = ["ff-constant", "ff-increasing", "ff-decreasing", "rec-constant", "rec-increasing", "rec-decreasing"];
    expect(scheduleTrios(names).map((t) => t.label)).toEqual(["ff", "rec"]);
    // Five seeds each: ff in Navlakha's order on efficiency, rec in the reverse order.
    const target: Record<string, number> = {
      "ff-decreasing": 0.6,
      "ff-constant": 0.5,
      "ff-increasing": 0.4,
      "rec-decreasing": 0.4,
      "rec-constant": 0.5,
      "rec-increasing": 0.6,
    };
    const rows: MetricRow[] = names.flatMap((learner) =>
      [1, 2, 3, 4, 5].flatMap((seed) => [
        { learner, seed, epoch: 2, metric: "prunedCount", value: 0 },
        { learner, seed, epoch: 2, metric: "graphEfficiency", value: target[learner]! + 0.001 * seed },
      ]),
    );
    const section = scheduleOrderingSection(rows, names)!;
    expect(section.intro).toMatch(/For "ff": Navlakha's ordering holds, with separated 95% intervals, for efficiency/);
    expect(section.intro).toMatch(/For "rec": Navlakha's ordering is contradicted .* for efficiency/);
    expect(section.table.rows.map((r) => r[6]!.text)).toEqual(["follows, separated", "reversed, separated"]);
  });
});
