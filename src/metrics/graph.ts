/**
 * Graph measures of a connectivity (Navlakha, Barth & Bar-Joseph 2015):
 * how many synapses, how dense, how efficiently inputs reach outputs, and how
 * robust that routing is to damage.
 *
 *   density          synapses / possible synapses
 *   routing          for every (input, output) pair with input ≠ output, the
 *                    shortest directed path length d (BFS, unit edge length):
 *                    connectedFraction = connected pairs / pairs,
 *                    meanPathLength    = mean d over connected pairs (NaN if none),
 *                    efficiency        = mean over all pairs of 1/d, 0 when
 *                                        unconnected (Latora & Marchiori 2001)
 *   robustness       after removing round(f · E) synapses or round(f · N)
 *                    neurons uniformly at random, the fraction of the original
 *                    input-output pairs still connected (pairs that lost an
 *                    endpoint count as unconnected), averaged over trials;
 *                    or, given a list of source-target pairs (the test pairs
 *                    of a routing task), the fraction of those still routable
 *
 * A layered network is a list of CSR matrices between consecutive layers
 * (inputs: the first layer; outputs: the last); a recurrent one is a single
 * square CSR matrix with named input and output neurons; a network of
 * populations (a spiking network learner: an input stage, a recurrent pool,
 * synapses between them) is its populations' neurons one after another, with
 * every synapse population's edges. Synapses marked dead and not yet
 * compacted are left out.
 */
import type { Rng } from "../core/rng.js";
import type { PopulationConnectivity } from "../plasticity/pruning/structural.js";
import type { CsrConnectivity } from "../snn/synapses/csr.js";

export type { CsrConnectivity, PopulationConnectivity };

/** A directed graph over all neurons, CSR by source node. */
export interface ConnectivityGraph {
  readonly nodes: number;
  readonly rowPtr: Int32Array;
  readonly target: Int32Array;
  /** Synapses possible (the denominator of density). */
  readonly possible: number;
  readonly inputs: Int32Array;
  readonly outputs: Int32Array;
}

function liveEdges(m: CsrConnectivity, row: number): number {
  let n = 0;
  for (let s = m.rowPtr[row]!; s < m.rowPtr[row + 1]!; s++) if (m.isDead === undefined || !m.isDead(s)) n++;
  return n;
}

function range(lo: number, hi: number): Int32Array {
  const a = new Int32Array(hi - lo);
  for (let i = 0; i < a.length; i++) a[i] = lo + i;
  return a;
}

/** Layers L0 → L1 → ... as one graph: node ids are offset layer by layer. */
export function layeredGraph(layers: readonly CsrConnectivity[]): ConnectivityGraph {
  if (layers.length === 0) throw new RangeError("a layered graph needs at least one matrix");
  for (let k = 1; k < layers.length; k++) {
    if (layers[k]!.nPre !== layers[k - 1]!.nPost) {
      throw new RangeError(
        `layer ${k} has ${layers[k]!.nPre} sources but layer ${k - 1} has ${layers[k - 1]!.nPost} targets`,
      );
    }
  }
  const offsets = [0];
  for (const m of layers) offsets.push(offsets[offsets.length - 1]! + m.nPre);
  const nodes = offsets[layers.length]! + layers[layers.length - 1]!.nPost;
  const rowPtr = new Int32Array(nodes + 1);
  let edges = 0;
  let possible = 0;
  layers.forEach((m, k) => {
    possible += m.nPre * m.nPost;
    for (let i = 0; i < m.nPre; i++) {
      edges += liveEdges(m, i);
      rowPtr[offsets[k]! + i + 1] = edges;
    }
  });
  for (let u = offsets[layers.length]!; u < nodes; u++) rowPtr[u + 1] = edges;
  const target = new Int32Array(edges);
  let e = 0;
  layers.forEach((m, k) => {
    const next = offsets[k + 1]!;
    for (let i = 0; i < m.nPre; i++) {
      for (let s = m.rowPtr[i]!; s < m.rowPtr[i + 1]!; s++)
        if (m.isDead === undefined || !m.isDead(s)) target[e++] = next + m.target[s]!;
    }
  });
  const first = layers[0]!;
  return {
    nodes,
    rowPtr,
    target,
    possible,
    inputs: range(0, first.nPre),
    outputs: range(offsets[layers.length]!, nodes),
  };
}

