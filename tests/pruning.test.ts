// References: Han et al. 2015 (magnitude pruning removes the smallest |w|;
// prune then retrain), Frankle & Carbin 2019 (lottery-ticket rewinding to the
// initial values; iterative pruning of p% of the remaining per round),
// Navlakha et al. 2015 (constant, increasing and decreasing pruning rates),
// Huttenlocher 1979 (density peaks at about 150% of the adult level), and
// sorting / binomial and chi-square bounds computed independently here.
import { describe, expect, it } from "vitest";
import type { Param } from "../src/ann/layer.js";
import { Rng } from "../src/core/rng.js";
import { MlpLearner, denseOpsPerSample, mlpConfigSchema } from "../src/learners/mlp.js";
import {
  ActivityCriterion,
  applicationsDue,
  effectiveOps,
  magnitudePrune,
  maskCounts,
  perRoundFraction,
  pruneIteratively,
  pruneRequestSchema,
  pruneSynapsesAtRandom,
  pruneSynapsesByMagnitude,
  pruningScheduleSchema,
  randomPrune,
  lowestK,
  pruneSynapseMatrices,
  regrowSynapses,
  rewindWeights,
  schedulePlan,
  snapshotWeights,
} from "../src/plasticity/pruning/index.js";
import { SynapseMatrix } from "../src/snn/synapses/csr.js";
import { runPruningBench } from "../src/bench/pruning-bench.js";
import { SpikeGeneratorGroup } from "../src/snn/inputs/spike-generator.js";
import { Network } from "../src/snn/network.js";

function param(values: number[] | Float32Array): Param {
  const value = Float32Array.from(values);
  return { name: "W", value, grad: new Float32Array(value.length), decay: true };
}

/** Positions of the k smallest |w| by an independent full sort (ties by position). */
function smallestPositions(values: Float32Array, k: number): Set<number> {
  const idx = Array.from(values, (_, i) => i);
  idx.sort((a, b) => Math.abs(values[a]!) - Math.abs(values[b]!) || a - b);
  return new Set(idx.slice(0, k));
}

function prunedPositions(p: Param): Set<number> {
  const out = new Set<number>();
  p.mask!.forEach((m, i) => {
    if (m === 0) out.add(i);
  });
  return out;
}

/** Dense all-to-all CSR with the given weights and per-synapse delays. */
function denseMatrix(
  nPre: number,
  nPost: number,
  weight: Float32Array,
  delay: Uint16Array | null = null,
): SynapseMatrix {
  const rowPtr = new Int32Array(nPre + 1);
  const target = new Int32Array(nPre * nPost);
  for (let i = 0; i < nPre; i++) {
    rowPtr[i + 1] = (i + 1) * nPost;
    for (let j = 0; j < nPost; j++) target[i * nPost + j] = j;
  }
  return new SynapseMatrix(nPre, nPost, rowPtr, target, weight, delay);
}

/** Pearson chi-square of observed counts against equal expected counts. */
function chiSquare(counts: readonly number[], expected: number): number {
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
}
// 99.9% quantile of chi-square with 19 degrees of freedom (tables): 43.82.
const CHI2_19_999 = 43.82;

const shape = { inputSize: 6, classes: 3, featureRange: { min: -1, max: 1 } };

function batchOf(rng: Rng, n: number): { x: Float32Array; y: Int32Array } {
  const x = rng.fillNormal(new Float32Array(n * shape.inputSize), 0, 1);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(shape.classes);
  return { x, y };
}

