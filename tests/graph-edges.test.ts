// Graph measures (src/metrics/graph.ts) at their edges, worked out by hand:
// the CSR a layered or recurrent graph builds (row pointers of every node),
// connectivity given as a plain CsrConnectivity with and without dead
// synapses, BFS keeping the first (shortest) distance when a longer route
// reaches a node later, graphs with no pairs or no possible synapses, and the
// refusals with their messages.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import {
  type CsrConnectivity,
  connectionDensity,
  layeredGraph,
  recurrentGraph,
  reverseGraph,
  robustness,
  routingStats,
} from "../src/metrics/graph.js";

/** A plain CSR connectivity (no weights, no SynapseMatrix) from (pre, post) pairs in row order. */
function plain(nPre: number, nPost: number, pairs: readonly [number, number][], dead: readonly number[] = []) {
  const rowPtr = new Int32Array(nPre + 1);
  for (const [i] of pairs) rowPtr[i + 1]!++;
  for (let i = 0; i < nPre; i++) rowPtr[i + 1]! += rowPtr[i]!;
  const target = Int32Array.from(pairs.map(([, j]) => j));
  const m: CsrConnectivity =
    dead.length === 0
      ? { nPre, nPost, rowPtr, target }
      : { nPre, nPost, rowPtr, target, isDead: (s) => dead.includes(s) };
  return m;
}

describe("the CSR a graph is built as", () => {
  it("layered 2 → 3 → 1: node ids offset by layer, row pointers for every node, outputs with none", () => {
    const g = layeredGraph([
      plain(2, 3, [
        [0, 0],
        [0, 2],
        [1, 1],
      ]),
      plain(3, 1, [
        [0, 0],
        [2, 0],
      ]),
    ]);
    expect(g.nodes).toBe(6);
    expect(Array.from(g.rowPtr)).toEqual([0, 2, 3, 4, 4, 5, 5]);
    expect(Array.from(g.target)).toEqual([2, 4, 3, 5, 5]);
    expect(g.possible).toBe(2 * 3 + 3 * 1);
    expect(Array.from(g.inputs)).toEqual([0, 1]);
    expect(Array.from(g.outputs)).toEqual([5]);
    // 0 → 2 → 5 and 0 → 4 → 5; 1 → 3 has no way on.
    const r = routingStats(g);
    expect(r.pairs).toBe(2);
    expect(r.connectedPairs).toBe(1);
    expect(r.meanPathLength).toBe(2);
  });

  it("leaves out dead synapses of plain connectivities, layered and recurrent", () => {
    // Layer 0 → 1 → 2 with synapse 1 of the first matrix (0 → 1's second target) dead.
    const layered = layeredGraph([
      plain(
        1,
        2,
        [
          [0, 0],
          [0, 1],
        ],
        [1],
      ),
      plain(2, 1, [
        [0, 0],
        [1, 0],
      ]),
    ]);
    expect(Array.from(layered.rowPtr)).toEqual([0, 1, 2, 3, 3]);
    expect(Array.from(layered.target)).toEqual([1, 3, 3]);
    const rec = recurrentGraph(
      plain(
        3,
        3,
        [
          [0, 1],
          [0, 2],
          [1, 2],
        ],
        [1],
      ),
      [0],
      [2],
    );
    expect(Array.from(rec.rowPtr)).toEqual([0, 1, 2, 2]);
    expect(Array.from(rec.target)).toEqual([1, 2]);
    expect(routingStats(rec).meanPathLength).toBe(2); // the direct 0 → 2 is dead
    // The first synapse of a row dead: the row's targets shift down past it.
    const firstDead = recurrentGraph(
      plain(
        3,
        3,
        [
          [0, 1],
          [0, 2],
          [1, 2],
        ],
        [0],
      ),
      [0],
      [2],
    );
    expect(Array.from(firstDead.rowPtr)).toEqual([0, 1, 2, 2]);
    expect(Array.from(firstDead.target)).toEqual([2, 2]);
    // Without isDead every synapse counts.
    const all = recurrentGraph(
      plain(3, 3, [
        [0, 1],
        [0, 2],
        [1, 2],
      ]),
      [0],
      [2],
    );
    expect(routingStats(all).meanPathLength).toBe(1);
  });

  it("BFS keeps a node's first distance: a longer route found later does not overwrite it", () => {
    // 0 → 3 directly, and 0 → 1 → 2 → 3; the queue meets 3 again from 2 at distance 3.
    const g = recurrentGraph(
      plain(4, 4, [
        [0, 3],
        [0, 1],
        [1, 2],
        [2, 3],
      ]),
      [0],
      [2, 3],
    );
    const r = routingStats(g);
    expect(r.meanPathLength).toBe((1 + 2) / 2);
    expect(r.efficiency).toBeCloseTo((1 / 1 + 1 / 2) / 2, 14);
  });
});