/** A recurrent population (square matrix) with given input and output neurons. */
export function recurrentGraph(
  m: CsrConnectivity,
  inputs: ArrayLike<number>,
  outputs: ArrayLike<number>,
  options: { selfConnections?: boolean } = {},
): ConnectivityGraph {
  if (m.nPre !== m.nPost) throw new RangeError(`a recurrent graph needs a square matrix, got ${m.nPre}×${m.nPost}`);
  const n = m.nPre;
  for (const list of [inputs, outputs]) {
    for (let k = 0; k < list.length; k++)
      if (!(list[k]! >= 0 && list[k]! < n)) throw new RangeError(`neuron ${list[k]} is outside 0..${n - 1}`);
  }
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i]! + liveEdges(m, i);
  const target = new Int32Array(rowPtr[n]!);
  let e = 0;
  for (let i = 0; i < n; i++) {
    for (let s = m.rowPtr[i]!; s < m.rowPtr[i + 1]!; s++)
      if (m.isDead === undefined || !m.isDead(s)) target[e++] = m.target[s]!;
  }
  const possible = (options.selfConnections ?? true) ? n * n : n * (n - 1);
  return { nodes: n, rowPtr, target, possible, inputs: Int32Array.from(inputs), outputs: Int32Array.from(outputs) };
}

/**
 * Populations joined by synapse populations (any of them recurrent) as one
 * graph: node ids run population by population, each projection's synapse
 * i → j becomes the edge (offset of its source + i) → (offset of its target + j);
 * inputs and outputs are the neurons of the two named populations.
 */
export function populationGraph(c: PopulationConnectivity): ConnectivityGraph {
  const offsets = [0];
  for (const n of c.sizes) offsets.push(offsets[offsets.length - 1]! + n);
  const nodes = offsets[c.sizes.length]!;
  for (const [k, p] of c.projections.entries()) {
    const from = c.sizes[p.source];
    const to = c.sizes[p.target];
    if (from !== p.matrix.nPre || to !== p.matrix.nPost)
      throw new RangeError(
        `projection ${k} is ${p.matrix.nPre}×${p.matrix.nPost} but joins populations of ${from} and ${to} neurons`,
      );
  }
  for (const x of [c.inputs, c.outputs])
    if (c.sizes[x] === undefined) throw new RangeError(`population ${x} is not one of the ${c.sizes.length}`);
  // Edges per source node, then the targets in source order.
  const rowPtr = new Int32Array(nodes + 1);
  for (const p of c.projections) {
    const base = offsets[p.source]!;
    for (let i = 0; i < p.matrix.nPre; i++) rowPtr[base + i + 1]! += liveEdges(p.matrix, i);
  }
  for (let u = 0; u < nodes; u++) rowPtr[u + 1]! += rowPtr[u]!;
  const fill = rowPtr.slice(0, nodes);
  const target = new Int32Array(rowPtr[nodes]!);
  for (const p of c.projections) {
    const m = p.matrix;
    const base = offsets[p.source]!;
    const into = offsets[p.target]!;
    for (let i = 0; i < m.nPre; i++) {
      for (let s = m.rowPtr[i]!; s < m.rowPtr[i + 1]!; s++)
        if (m.isDead === undefined || !m.isDead(s)) target[fill[base + i]!++] = into + m.target[s]!;
    }
  }
  return {
    nodes,
    rowPtr,
    target,
    possible: c.possible,
    inputs: range(offsets[c.inputs]!, offsets[c.inputs + 1]!),
    outputs: range(offsets[c.outputs]!, offsets[c.outputs + 1]!),
  };
}

/** Synapses (edges) in a connectivity graph. */
export function synapseCount(g: ConnectivityGraph): number {
  return g.target.length;
}

/** Synapses present / synapses possible (0 for a graph that allows none). */
export function connectionDensity(g: ConnectivityGraph): number {
  return g.possible === 0 ? 0 : g.target.length / g.possible;
}