describe("magnitude pruning (Han et al. 2015)", () => {
  it("per layer removes exactly each layer's smallest |w|", () => {
    const rng = Rng.fromSeed(1);
    const a = param(rng.fillNormal(new Float32Array(50), 0, 1));
    const b = param(rng.fillNormal(new Float32Array(30), 0, 5));
    const before = [a.value.slice(), b.value.slice()];
    const r = magnitudePrune([a, b], { fraction: 0.4, scope: "per-layer" });
    expect(r).toEqual({ removed: 20 + 12, remaining: 80 - 32, total: 80 });
    expect(prunedPositions(a)).toEqual(smallestPositions(before[0]!, 20));
    expect(prunedPositions(b)).toEqual(smallestPositions(before[1]!, 12));
    for (const p of [a, b])
      p.mask!.forEach((m, i) => {
        if (m === 0) expect(p.value[i]).toBe(0);
      });
  });

  it("global removes the smallest |w| over all layers against one threshold", () => {
    const rng = Rng.fromSeed(2);
    const a = param(rng.fillNormal(new Float32Array(50), 0, 1));
    const b = param(rng.fillNormal(new Float32Array(30), 0, 5)); // larger weights: pruned less
    const all = new Float32Array(80);
    all.set(a.value, 0);
    all.set(b.value, 50);
    const expected = smallestPositions(all, 40);
    magnitudePrune([a, b], { fraction: 0.5, scope: "global" });
    const got = new Set([...prunedPositions(a), ...[...prunedPositions(b)].map((i) => i + 50)]);
    expect(got).toEqual(expected);
    // The small-weight layer loses more than half, the large-weight one less.
    expect(prunedPositions(a).size).toBeGreaterThan(25);
    expect(prunedPositions(b).size).toBeLessThan(15);
  });

  it("a second round ranks only the remaining weights (p% of the remaining)", () => {
    const rng = Rng.fromSeed(3);
    const a = param(rng.fillNormal(new Float32Array(100), 0, 1));
    magnitudePrune([a], { fraction: 0.5 });
    const after1 = a.value.slice();
    magnitudePrune([a], { fraction: 0.5 });
    expect(maskCounts([a]).remaining).toBe(25);
    // The 25 survivors are the 25 largest |w| of the original.
    const survivors = new Set(Array.from(a.mask!, (m, i) => (m === 1 ? i : -1)).filter((i) => i >= 0));
    const idx = Array.from(after1, (_, i) => i).sort((x, y) => Math.abs(after1[y]!) - Math.abs(after1[x]!));
    expect(survivors).toEqual(new Set(idx.slice(0, 25)));
  });

  it("breaks ties by position, so the choice is deterministic", () => {
    const a = param([1, -1, 1, 0.5, -1, 1]);
    magnitudePrune([a], { count: 3 });
    expect(Array.from(a.mask!)).toEqual([0, 0, 1, 0, 1, 1]);
    expect(Array.from(lowestK(Int32Array.from([5, 3, 9, 1]), new Float64Array(10), 2))).toEqual([3, 1]);
  });

  it("on CSR synapses marks exactly the smallest |w| dead", () => {
    const w = Rng.fromSeed(4).fillNormal(new Float32Array(8 * 9), 0, 1);
    const m = denseMatrix(8, 9, w.slice());
    expect(pruneSynapsesByMagnitude(m, 30)).toBe(30);
    const dead = new Set<number>();
    for (let s = 0; s < m.count; s++) if (m.isDead(s)) dead.add(s);
    expect(dead).toEqual(smallestPositions(w, 30));
  });
});

describe("a prune request over several synapse populations", () => {
  function deadSet(m: SynapseMatrix, offset = 0): number[] {
    const out: number[] = [];
    for (let s = 0; s < m.count; s++) if (m.isDead(s)) out.push(s + offset);
    return out;
  }

  it("per layer and global magnitude match an independent sort", () => {
    const rng = Rng.fromSeed(30);
    const wa = rng.fillNormal(new Float32Array(6 * 5), 0, 1);
    const wb = rng.fillNormal(new Float32Array(5 * 4), 0, 3);
    const a = denseMatrix(6, 5, wa.slice());
    const b = denseMatrix(5, 4, wb.slice());
    expect(pruneSynapseMatrices([a, b], { criterion: "magnitude", fraction: 0.5 })).toEqual({
      removed: 25,
      remaining: 25,
      total: 50,
    });
    expect(new Set(deadSet(a))).toEqual(smallestPositions(wa, 15));
    expect(new Set(deadSet(b))).toEqual(smallestPositions(wb, 10));
    const a2 = denseMatrix(6, 5, wa.slice());
    const b2 = denseMatrix(5, 4, wb.slice());
    const both = new Float32Array(50);
    both.set(wa, 0);
    both.set(wb, 30);
    pruneSynapseMatrices([a2, b2], { criterion: "magnitude", count: 20, scope: "global" });
    expect(new Set([...deadSet(a2), ...deadSet(b2, 30)])).toEqual(smallestPositions(both, 20));
    // A second request ranks only what is left.
    expect(
      pruneSynapseMatrices([a2, b2], { criterion: "random", count: 10, scope: "global" }, { rng: rng.fork("r") })
        .remaining,
    ).toBe(20);
  });
});