describe("graphs with nothing to measure", () => {
  it("no possible synapses: density 0 (not NaN)", () => {
    const g = recurrentGraph(plain(1, 1, []), [0], [0], { selfConnections: false });
    expect(g.possible).toBe(0);
    expect(connectionDensity(g)).toBe(0);
  });

  it("no input-output pairs (the only output is the input): zeros and a NaN path length", () => {
    const g = recurrentGraph(plain(2, 2, [[0, 1]]), [0], [0]);
    expect(routingStats(g)).toEqual({
      pairs: 0,
      connectedPairs: 0,
      connectedFraction: 0,
      meanPathLength: NaN,
      efficiency: 0,
    });
    const points = robustness(g, { remove: "synapses", fractions: [0, 1], trials: 2, rng: Rng.fromSeed(1) });
    expect(points.map((p) => p.connectedFraction)).toEqual([0, 0]);
  });
});

describe("robustness draws", () => {
  it("each damage fraction draws its own patterns, and one trial is allowed", () => {
    const complete = (a: number, b: number) => {
      const pairs: [number, number][] = [];
      for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) pairs.push([i, j]);
      return plain(a, b, pairs);
    };
    // One complete 4 → 4 layer: its pairs are its synapses, so removing half leaves half, whatever the draw.
    const layer = layeredGraph([complete(4, 4)]);
    const half = robustness(layer, { remove: "synapses", fractions: [0.5, 0.5], trials: 1, rng: Rng.fromSeed(3) });
    expect(half).toEqual([
      { fraction: 0.5, removed: 8, connectedFraction: 0.5 },
      { fraction: 0.5, removed: 8, connectedFraction: 0.5 },
    ]);
    // 3 → 3 → 3: which 9 of the 18 synapses go decides which pairs stay connected, so
    // three points at the same fraction, each with its own stream, do not all agree.
    const two = layeredGraph([complete(3, 3), complete(3, 3)]);
    const pts = robustness(two, { remove: "synapses", fractions: [0.5, 0.5, 0.5], trials: 1, rng: Rng.fromSeed(3) });
    expect(pts.map((p) => p.removed)).toEqual([9, 9, 9]);
    expect(new Set(pts.map((p) => p.connectedFraction)).size).toBeGreaterThan(1);
    const neurons = robustness(two, { remove: "neurons", fractions: [0.5], trials: 1, rng: Rng.fromSeed(3) });
    expect(neurons[0]!.removed).toBe(5); // round(0.5 · 9 neurons) = 5 (round half up: 4.5 -> 5)
  });
});

describe("refusals", () => {
  it("say what was wrong", () => {
    expect(() => layeredGraph([])).toThrow("a layered graph needs at least one matrix");
    expect(() => layeredGraph([plain(2, 3, []), plain(2, 1, [])])).toThrow(
      "layer 1 has 2 sources but layer 0 has 3 targets",
    );
    expect(() => recurrentGraph(plain(2, 3, []), [0], [1])).toThrow("a recurrent graph needs a square matrix, got 2×3");
    expect(() => recurrentGraph(plain(3, 3, []), [-1], [1])).toThrow("neuron -1 is outside 0..2");
    expect(() => recurrentGraph(plain(3, 3, []), [0], [3])).toThrow("neuron 3 is outside 0..2");
    const g = layeredGraph([plain(1, 1, [[0, 0]])]);
    const rng = Rng.fromSeed(0);
    for (const trials of [0, 1.5, -1])
      expect(() => robustness(g, { remove: "synapses", fractions: [0], trials, rng })).toThrow(
        `trials must be a positive integer, got ${trials}`,
      );
    expect(robustness(g, { remove: "synapses", fractions: [1], trials: 1, rng })).toEqual([
      { fraction: 1, removed: 1, connectedFraction: 0 },
    ]);
    for (const fraction of [-0.1, 1.1, NaN])
      expect(() => robustness(g, { remove: "synapses", fractions: [fraction], rng })).toThrow(
        `damage fraction must be in [0, 1], got ${fraction}`,
      );
    expect(reverseGraph(g).possible).toBe(1);
  });
});
