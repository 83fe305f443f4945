/**
 * The starting networks of the routing task's strategies (Navlakha, Barth &
 * Bar-Joseph 2015), as directed graphs over n nodes stored as an n × n CSR
 * SynapseMatrix (row = the node an edge leaves, target = the node it enters,
 * weight 1), so the criteria that prune synapses prune edges:
 *
 *   randomDigraph      m distinct directed edges, no self-loops, uniform over
 *                      the n(n-1) possible ones (m = n(n-1): the complete
 *                      digraph; m = B: the no-learning baseline);
 *   spanningTree       a uniformly random labelled tree on the n nodes (from a
 *                      random Prüfer sequence), each link in both directions
 *                      so that every node can reach every other: 2(n-1) edges,
 *                      the growth strategy's backbone;
 *   digraphFromEdges   the CSR of an edge list (duplicates merged).
 */
import type { Rng } from "../core/rng.js";
import { SynapseMatrix } from "../snn/synapses/csr.js";

/** Directed edges a simple digraph on n nodes can hold: n(n-1). */
export function possibleEdges(nodes: number): number {
  return nodes * (nodes - 1);
}

/** A CSR digraph of the edges src[k] → dst[k], rows in ascending order, duplicates merged, self-loops refused. */
export function digraphFromEdges(nodes: number, src: ArrayLike<number>, dst: ArrayLike<number>): SynapseMatrix {
  if (src.length !== dst.length) throw new RangeError(`${src.length} sources but ${dst.length} targets`);
  const keys = new Float64Array(src.length);
  for (let k = 0; k < src.length; k++) {
    const u = src[k]!;
    const v = dst[k]!;
    if (!(u >= 0 && u < nodes && v >= 0 && v < nodes))
      throw new RangeError(`edge ${u}→${v} is outside 0..${nodes - 1}`);
    if (u === v) throw new RangeError(`self-loop at node ${u}`);
    keys[k] = u * nodes + v;
  }
  keys.sort();
  let m = 0;
  for (let k = 0; k < keys.length; k++) if (k === 0 || keys[k] !== keys[k - 1]) m++;
  const rowPtr = new Int32Array(nodes + 1);
  const target = new Int32Array(m);
  let e = 0;
  for (let k = 0; k < keys.length; k++) {
    if (k > 0 && keys[k] === keys[k - 1]) continue;
    const u = Math.floor(keys[k]! / nodes);
    target[e++] = keys[k]! - u * nodes;
    rowPtr[u + 1]!++;
  }
  for (let u = 0; u < nodes; u++) rowPtr[u + 1]! += rowPtr[u]!;
  return new SynapseMatrix(nodes, nodes, rowPtr, target, new Float32Array(m).fill(1));
}

/**
 * `edges` distinct directed edges drawn uniformly without replacement from the
 * n(n-1) possible ones (no self-loops). Candidate c stands for the edge
 * u → v with u = floor(c / (n-1)) and v the (c mod (n-1))-th node other than u.
 */
export function randomDigraph(nodes: number, edges: number, rng: Rng): SynapseMatrix {
  const possible = possibleEdges(nodes);
  if (!Number.isInteger(edges) || edges < 0 || edges > possible)
    throw new RangeError(`a digraph on ${nodes} nodes holds 0 to ${possible} edges, got ${edges}`);
  let chosen: Int32Array;
  if (edges === possible) {
    chosen = new Int32Array(possible);
    for (let c = 0; c < possible; c++) chosen[c] = c;
  } else if (edges * 4 < possible) {
    // Sparse: rejection from a set beats shuffling n(n-1) candidates.
    const seen = new Set<number>();
    chosen = new Int32Array(edges);
    let k = 0;
    while (k < edges) {
      const c = rng.int(possible);
      if (seen.has(c)) continue;
      seen.add(c);
      chosen[k++] = c;
    }
    chosen.sort();
  } else {
    // Dense: a partial Fisher-Yates over all candidates.
    const pool = new Int32Array(possible);
    for (let c = 0; c < possible; c++) pool[c] = c;
    for (let i = 0; i < edges; i++) {
      const j = i + rng.int(possible - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    chosen = pool.slice(0, edges).sort();
  }
  const rowPtr = new Int32Array(nodes + 1);
  const target = new Int32Array(edges);
  const per = nodes - 1;
  for (let k = 0; k < edges; k++) {
    const c = chosen[k]!;
    const u = Math.floor(c / per);
    const r = c - u * per;
    target[k] = r < u ? r : r + 1;
    rowPtr[u + 1]!++;
  }
  for (let u = 0; u < nodes; u++) rowPtr[u + 1]! += rowPtr[u]!;
  return new SynapseMatrix(nodes, nodes, rowPtr, target, new Float32Array(edges).fill(1));
}

/**
 * The links of a uniformly random labelled tree on `nodes` nodes (Cayley:
 * n^(n-2) of them, one per Prüfer sequence), as parallel arrays a[k] — b[k].
 */
export function randomTreeLinks(nodes: number, rng: Rng): { a: Int32Array; b: Int32Array } {
  if (!Number.isInteger(nodes) || nodes < 2) throw new RangeError(`a tree needs at least 2 nodes, got ${nodes}`);
  const a = new Int32Array(nodes - 1);
  const b = new Int32Array(nodes - 1);
  if (nodes === 2) {
    a[0] = 0;
    b[0] = 1;
    return { a, b };
  }
  const code = new Int32Array(nodes - 2);
  for (let i = 0; i < code.length; i++) code[i] = rng.int(nodes);
  const degree = new Int32Array(nodes).fill(1);
  for (let i = 0; i < code.length; i++) degree[code[i]!]!++;
  // Linear-time decoding: the smallest leaf joins the next code entry.
  let ptr = 0;
  while (degree[ptr] !== 1) ptr++;
  let leaf = ptr;
  for (let i = 0; i < code.length; i++) {
    const v = code[i]!;
    a[i] = leaf;
    b[i] = v;
    degree[v]!--;
    if (degree[v] === 1 && v < ptr) leaf = v;
    else {
      ptr++;
      while (degree[ptr] !== 1) ptr++;
      leaf = ptr;
    }
  }
  a[nodes - 2] = leaf;
  b[nodes - 2] = nodes - 1;
  return { a, b };
}

/** A uniformly random spanning tree with every link in both directions: 2(n-1) edges, strongly connected. */
export function spanningTree(nodes: number, rng: Rng): SynapseMatrix {
  const { a, b } = randomTreeLinks(nodes, rng);
  const src = new Int32Array(2 * a.length);
  const dst = new Int32Array(2 * a.length);
  for (let k = 0; k < a.length; k++) {
    src[2 * k] = a[k]!;
    dst[2 * k] = b[k]!;
    src[2 * k + 1] = b[k]!;
    dst[2 * k + 1] = a[k]!;
  }
  return digraphFromEdges(nodes, src, dst);
}