describe("random pruning is the uniform control", () => {
  // Weights grow with position, so any preference for small or large |w| shows
  // up as a trend in the per-position removal counts.
  const positions = 20;
  const trials = 2000;
  const k = 5;
  const expected = (trials * k) / positions; // 500; binomial sd = sqrt(2000 · 0.25 · 0.75) ≈ 19.4

  function check(counts: number[]): void {
    expect(chiSquare(counts, expected)).toBeLessThan(CHI2_19_999);
    for (const c of counts) expect(Math.abs(c - expected)).toBeLessThan(5 * Math.sqrt(trials * 0.25 * 0.75));
    const low = counts.slice(0, 10).reduce((a, b) => a + b, 0);
    const high = counts.slice(10).reduce((a, b) => a + b, 0);
    // Halves: each ~ 5000 ± 61 (hypergeometric-ish); a bias toward either end fails.
    expect(Math.abs(low - high)).toBeLessThan(400);
  }

  it("over mask positions (ANN)", () => {
    const rng = Rng.fromSeed(5);
    const counts = new Array<number>(positions).fill(0);
    for (let t = 0; t < trials; t++) {
      const p = param(Array.from({ length: positions }, (_, i) => i + 1));
      randomPrune([p], { count: k }, rng);
      p.mask!.forEach((m, i) => {
        if (m === 0) counts[i]!++;
      });
    }
    check(counts);
  });

  it("over CSR synapses (SNN)", () => {
    const rng = Rng.fromSeed(6);
    const counts = new Array<number>(positions).fill(0);
    for (let t = 0; t < trials; t++) {
      const m = denseMatrix(
        4,
        5,
        Float32Array.from({ length: positions }, (_, i) => i + 1),
      );
      expect(pruneSynapsesAtRandom(m, k, rng)).toBe(k);
      for (let s = 0; s < m.count; s++) if (m.isDead(s)) counts[s]!++;
    }
    check(counts);
  });

  it("magnitude pruning fails the same uniformity check (the check can fail)", () => {
    const counts = new Array<number>(positions).fill(0);
    for (let t = 0; t < trials; t++) {
      const p = param(Array.from({ length: positions }, (_, i) => i + 1));
      magnitudePrune([p], { count: k });
      p.mask!.forEach((m, i) => {
        if (m === 0) counts[i]!++;
      });
    }
    expect(chiSquare(counts, expected)).toBeGreaterThan(CHI2_19_999);
  });
});

