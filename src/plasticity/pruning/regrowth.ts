/**
 * Structural growth: new synapses at free (pre, post) positions drawn
 * uniformly, each with the same small weight. The CSR layout has no room to
 * insert into, so growth returns a new matrix (build a new Synapses around it
 * between epochs): every row keeps its old synapses first, in order, with
 * their targets, weights and delays, followed by its new synapses in target
 * order.
 *
 * Free positions are drawn by rejection against the occupied set while they
 * are plentiful, and from an explicit list of all free positions when the
 * request is a large share of them, so the draw is uniform either way.
 */
import type { Rng } from "../../core/rng.js";
import { SynapseMatrix } from "../../snn/synapses/csr.js";

/** Weight, delay and self-connection rule of synapses added by {@link regrowSynapses}. */
export interface RegrowOptions {
  /** Weight of every new synapse. */
  weight: number;
  /** Delay of every new synapse in steps (default: the matrix's uniform delay, or 0 with per-synapse delays). */
  delaySteps?: number;
  /** Allow i → i when nPre = nPost (a recurrent population); default false. */
  allowSelf?: boolean;
  rng: Rng;
}

/**
 * A new matrix with `count` synapses added at free positions (fewer when not
 * enough are free). The matrix must be compacted (no dead synapses pending).
 */
export function regrowSynapses(m: SynapseMatrix, count: number, options: RegrowOptions): SynapseMatrix {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`regrowth count must be a non-negative integer, got ${count}`);
  const n = m.count;
  for (let s = 0; s < n; s++)
    if (m.isDead(s)) throw new Error("regrowSynapses: compact the matrix before growing (dead synapses pending)");
  const nPost = m.nPost;
  const noSelf = m.nPre === m.nPost && !(options.allowSelf ?? false);
  const occupied = new Set<number>();
  for (let i = 0; i < m.nPre; i++) {
    for (let s = m.rowPtr[i]!; s < m.rowPtr[i + 1]!; s++) occupied.add(i * nPost + m.target[s]!);
  }
  const possible = m.nPre * nPost - (noSelf ? m.nPre : 0);
  let selfOccupied = 0;
  if (noSelf) for (let i = 0; i < m.nPre; i++) if (occupied.has(i * nPost + i)) selfOccupied++;
  const free = possible - (occupied.size - selfOccupied);
  const k = Math.min(count, free);
  const chosen: number[] = [];
  if (k > 0 && 3 * k <= free) {
    const picked = new Set<number>();
    const total = m.nPre * nPost;
    while (picked.size < k) {
      const key = options.rng.int(total);
      if (occupied.has(key) || picked.has(key)) continue;
      if (noSelf && Math.floor(key / nPost) === key % nPost) continue;
      picked.add(key);
    }
    chosen.push(...picked);
  } else if (k > 0) {
    const pool: number[] = [];
    for (let i = 0; i < m.nPre; i++) {
      for (let j = 0; j < nPost; j++) {
        const key = i * nPost + j;
        if ((noSelf && i === j) || occupied.has(key)) continue;
        pool.push(key);
      }
    }
    for (let a = 0; a < k; a++) {
      const b = a + options.rng.int(pool.length - a);
      const t = pool[a]!;
      pool[a] = pool[b]!;
      pool[b] = t;
      chosen.push(pool[a]!);
    }
  }
  chosen.sort((a, b) => a - b);
  return mergeRows(m, chosen, options);
}

/**
 * Grows `count` synapses into `m` itself (its arrays are replaced by those of
 * `regrowSynapses`' result) and returns where each synapse was before:
 * origin[s] = its old index, -1 for a new one. Returns null when none was
 * added.
 */
export function regrowInPlace(m: SynapseMatrix, count: number, options: RegrowOptions): Int32Array | null {
  const grown = regrowSynapses(m, count, options);
  if (grown.count === m.count) return null;
  const origin = new Int32Array(grown.count).fill(-1);
  for (let i = 0; i < m.nPre; i++) {
    const start = m.rowPtr[i]!;
    const n = m.rowPtr[i + 1]! - start;
    const to = grown.rowPtr[i]!;
    // Each row keeps its old synapses first, in order (mergeRows).
    for (let k = 0; k < n; k++) origin[to + k] = start + k;
  }
  m.rowPtr = grown.rowPtr;
  m.target = grown.target;
  m.weight = grown.weight;
  m.delay = grown.delay;
  m.uniformDelaySteps = grown.uniformDelaySteps;
  return origin;
}

function mergeRows(m: SynapseMatrix, keys: readonly number[], options: RegrowOptions): SynapseMatrix {
  const nPost = m.nPost;
  const total = m.count + keys.length;
  const newDelay = options.delaySteps ?? (m.delay === null ? m.uniformDelaySteps : 0);
  if (!Number.isInteger(newDelay) || newDelay < 0 || newDelay > 65535)
    throw new RangeError(`delaySteps must be an integer in [0, 65535], got ${newDelay}`);
  const perSynapse = m.delay !== null || newDelay !== m.uniformDelaySteps;
  const rowPtr = new Int32Array(m.nPre + 1);
  const target = new Int32Array(total);
  const weight = new Float32Array(total);
  const delay = perSynapse ? new Uint16Array(total) : null;
  let out = 0;
  let q = 0;
  for (let i = 0; i < m.nPre; i++) {
    for (let s = m.rowPtr[i]!; s < m.rowPtr[i + 1]!; s++) {
      target[out] = m.target[s]!;
      weight[out] = m.weight[s]!;
      if (delay !== null) delay[out] = m.delay === null ? m.uniformDelaySteps : m.delay[s]!;
      out++;
    }
    while (q < keys.length && Math.floor(keys[q]! / nPost) === i) {
      target[out] = keys[q]! % nPost;
      weight[out] = options.weight;
      if (delay !== null) delay[out] = newDelay;
      out++;
      q++;
    }
    rowPtr[i + 1] = out;
  }
  return new SynapseMatrix(m.nPre, m.nPost, rowPtr, target, weight, delay, delay === null ? m.uniformDelaySteps : 0);
}
