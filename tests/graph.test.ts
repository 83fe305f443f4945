// References: shortest paths, efficiencies (Latora & Marchiori 2001) and the
// connected fraction of input-output pairs under random damage (Navlakha et
// al. 2015's robustness measure), each worked out by hand below for a chain,
// a complete bipartite layer, a diamond and a directed cycle.
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import {
  connectionDensity,
  layeredGraph,
  recurrentGraph,
  reverseGraph,
  robustness,
  routingStats,
  synapseCount,
} from "../src/metrics/graph.js";
import { SynapseMatrix } from "../src/snn/synapses/csr.js";

/** A CSR matrix from (pre, post) pairs listed in row order. */
function csr(nPre: number, nPost: number, pairs: readonly [number, number][]): SynapseMatrix {
  const rowPtr = new Int32Array(nPre + 1);
  for (const [i] of pairs) rowPtr[i + 1]!++;
  for (let i = 0; i < nPre; i++) rowPtr[i + 1]! += rowPtr[i]!;
  const target = Int32Array.from(pairs.map(([, j]) => j));
  return new SynapseMatrix(nPre, nPost, rowPtr, target, new Float32Array(pairs.length).fill(1));
}

const one: [number, number][] = [[0, 0]];

describe("chain 0 → 1 → 2 → 3", () => {
  const layered = () => layeredGraph([csr(1, 1, one), csr(1, 1, one), csr(1, 1, one)]);

  it("has 3 synapses at density 1 and one route of length 3", () => {
    const g = layered();
    expect(g.nodes).toBe(4);
    expect(Array.from(g.inputs)).toEqual([0]);
    expect(Array.from(g.outputs)).toEqual([3]);
    expect(synapseCount(g)).toBe(3);
    expect(connectionDensity(g)).toBe(1);
    expect(routingStats(g)).toEqual({
      pairs: 1,
      connectedPairs: 1,
      connectedFraction: 1,
      meanPathLength: 3,
      efficiency: 1 / 3,
    });
  });

  it("any single lost synapse or neuron disconnects it", () => {
    const g = layered();
    const bySynapse = robustness(g, { remove: "synapses", fractions: [0, 1 / 3, 1], trials: 10, rng: Rng.fromSeed(1) });
    expect(bySynapse.map((p) => [p.removed, p.connectedFraction])).toEqual([
      [0, 1],
      [1, 0],
      [3, 0],
    ]);
    const byNeuron = robustness(g, { remove: "neurons", fractions: [0.25], trials: 10, rng: Rng.fromSeed(2) });
    expect(byNeuron[0]).toEqual({ fraction: 0.25, removed: 1, connectedFraction: 0 });
  });

  it("as a recurrent population with two inputs and two outputs", () => {
    const g = recurrentGraph(
      csr(4, 4, [
        [0, 1],
        [1, 2],
        [2, 3],
      ]),
      [0, 1],
      [3, 2],
    );
    // Pairs: 0→3: 3, 0→2: 2, 1→3: 2, 1→2: 1.
    const r = routingStats(g);
    expect(r.pairs).toBe(4);
    expect(r.connectedFraction).toBe(1);
    expect(r.meanPathLength).toBe(2);
    expect(r.efficiency).toBeCloseTo((1 / 3 + 1 / 2 + 1 / 2 + 1) / 4, 12);
    expect(connectionDensity(g)).toBe(3 / 16);
    expect(
      connectionDensity(
        recurrentGraph(
          csr(4, 4, [
            [0, 1],
            [1, 2],
            [2, 3],
          ]),
          [0],
          [3],
          { selfConnections: false },
        ),
      ),
    ).toBe(3 / 12);
  });
});

describe("complete bipartite layer 3 → 4", () => {
  const all: [number, number][] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) all.push([i, j]);
  const g = layeredGraph([csr(3, 4, all)]);

  it("routes every pair in one step", () => {
    expect(synapseCount(g)).toBe(12);
    expect(connectionDensity(g)).toBe(1);
    expect(routingStats(g)).toEqual({
      pairs: 12,
      connectedPairs: 12,
      connectedFraction: 1,
      meanPathLength: 1,
      efficiency: 1,
    });
  });

  it("loses exactly the pairs whose synapse was removed", () => {
    // Each pair has its own single synapse: removing k of 12 leaves (12 - k) / 12 in every trial.
    const r = robustness(g, { remove: "synapses", fractions: [0.25, 0.5], trials: 50, rng: Rng.fromSeed(3) });
    expect(r.map((p) => p.connectedFraction)).toEqual([0.75, 0.5]);
  });

  it("after losing 2 of 7 neurons keeps C(5,2)/C(7,2) = 10/21 of its pairs on average", () => {
    const [p] = robustness(g, { remove: "neurons", fractions: [2 / 7], trials: 4000, rng: Rng.fromSeed(4) });
    expect(p!.removed).toBe(2);
    // Per-trial sd < 0.2, so the mean of 4000 trials has se < 0.004.
    expect(p!.connectedFraction).toBeGreaterThan(10 / 21 - 0.02);
    expect(p!.connectedFraction).toBeLessThan(10 / 21 + 0.02);
  });
});

