/**
 * Routes between single pairs of nodes in a directed graph (the routing task
 * of Navlakha, Barth & Bar-Joseph 2015), over a ConnectivityGraph (graph.ts)
 * whose edge ids the caller may credit:
 *
 *   route        one shortest path from s to t, drawn uniformly among all the
 *                shortest paths (the tie rule: a message takes any shortest
 *                route with equal chance, so no node is favoured by its
 *                number). A BFS from t over the reversed edges counts σ(u),
 *                the shortest paths from u to t, and stops when it reaches s;
 *                the walk from s then steps to a successor v one hop nearer
 *                to t with probability σ(v) / Σσ, which makes every shortest
 *                path equally likely;
 *   distance     the shortest-path length (hops), -1 when t is unreachable;
 *   disjointPaths
 *                short alternative paths: edge-disjoint s→t paths no longer
 *                than `maxLength`, found greedily (take a shortest path,
 *                remove its edges, repeat). Greedy removal gives a lower bound
 *                on the largest such set (finding it exactly is NP-hard for
 *                length-bounded paths); it equals the edge connectivity when
 *                the bound is loose and the paths short.
 *
 * Buffers are allocated once per finder; a query costs one BFS that stops as
 * soon as its question is answered.
 */
import type { Rng } from "../core/rng.js";
import type { ConnectivityGraph } from "./graph.js";

/** Answers routing questions about one graph (its edges must not change while the finder is used). */
export class RouteFinder {
  readonly g: ConnectivityGraph;
  /** Reversed adjacency: the edges into v are revEdge[revPtr[v] .. revPtr[v+1]), with their sources in revSrc. */
  private readonly revPtr: Int32Array;
  private readonly revSrc: Int32Array;
  private readonly dist: Int32Array;
  private readonly sigma: Float64Array;
  private readonly queue: Int32Array;
  private readonly parentEdge: Int32Array;
  private readonly parentNode: Int32Array;
  private readonly edgeUsed: Uint8Array;

  constructor(g: ConnectivityGraph) {
    this.g = g;
    const n = g.nodes;
    const revPtr = new Int32Array(n + 1);
    for (let e = 0; e < g.target.length; e++) revPtr[g.target[e]! + 1]!++;
    for (let v = 0; v < n; v++) revPtr[v + 1]! += revPtr[v]!;
    const fill = revPtr.slice(0, n);
    const revSrc = new Int32Array(g.target.length);
    for (let u = 0; u < n; u++) for (let e = g.rowPtr[u]!; e < g.rowPtr[u + 1]!; e++) revSrc[fill[g.target[e]!]!++] = u;
    this.revPtr = revPtr;
    this.revSrc = revSrc;
    this.dist = new Int32Array(n);
    this.sigma = new Float64Array(n);
    this.queue = new Int32Array(n);
    this.parentEdge = new Int32Array(n);
    this.parentNode = new Int32Array(n);
    this.edgeUsed = new Uint8Array(g.target.length);
  }

  /**
   * Writes the edge ids of one shortest s→t path, drawn uniformly among all
   * shortest paths, into `out` (from s on); returns its length in hops, 0
   * when s = t, -1 when t cannot be reached.
   */
  route(s: number, t: number, rng: Rng, out: Int32Array): number {
    if (s === t) return 0;
    const g = this.g;
    const { dist, sigma, queue } = this;
    dist.fill(-1);
    // BFS from t over reversed edges: dist[u] = hops from u to t, sigma[u] = shortest u→t paths.
    dist[t] = 0;
    sigma[t] = 1;
    let head = 0;
    let tail = 0;
    queue[tail++] = t;
    let found = false;
    while (head < tail && !found) {
      const v = queue[head++]!;
      const d = dist[v]! + 1;
      for (let k = this.revPtr[v]!; k < this.revPtr[v + 1]!; k++) {
        const u = this.revSrc[k]!;
        if (dist[u] === -1) {
          dist[u] = d;
          sigma[u] = sigma[v]!;
          queue[tail++] = u;
          if (u === s) found = true;
        } else if (dist[u] === d) sigma[u]! += sigma[v]!;
      }
    }
    // Levels below dist[s] are complete here: s was found while expanding level dist[s] - 1.
    if (!found) return -1;
    const length = dist[s]!;
    let u = s;
    for (let hop = 0; hop < length; hop++) {
      const want = length - hop - 1;
      let total = 0;
      for (let e = g.rowPtr[u]!; e < g.rowPtr[u + 1]!; e++) {
        const v = g.target[e]!;
        if (dist[v] === want) total += sigma[v]!;
      }
      let r = rng.next() * total;
      let chosen = -1;
      for (let e = g.rowPtr[u]!; e < g.rowPtr[u + 1]!; e++) {
        const v = g.target[e]!;
        if (dist[v] !== want) continue;
        chosen = e;
        r -= sigma[v]!;
        if (r < 0) break;
      }
      out[hop] = chosen;
      u = g.target[chosen]!;
    }
    return length;
  }

  /** Hops of the shortest s→t path (over edges not marked in `edgeUsed` when `skipUsed`); -1 when unreachable. Fills the parents. */
  private bfs(s: number, t: number, skipUsed: boolean): number {
    if (s === t) return 0;
    const g = this.g;
    const { dist, queue, parentEdge, parentNode, edgeUsed } = this;
    dist.fill(-1);
    dist[s] = 0;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    while (head < tail) {
      const u = queue[head++]!;
      const d = dist[u]! + 1;
      for (let e = g.rowPtr[u]!; e < g.rowPtr[u + 1]!; e++) {
        if (skipUsed && edgeUsed[e] === 1) continue;
        const v = g.target[e]!;
        if (dist[v] !== -1) continue;
        dist[v] = d;
        parentEdge[v] = e;
        parentNode[v] = u;
        if (v === t) return d;
        queue[tail++] = v;
      }
    }
    return -1;
  }

  /** Shortest-path length from s to t in hops; -1 when t cannot be reached. */
  distance(s: number, t: number): number {
    return this.bfs(s, t, false);
  }

  /**
   * Edge-disjoint s→t paths of at most `maxLength` hops, found greedily
   * (shortest first, each path's edges then removed); 0 when t is unreachable.
   */
  disjointPaths(s: number, t: number, maxLength: number): number {
    if (s === t) return 0;
    const usedEdges: number[] = [];
    let count = 0;
    for (;;) {
      const d = this.bfs(s, t, true);
      if (d < 0 || d > maxLength) break;
      count++;
      for (let v = t; v !== s; v = this.parentNode[v]!) {
        const e = this.parentEdge[v]!;
        this.edgeUsed[e] = 1;
        usedEdges.push(e);
      }
    }
    for (const e of usedEdges) this.edgeUsed[e] = 0;
    return count;
  }
}