describe("activity criterion: use it or lose it", () => {
  // dt 1 ms, window 20 ms. Pre 0 and post 0 fire together at 100 ms; pre 1 at
  // 300 ms and post 1 at 302 ms; pre 2 at 600 ms and post 2 at 1000 ms (never
  // within a window). Every other pair is at least 198 ms apart.
  const spikes = { pre: [[100], [300], [600]], post: [[100], [302], [1000]] };

  function run(order: "pre-first" | "post-first"): ActivityCriterion {
    const m = denseMatrix(3, 3, new Float32Array(9).fill(1));
    const c = new ActivityCriterion(m, { dtMs: 1, windowMs: 20, tauMs: 100_000 });
    const preSp = new Int32Array(3);
    const postSp = new Int32Array(3);
    for (let step = 0; step <= 1000; step++) {
      let np = 0;
      let nq = 0;
      for (let i = 0; i < 3; i++) if (spikes.pre[i]!.includes(step)) preSp[np++] = i;
      for (let j = 0; j < 3; j++) if (spikes.post[j]!.includes(step)) postSp[nq++] = j;
      if (order === "pre-first") c.update(step, preSp, np, postSp, nq);
      else {
        for (let k = 0; k < nq; k++) c.onPostSpike(postSp[k]!, step);
        for (let k = 0; k < np; k++) c.onPreSpike(preSp[k]!, step);
      }
    }
    return c;
  }

  it("scores coincident pairs and not the others; same-step pairs count once", () => {
    for (const order of ["pre-first", "post-first"] as const) {
      const c = run(order);
      const at = 1000;
      const decay = (steps: number) => Math.exp(-steps / 100_000);
      expect(c.scoreAt(0, at)).toBeCloseTo(1 * decay(900), 9); // synapse 0 = (0 → 0), one coincidence at 100
      expect(c.scoreAt(4, at)).toBeCloseTo(Math.exp(-2 / 20) * decay(698), 9); // (1 → 1), Δt = 2 ms
      for (const s of [1, 2, 3, 5, 6, 7, 8]) expect(c.scoreAt(s, at)).toBeLessThan(1e-4);
    }
  });

  it("as a network monitor scores the same spikes as the hand-fed loop", () => {
    const fed = run("pre-first");
    const m = denseMatrix(3, 3, new Float32Array(9).fill(1));
    const flat = (lists: number[][]) => lists.flatMap((ts, i) => ts.map((t) => [i, t] as const));
    const pre = flat(spikes.pre);
    const post = flat(spikes.post);
    const preGen = new SpikeGeneratorGroup(
      "pre",
      3,
      pre.map((p) => p[0]),
      pre.map((p) => p[1]),
      1,
    );
    const postGen = new SpikeGeneratorGroup(
      "post",
      3,
      post.map((p) => p[0]),
      post.map((p) => p[1]),
      1,
    );
    const c = ActivityCriterion.watching(
      { matrix: m, source: preGen, target: postGen },
      { dtMs: 1, windowMs: 20, tauMs: 100_000 },
    );
    const net = new Network({ dtMs: 1, groups: [preGen, postGen], monitors: [c] });
    net.run(1001);
    for (let s = 0; s < 9; s++) expect(c.scoreAt(s, 1000)).toBeCloseTo(fed.scoreAt(s, 1000), 12);
    expect(c.scoreAt(0, 1000)).toBeGreaterThan(0.9);
  });

  it("pruning removes exactly the synapses whose pre and post never coincide", () => {
    const c = run("pre-first");
    expect(c.prune(7, 1000)).toBe(7);
    const alive = [];
    for (let s = 0; s < 9; s++) if (!c.matrix.isDead(s)) alive.push(s);
    expect(alive).toEqual([0, 4]);
    expect(c.compact()).toBe(7);
    expect(Array.from(c.matrix.rowPtr)).toEqual([0, 1, 2, 2]);
    expect(Array.from(c.matrix.target)).toEqual([0, 1]);
    // Scores followed their synapses through compaction.
    expect(c.scoreAt(0, 1000)).toBeCloseTo(Math.exp(-900 / 100_000), 9);
    expect(c.scoreAt(1, 1000)).toBeCloseTo(Math.exp(-2 / 20) * Math.exp(-698 / 100_000), 9);
  });
});