describe("diamond 0 → {1, 2} → 3", () => {
  const matrices = () => [
    csr(1, 2, [
      [0, 0],
      [0, 1],
    ]),
    csr(2, 1, [
      [0, 0],
      [1, 0],
    ]),
  ];

  it("has two routes of length 2", () => {
    const g = layeredGraph(matrices());
    expect(synapseCount(g)).toBe(4);
    expect(routingStats(g)).toEqual({
      pairs: 1,
      connectedPairs: 1,
      connectedFraction: 1,
      meanPathLength: 2,
      efficiency: 0.5,
    });
  });

  it("leaves synapses marked dead out of the graph", () => {
    const [a, b] = matrices();
    b!.markDead(0); // 1 → 3
    const g1 = layeredGraph([a!, b!]);
    expect(synapseCount(g1)).toBe(3);
    expect(connectionDensity(g1)).toBe(3 / 4);
    expect(routingStats(g1).meanPathLength).toBe(2);
    b!.markDead(1); // 2 → 3
    const r = routingStats(layeredGraph([a!, b!]));
    expect(r.connectedFraction).toBe(0);
    expect(r.meanPathLength).toBeNaN();
    expect(r.efficiency).toBe(0);
  });

  it("survives one lost synapse always, two with probability 1/3, one lost neuron with probability 1/2", () => {
    const g = layeredGraph(matrices());
    const [one1, two] = robustness(g, {
      remove: "synapses",
      fractions: [0.25, 0.5],
      trials: 3000,
      rng: Rng.fromSeed(5),
    });
    expect(one1!.connectedFraction).toBe(1);
    // Of the 6 pairs of removed synapses, only the 2 that cut one route twice keep a route.
    expect(Math.abs(two!.connectedFraction - 1 / 3)).toBeLessThan(0.04);
    // Losing neuron 1 or 2 keeps the other route; losing 0 or 3 loses the pair.
    const [node] = robustness(g, { remove: "neurons", fractions: [0.25], trials: 3000, rng: Rng.fromSeed(6) });
    expect(Math.abs(node!.connectedFraction - 0.5)).toBeLessThan(0.05);
  });

  it("is reproducible from the seed", () => {
    const g = layeredGraph(matrices());
    const run = () => robustness(g, { remove: "synapses", fractions: [0.5], trials: 7, rng: Rng.fromSeed(7) });
    expect(run()).toEqual(run());
  });
});

describe("recurrent routes", () => {
  it("a directed 3-cycle: distances 1 and 2 in each direction", () => {
    const g = recurrentGraph(
      csr(3, 3, [
        [0, 1],
        [1, 2],
        [2, 0],
      ]),
      [0, 1, 2],
      [0, 1, 2],
    );
    // Six ordered pairs (self-pairs excluded): three at distance 1, three at 2.
    const r = routingStats(g);
    expect(r.pairs).toBe(6);
    expect(r.meanPathLength).toBe(1.5);
    expect(r.efficiency).toBe(0.75);
  });

  it("a shortcut shortens the route and BFS finds it", () => {
    const g = recurrentGraph(
      csr(5, 5, [
        [0, 1],
        [0, 3],
        [1, 2],
        [2, 3],
        [3, 4],
      ]),
      [0],
      [4, 2],
    );
    const r = routingStats(g);
    expect(r.meanPathLength).toBe((2 + 2) / 2); // 0→3→4 and 0→1→2
    expect(r.efficiency).toBe(0.5);
  });

  it("refuses mismatched layers and out-of-range neurons", () => {
    expect(() => layeredGraph([csr(2, 3, []), csr(2, 1, [])])).toThrow(/layer 1/);
    expect(() => recurrentGraph(csr(3, 3, []), [0], [3])).toThrow(/outside/);
  });
});

describe("reversed graph (routing from the outputs back)", () => {
  // 3 inputs → 2 hidden → 2 outputs; input 2 reaches nothing, hidden 1 reaches only output 1.
  const g = () =>
    layeredGraph([
      csr(3, 2, [
        [0, 0],
        [1, 0],
        [1, 1],
      ]),
      csr(2, 2, [
        [0, 0],
        [0, 1],
        [1, 1],
      ]),
    ]);

  it("turns every edge round and swaps inputs and outputs", () => {
    const r = reverseGraph(g());
    expect(Array.from(r.inputs)).toEqual([5, 6]);
    expect(Array.from(r.outputs)).toEqual([0, 1, 2]);
    const edges = (x: ReturnType<typeof g>) => {
      const out: string[] = [];
      for (let u = 0; u < x.nodes; u++)
        for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) out.push(`${u}>${x.target[e]}`);
      return out.sort();
    };
    expect(edges(r)).toEqual(
      edges(g())
        .map((e) => e.split(">").reverse().join(">"))
        .sort(),
    );
  });

  it("gives the same pairs, path lengths and efficiency", () => {
    const forward = routingStats(g());
    // Pairs: 3 × 2 = 6; connected: (0,5) (0,6) (1,5) (1,6): 4, all of length 2.
    expect(forward).toEqual({
      pairs: 6,
      connectedPairs: 4,
      connectedFraction: 4 / 6,
      meanPathLength: 2,
      efficiency: (4 * 0.5) / 6,
    });
    expect(routingStats(reverseGraph(g()))).toEqual(forward);
  });
});
