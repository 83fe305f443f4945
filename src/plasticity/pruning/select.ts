/**
 * Choosing which k of a set of candidates to remove, shared by every pruning
 * criterion: the k lowest scores (ties broken by the lower candidate index, so
 * the choice is deterministic), or k drawn uniformly without replacement (a
 * partial Fisher-Yates shuffle). Both run between epochs and allocate.
 */
import type { Rng } from "../../core/rng.js";
import type { SynapseMatrix } from "../../snn/synapses/csr.js";

/**
 * The k candidates with the smallest `score[candidate]`, ties broken by the
 * smaller candidate value (index), so the choice is deterministic. Finds the
 * k-th smallest score with a native numeric sort of the scores (no comparator:
 * a million candidates take about 0.1 s), takes every candidate below it, then
 * the lowest-indexed of those equal to it. Returns a new array of the chosen
 * candidates in their order in `candidates`; `candidates` is not modified.
 *
 * With `tieRng`, the candidates equal to the k-th smallest score are chosen
 * uniformly at random instead of by index: where most scores tie (the many
 * edges of a routing network that no message used), choosing by index would
 * prune the lowest-numbered nodes' synapses first.
 */
export function lowestK(candidates: Int32Array, score: ArrayLike<number>, k: number, tieRng?: Rng): Int32Array {
  const n = candidates.length;
  if (k <= 0) return new Int32Array(0);
  if (k >= n) return candidates.slice();
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = score[candidates[i]!]!;
  sorted.sort();
  const threshold = sorted[k - 1]!;
  let below = 0;
  for (let i = 0; i < k; i++) if (sorted[i]! < threshold) below++;
  // Of the candidates scoring exactly `threshold`, the lowest-indexed `k - below` go.
  let tied = 0;
  for (let i = 0; i < n; i++) if (score[candidates[i]!]! === threshold) tied++;
  const ties = new Int32Array(tied);
  let t = 0;
  for (let i = 0; i < n; i++) if (score[candidates[i]!]! === threshold) ties[t++] = candidates[i]!;
  const out = new Int32Array(k);
  let o = 0;
  if (tieRng !== undefined) {
    let max = 0;
    for (let i = 0; i < tied; i++) if (ties[i]! > max) max = ties[i]!;
    const chosen = new Uint8Array(max + 1);
    const drawn = randomK(ties, k - below, tieRng);
    for (let i = 0; i < drawn.length; i++) chosen[drawn[i]!] = 1;
    for (let i = 0; i < n; i++) {
      const c = candidates[i]!;
      const v = score[c]!;
      if (v < threshold || (v === threshold && chosen[c] === 1)) out[o++] = c;
    }
    return out;
  }
  ties.sort();
  const lastTie = ties[k - below - 1]!;
  for (let i = 0; i < n; i++) {
    const c = candidates[i]!;
    const v = score[c]!;
    if (v < threshold || (v === threshold && c <= lastTie)) out[o++] = c;
  }
  return out;
}

/** k candidates drawn uniformly without replacement (a new array). */
export function randomK(candidates: Int32Array, k: number, rng: Rng): Int32Array {
  const n = candidates.length;
  if (k <= 0) return new Int32Array(0);
  if (k >= n) k = n;
  const pool = candidates.slice();
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, k);
}

/** Indices of the synapses of `m` that are not marked dead (a new array). */
export function liveSynapses(m: SynapseMatrix): Int32Array {
  const n = m.count;
  let live = 0;
  for (let s = 0; s < n; s++) if (!m.isDead(s)) live++;
  const out = new Int32Array(live);
  let k = 0;
  for (let s = 0; s < n; s++) if (!m.isDead(s)) out[k++] = s;
  return out;
}

/** Splits `count` among parts in proportion to `sizes` (largest remainders; ties to the earlier part). */
export function shareCount(count: number, sizes: readonly number[]): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total === 0) return sizes.map(() => 0);
  const exact = sizes.map((s) => (count * s) / total);
  const share = exact.map(Math.floor);
  let left = count - share.reduce((a, b) => a + b, 0);
  const order = sizes.map((_, i) => i).sort((a, b) => exact[b]! - share[b]! - (exact[a]! - share[a]!) || a - b);
  for (const i of order) {
    if (left === 0) break;
    if (share[i]! < sizes[i]!) {
      share[i]!++;
      left--;
    }
  }
  return share;
}

/**
 * Where each of several arrays starts when they are ranked as one (candidate
 * c = offset of its array + position), and the total length.
 */
export function concatOffsets(lengths: readonly number[]): { offsets: number[]; size: number } {
  const offsets: number[] = [];
  let size = 0;
  for (const n of lengths) {
    offsets.push(size);
    size += n;
  }
  return { offsets, size };
}