describe("schedules (Navlakha et al. 2015; Huttenlocher 1979)", () => {
  const ctx = { initialCount: 10_000, possibleCount: 10_000 };
  const base = { applications: 20, targetDensity: 0.4 };
  const total = 6000;

  function plan(s: object) {
    return schedulePlan(pruningScheduleSchema.parse(s), ctx);
  }
  const sum = (a: Int32Array) => a.reduce((x, y) => x + y, 0);
  const firstHalf = (a: Int32Array) => sum(a.slice(0, a.length / 2));

  it("constant rate removes equal amounts that sum to the target", () => {
    const p = plan({ type: "constant-rate", ...base });
    expect(sum(p.prune)).toBe(total);
    for (const c of p.prune) expect(c).toBe(300);
    expect(p.countAfter[19]).toBe(4000);
  });

  it("increasing rate back-loads, decreasing rates front-load; all sum to the target", () => {
    const inc = plan({ type: "increasing-rate", ...base });
    const decLin = plan({ type: "decreasing-rate", decay: "linear", ...base });
    const decExp = plan({ type: "decreasing-rate", decay: "exponential", halfLifeApplications: 4, ...base });
    for (const p of [inc, decLin, decExp]) {
      expect(sum(p.prune)).toBe(total);
      expect(p.countAfter[19]).toBe(4000);
    }
    for (let i = 1; i < 20; i++) {
      expect(inc.prune[i]!).toBeGreaterThanOrEqual(inc.prune[i - 1]!);
      expect(decLin.prune[i]!).toBeLessThanOrEqual(decLin.prune[i - 1]!);
      expect(decExp.prune[i]!).toBeLessThanOrEqual(decExp.prune[i - 1]!);
    }
    // Linear: w_i = i + 1 (resp. 20 - i) out of 210: the first half takes 55/210 (resp. 155/210).
    expect(firstHalf(inc.prune)).toBe(Math.round((total * 55) / 210));
    expect(firstHalf(decLin.prune)).toBe(Math.round((total * 155) / 210));
    // Exponential, half-life 4 applications: the first 4 take (1 - 1/2) / (1 - 2^-5) of the total.
    expect(sum(decExp.prune.slice(0, 4))).toBe(Math.round((total * 0.5) / (1 - 2 ** -5)));
  });

  it("the developmental programme rises to 150% of the adult density, then falls to 100%", () => {
    const adult = 0.1;
    const s = pruningScheduleSchema.parse({
      type: "developmental",
      finalDensity: adult,
      growApplications: 5,
      pruneApplications: 10,
    });
    const p = schedulePlan(s, { initialCount: 200, possibleCount: 10_000 });
    const counts = Array.from(p.countAfter);
    expect(Math.max(...counts)).toBe(1500);
    expect(counts[4]).toBe(1500);
    for (let i = 1; i < 5; i++) expect(counts[i]!).toBeGreaterThan(counts[i - 1]!);
    for (let i = 6; i < 15; i++) expect(counts[i]!).toBeLessThanOrEqual(counts[i - 1]!);
    expect(counts[14]).toBe(1000);
    expect(sum(p.grow)).toBe(1300);
    expect(sum(p.prune)).toBe(500);
    // The default pruning rate decreases (Navlakha et al.): front-loaded.
    expect(p.prune[5]!).toBeGreaterThan(p.prune[14]!);
  });

  it("applies every k samples or at every epoch end", () => {
    expect(applicationsDue({ samples: 100 }, 0, 99, false)).toBe(0);
    expect(applicationsDue({ samples: 100 }, 99, 100, false)).toBe(1);
    expect(applicationsDue({ samples: 100 }, 150, 420, true)).toBe(3); // 200, 300, 400
    expect(applicationsDue("epoch", 0, 5000, false)).toBe(0);
    expect(applicationsDue("epoch", 0, 5000, true)).toBe(1);
  });

  it("refuses unknown schedule types and bad densities", () => {
    expect(pruningScheduleSchema.safeParse({ type: "sometimes", applications: 3, targetDensity: 0.5 }).success).toBe(
      false,
    );
    expect(
      pruningScheduleSchema.safeParse({ type: "constant-rate", applications: 3, targetDensity: 1.5 }).success,
    ).toBe(false);
    expect(pruneRequestSchema.safeParse({ criterion: "magnitude", fraction: 0.5, count: 3 }).success).toBe(false);
    expect(pruneRequestSchema.parse({ criterion: "random", count: 3 }).scope).toBe("per-layer");
  });
});

describe("masks through training", () => {
  for (const optimizer of [
    { type: "sgd", learningRate: 0.1, momentum: 0.9 },
    { type: "adam", learningRate: 0.01 },
  ]) {
    it(`pruned weights stay exactly 0 through ${optimizer.type} updates`, () => {
      const mlp = new MlpLearner(
        mlpConfigSchema.parse({ type: "mlp", hidden: [8], batchSize: 16, optimizer }),
        shape,
        Rng.fromSeed(7),
      );
      const data = Rng.fromSeed(8);
      // A few steps first so momentum / Adam moments are non-zero when the mask lands.
      for (let t = 0; t < 3; t++) {
        const { x, y } = batchOf(data, 16);
        mlp.trainBatch(x, y, 16);
      }
      mlp.prune({ criterion: "magnitude", fraction: 0.5 });
      const weights = mlp.params().filter((p) => p.decay);
      const atPrune = weights.map((p) => p.value.slice());
      for (let t = 0; t < 10; t++) {
        const { x, y } = batchOf(data, 16);
        mlp.trainBatch(x, y, 16);
      }
      let changed = 0;
      weights.forEach((p, l) => {
        p.mask!.forEach((m, i) => {
          if (m === 0) expect(p.value[i]).toBe(0);
          else if (p.value[i] !== atPrune[l]![i]) changed++;
        });
      });
      expect(changed).toBeGreaterThan(0.9 * maskCounts(weights).remaining);
    });
  }
});