/** Input-to-output routing of a connectivity graph: how many pairs are connected and by how long a path. */
export interface RoutingStats {
  /** Input-output pairs with input ≠ output. */
  pairs: number;
  connectedPairs: number;
  connectedFraction: number;
  /** Mean shortest path over connected pairs; NaN when none is connected. */
  meanPathLength: number;
  /** Mean of 1/d over all pairs (0 for unconnected pairs). */
  efficiency: number;
}

/** Working buffers for repeated BFS over one graph (allocated once). */
class Bfs {
  readonly dist: Int32Array;
  readonly queue: Int32Array;
  constructor(nodes: number) {
    this.dist = new Int32Array(nodes);
    this.queue = new Int32Array(nodes);
  }

  /** Distances from `source` over live edges and nodes (-1: unreachable). */
  run(g: ConnectivityGraph, source: number, edgeAlive: Uint8Array | null, nodeAlive: Uint8Array | null): void {
    const { dist, queue } = this;
    dist.fill(-1);
    if (nodeAlive !== null && nodeAlive[source] === 0) return;
    dist[source] = 0;
    let head = 0;
    let tail = 0;
    queue[tail++] = source;
    while (head < tail) {
      const u = queue[head++]!;
      const du = dist[u]! + 1;
      for (let e = g.rowPtr[u]!; e < g.rowPtr[u + 1]!; e++) {
        if (edgeAlive !== null && edgeAlive[e] === 0) continue;
        const v = g.target[e]!;
        if (dist[v] !== -1 || (nodeAlive !== null && nodeAlive[v] === 0)) continue;
        dist[v] = du;
        queue[tail++] = v;
      }
    }
  }
}

/** Source-target pairs grouped by source, so one BFS serves every pair that starts there. */
interface PairGroups {
  /** Distinct sources, ascending. */
  sources: Int32Array;
  /** Targets of sources[k]: targets[start[k] .. start[k+1]). */
  start: Int32Array;
  targets: Int32Array;
}

function groupPairs(g: ConnectivityGraph, pairs: { source: Int32Array; target: Int32Array }): PairGroups {
  const n = pairs.source.length;
  if (pairs.target.length !== n) throw new RangeError(`${n} sources but ${pairs.target.length} targets`);
  const order = Array.from({ length: n }, (_, k) => k);
  for (let k = 0; k < n; k++) {
    for (const v of [pairs.source[k]!, pairs.target[k]!])
      if (!(v >= 0 && v < g.nodes)) throw new RangeError(`node ${v} is outside 0..${g.nodes - 1}`);
  }
  order.sort((a, b) => pairs.source[a]! - pairs.source[b]! || a - b);
  const sources: number[] = [];
  const start: number[] = [];
  const targets = new Int32Array(n);
  order.forEach((k, i) => {
    const s = pairs.source[k]!;
    if (sources.length === 0 || sources[sources.length - 1] !== s) {
      sources.push(s);
      start.push(i);
    }
    targets[i] = pairs.target[k]!;
  });
  start.push(n);
  return { sources: Int32Array.from(sources), start: Int32Array.from(start), targets };
}

function routingWith(
  g: ConnectivityGraph,
  bfs: Bfs,
  edgeAlive: Uint8Array | null,
  nodeAlive: Uint8Array | null,
  groups: PairGroups | null = null,
): RoutingStats {
  let pairs = 0;
  let connected = 0;
  let lengthSum = 0;
  let inverseSum = 0;
  const sources = groups === null ? g.inputs : groups.sources;
  for (let a = 0; a < sources.length; a++) {
    const src = sources[a]!;
    bfs.run(g, src, edgeAlive, nodeAlive);
    const from = groups === null ? 0 : groups.start[a]!;
    const to = groups === null ? g.outputs.length : groups.start[a + 1]!;
    const outputs = groups === null ? g.outputs : groups.targets;
    for (let b = from; b < to; b++) {
      const dst = outputs[b]!;
      if (dst === src) continue;
      pairs++;
      const d = bfs.dist[dst]!;
      if (d > 0) {
        connected++;
        lengthSum += d;
        inverseSum += 1 / d;
      }
    }
  }
  return {
    pairs,
    connectedPairs: connected,
    connectedFraction: pairs === 0 ? 0 : connected / pairs,
    meanPathLength: connected === 0 ? NaN : lengthSum / connected,
    efficiency: pairs === 0 ? 0 : inverseSum / pairs,
  };
}