describe("lottery-ticket rewinding (Frankle & Carbin 2019)", () => {
  it("restores the initial values of the survivors and keeps the pruned at 0", () => {
    const mlp = new MlpLearner(
      mlpConfigSchema.parse({ type: "mlp", hidden: [10], batchSize: 16 }),
      shape,
      Rng.fromSeed(9),
    );
    const params = mlp.params();
    const init = snapshotWeights(params);
    const data = Rng.fromSeed(10);
    for (let t = 0; t < 20; t++) {
      const { x, y } = batchOf(data, 16);
      mlp.trainBatch(x, y, 16);
    }
    mlp.prune({ criterion: "magnitude", fraction: 0.8, scope: "global" });
    rewindWeights(params, init);
    params.forEach((p, l) => {
      for (let i = 0; i < p.value.length; i++) {
        if (p.mask !== undefined && p.mask[i] === 0) expect(p.value[i]).toBe(0);
        else expect(p.value[i]).toBe(init.values[l]![i]);
      }
    });
  });

  it("iterative pruning with rewinding reaches (1 - p)^R density after R rounds", () => {
    const mlp = new MlpLearner(
      mlpConfigSchema.parse({ type: "mlp", hidden: [20], batchSize: 16 }),
      shape,
      Rng.fromSeed(11),
    );
    const weights = mlp.params().filter((p) => p.decay);
    const init = snapshotWeights(weights);
    const p = perRoundFraction(0.2, 3);
    expect((1 - p) ** 3).toBeCloseTo(0.2, 12);
    const data = Rng.fromSeed(12);
    const rounds: number[] = [];
    const results = pruneIteratively(
      weights,
      { criterion: "magnitude", rounds: 3, fractionPerRound: p, rewindTo: init, rng: Rng.fromSeed(13) },
      (r) => {
        rounds.push(r);
        for (let t = 0; t < 5; t++) {
          const { x, y } = batchOf(data, 16);
          mlp.trainBatch(x, y, 16);
        }
      },
    );
    expect(rounds).toEqual([0, 1, 2]);
    const total = 6 * 20 + 20 * 3;
    // Each round removes round(p · live) of the live weights, p = 1 - 0.2^(1/3) = 0.4152:
    // 180 -> 180 - 75 = 105 -> 105 - 44 = 61 -> 61 - 25 = 36 = 0.2 · 180 (per layer the same:
    // 120 -> 70 -> 41 -> 24 and 60 -> 35 -> 20 -> 12).
    expect(results.map((r) => r.remaining)).toEqual([105, 61, 36]);
    expect(results[2]!.remaining / total).toBe(0.2);
  });
});

describe("compaction after pruning", () => {
  it("keeps every survivor's source, target, weight and delay", () => {
    const rng = Rng.fromSeed(14);
    const nPre = 30;
    const nPost = 40;
    const w = rng.fillNormal(new Float32Array(nPre * nPost), 0, 1);
    const d = new Uint16Array(w.length);
    for (let s = 0; s < d.length; s++) d[s] = rng.int(16);
    const m = denseMatrix(nPre, nPost, w, d);
    const src = m.sources();
    pruneSynapsesByMagnitude(m, 600);
    const survivors: string[] = [];
    for (let s = 0; s < m.count; s++)
      if (!m.isDead(s)) survivors.push(`${src[s]}>${m.target[s]}:${m.weight[s]}@${m.delay![s]}`);
    expect(m.compact()).toBe(600);
    const src2 = m.sources();
    const after: string[] = [];
    for (let s = 0; s < m.count; s++) after.push(`${src2[s]}>${m.target[s]}:${m.weight[s]}@${m.delay![s]}`);
    expect(after).toEqual(survivors);
    expect(m.count).toBe(nPre * nPost - 600);
  });
});

describe("regrowth", () => {
  it("adds synapses only at free positions, keeps the old ones, and draws positions uniformly", () => {
    const rng = Rng.fromSeed(15);
    // Recurrent 5×5 with a 1-step uniform delay and a few synapses present.
    const rowPtr = Int32Array.from([0, 2, 3, 3, 4, 4]);
    const target = Int32Array.from([1, 3, 2, 0]);
    const weight = Float32Array.from([0.5, -0.25, 0.75, 1]);
    const m = new SynapseMatrix(5, 5, rowPtr, target, weight, null, 1);
    const occupied = new Set(["0>1", "0>3", "1>2", "3>0"]);
    const freeCount = 25 - 5 - 4; // no self-connections
    const counts = new Map<string, number>();
    const trials = 1600;
    for (let t = 0; t < trials; t++) {
      const g = regrowSynapses(m, 2, { weight: 0.01, rng });
      expect(g.count).toBe(6);
      expect(g.delay).toBeNull();
      expect(g.uniformDelaySteps).toBe(1);
      const src = g.sources();
      const seen = new Set<string>();
      const old: string[] = [];
      for (let s = 0; s < g.count; s++) {
        const key = `${src[s]}>${g.target[s]}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
        if (occupied.has(key)) old.push(`${key}:${g.weight[s]}`);
        else {
          expect(src[s]).not.toBe(g.target[s]);
          expect(g.weight[s]).toBeCloseTo(0.01, 7);
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      expect(old).toEqual(["0>1:0.5", "0>3:-0.25", "1>2:0.75", "3>0:1"]);
    }
    expect(counts.size).toBe(freeCount);
    const expected = (trials * 2) / freeCount;
    // Chi-square with 15 degrees of freedom, 99.9% quantile 37.70.
    expect(chiSquare([...counts.values()], expected)).toBeLessThan(37.7);
  });

  it("fills every free position when asked for more than are free", () => {
    const m = denseMatrix(2, 3, new Float32Array(6).fill(1));
    m.markDead(1);
    m.markDead(4);
    m.compact();
    const g = regrowSynapses(m, 10, { weight: 0.1, delaySteps: 2, rng: Rng.fromSeed(16) });
    expect(g.count).toBe(6);
    expect(Array.from(g.delay!)).toEqual([0, 0, 2, 0, 0, 2]);
    expect(Array.from(g.target)).toEqual([0, 2, 1, 0, 2, 1]);
  });
});

describe("MlpLearner.prune and effective operations", () => {
  it("90% magnitude pruning leaves 10% of each layer's weights and 10% of the MACs", () => {
    const mlp = new MlpLearner(
      mlpConfigSchema.parse({ type: "mlp", hidden: [40, 20], batchSize: 8 }),
      shape,
      Rng.fromSeed(17),
    );
    const dense = 6 * 40 + 40 * 20 + 20 * 3;
    expect(effectiveOps(mlp.net.layers)).toBe(dense);
    const r = mlp.prune({ criterion: "magnitude", fraction: 0.9 });
    const kept = 24 + 80 + 6;
    expect(r).toEqual({ removed: dense - kept, remaining: kept, total: dense });
    const weights = mlp.params().filter((p) => p.decay);
    expect(weights.map((p) => maskCounts([p]).remaining)).toEqual([24, 80, 6]);
    expect(effectiveOps(mlp.net.layers)).toBe(kept);
    expect(denseOpsPerSample(mlp.net.layers)).toBe(dense);
    const stats = mlp.collectStats();
    expect(stats["synapseCount"]).toBe(kept);
    expect(stats["connectionDensity"]).toBeCloseTo(kept / dense, 12);
    expect(stats["effectiveOpsPerSample"]).toBe(kept);
    // Biases are not pruned.
    for (const p of mlp.params().filter((q) => !q.decay)) expect(p.mask).toBeUndefined();
  });

  it("random pruning through the learner is reproducible from the learner's seed", () => {
    const make = () =>
      new MlpLearner(mlpConfigSchema.parse({ type: "mlp", hidden: [12], batchSize: 8 }), shape, Rng.fromSeed(18));
    const a = make();
    const b = make();
    a.prune({ criterion: "random", count: 30, scope: "global" });
    b.prune({ criterion: "random", count: 30, scope: "global" });
    expect(a.params().map((p) => Array.from(p.mask ?? []))).toEqual(b.params().map((p) => Array.from(p.mask ?? [])));
    expect(maskCounts(a.params().filter((p) => p.decay)).remaining).toBe(6 * 12 + 12 * 3 - 30);
    expect(() => a.prune({ criterion: "activity", fraction: 0.1 })).toThrow(/activity/);
  });
});

describe("pruning benchmark (counts only: timing belongs to the benchmark)", () => {
  it("halves the synapses and about halves the synaptic events per sample", () => {
    const r = runPruningBench({ inputs: 60, neurons: 50, rateHz: 50, sampleMs: 20, samples: 3 });
    expect(r.full.synapses).toBe(3000);
    expect(r.pruned.synapses).toBe(1500);
    // Both copies see the same input spikes; each spike now walks a row half as long on average.
    expect(r.full.eventsPerSample).toBeGreaterThan(0);
    const ratio = r.pruned.eventsPerSample / r.full.eventsPerSample;
    expect(ratio).toBeGreaterThan(0.35);
    expect(ratio).toBeLessThan(0.65);
  });
});