/** Shortest-path routing from every input to every output, or over the given source-target pairs. */
export function routingStats(g: ConnectivityGraph, pairs?: { source: Int32Array; target: Int32Array }): RoutingStats {
  return routingWith(g, new Bfs(g.nodes), null, null, pairs === undefined ? null : groupPairs(g, pairs));
}

/** What {@link graphRobustness} removes, how much, and how many random trials per point. */
export interface RobustnessOptions {
  /** What is removed: synapses (edges) or neurons (nodes with all their synapses). */
  remove: "synapses" | "neurons";
  /** Fractions of synapses or neurons removed, each in [0, 1]. */
  fractions: readonly number[];
  /** Random damage patterns averaged per fraction (default 20). */
  trials?: number;
  rng: Rng;
  /** Count these source-target pairs instead of every input-output pair (a routing task's test pairs). */
  pairs?: { source: Int32Array; target: Int32Array };
}

/** Connectivity left after removing one fraction of synapses or neurons, averaged over the trials. */
export interface RobustnessPoint {
  fraction: number;
  /** Synapses or neurons removed in each trial. */
  removed: number;
  /** Mean over trials of the fraction of input-output pairs still connected. */
  connectedFraction: number;
}

/** Routing under random damage (Navlakha et al. 2015's robustness measure). */
export function robustness(g: ConnectivityGraph, options: RobustnessOptions): RobustnessPoint[] {
  const trials = options.trials ?? 20;
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`trials must be a positive integer, got ${trials}`);
  const bySynapse = options.remove === "synapses";
  const population = bySynapse ? g.target.length : g.nodes;
  const bfs = new Bfs(g.nodes);
  const alive = new Uint8Array(population);
  const order = new Int32Array(population);
  const groups = options.pairs === undefined ? null : groupPairs(g, options.pairs);
  const baseline = routingWith(g, bfs, null, null, groups).pairs;
  return options.fractions.map((fraction, fi) => {
    if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`damage fraction must be in [0, 1], got ${fraction}`);
    const removed = Math.round(fraction * population);
    const rng = options.rng.fork(`fraction:${fi}`);
    let sum = 0;
    for (let t = 0; t < trials; t++) {
      for (let i = 0; i < population; i++) order[i] = i;
      alive.fill(1);
      // Partial Fisher-Yates: the first `removed` entries are a uniform draw.
      for (let i = 0; i < removed; i++) {
        const j = i + rng.int(population - i);
        const x = order[i]!;
        order[i] = order[j]!;
        order[j] = x;
        alive[order[i]!] = 0;
      }
      const r = bySynapse ? routingWith(g, bfs, alive, null, groups) : routingWith(g, bfs, null, alive, groups);
      sum += baseline === 0 ? 0 : r.connectedPairs / baseline;
    }
    return { fraction, removed, connectedFraction: sum / trials };
  });
}

/**
 * The same graph with every edge turned round and inputs and outputs
 * swapped: a pair's shortest path, hence every routing measure, is
 * unchanged, and uniform damage has the same distribution, but a BFS runs
 * from each output instead of each input (10 instead of 784 for MNIST).
 */
export function reverseGraph(g: ConnectivityGraph): ConnectivityGraph {
  const n = g.nodes;
  const rowPtr = new Int32Array(n + 1);
  for (let e = 0; e < g.target.length; e++) rowPtr[g.target[e]! + 1]!++;
  for (let u = 0; u < n; u++) rowPtr[u + 1]! += rowPtr[u]!;
  const fill = rowPtr.slice(0, n);
  const target = new Int32Array(g.target.length);
  for (let u = 0; u < n; u++) {
    for (let e = g.rowPtr[u]!; e < g.rowPtr[u + 1]!; e++) target[fill[g.target[e]!]!++] = u;
  }
  return { nodes: n, rowPtr, target, possible: g.possible, inputs: g.outputs.slice(), outputs: g.inputs.slice() };
}
