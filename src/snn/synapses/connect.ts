/**
 * Connection rules that build the CSR structure (row pointers and targets) of
 * a synapse matrix, fast enough for 8 million synapses:
 *
 * - "probability": each (i, j) pair exists with probability p. Each row is
 *   drawn by geometric skipping (the gap to the next chosen target is
 *   floor(ln u / ln(1 - p))), so a row costs O(p·nPost) draws, never nPost
 *   coin flips; rows come out sorted by target.
 * - "fixed-in-degree": every target gets exactly k distinct sources (Floyd's
 *   sampling), built by target, then converted to CSR by a counting sort.
 * - "one-to-one", "all-to-all", "explicit" (index lists, kept in their order
 *   within a row).
 *
 * `allowSelf` matters only when source and target are the same group. It
 * defaults to true, as in Brian2 (`connect(p=...)` makes i→i synapses unless
 * the condition says `i != j`), which is what CUBA's synapse count assumes.
 *
 * `preRange` restricts the sources to [lo, hi) (Brian2's `connect('i<3200',
 * p=0.02)`); other rows stay empty.
 */
import type { Rng } from "../../core/rng.js";
import { Xorshift128 } from "../../core/xorshift.js";

/**
 * Which pairs are connected: at random with probability p, a fixed in-degree k, one-to-one, all-to-all, or an explicit list.
 */
export type ConnectRule =
  | { rule: "probability"; p: number; allowSelf?: boolean }
  | { rule: "fixed-in-degree"; k: number; allowSelf?: boolean }
  | { rule: "one-to-one" }
  | { rule: "all-to-all"; allowSelf?: boolean }
  | { rule: "explicit"; pre: ArrayLike<number>; post: ArrayLike<number> };

export interface ConnectOptions {
  /** Source and target are one group (self-connections are i→i). */
  sameGroup?: boolean;
  /** Only sources lo <= i < hi get synapses. */
  preRange?: readonly [number, number];
  /** Needed by the random rules. */
  rng?: Rng;
  /**
   * Allocates the target buffer of the "probability" rule (default: a new Int32Array), so that it can
   * live where delivery will read it (a WasmArena); the result may be a view of that buffer.
   */
  alloc?: (length: number) => Int32Array;
}

export interface CsrStructure {
  rowPtr: Int32Array;
  target: Int32Array;
}

/** Builds row pointers and targets for `rule` between nPre sources and nPost targets. */
export function connect(nPre: number, nPost: number, rule: ConnectRule, opts: ConnectOptions = {}): CsrStructure {
  checkSize("nPre", nPre);
  checkSize("nPost", nPost);
  const [lo, hi] = opts.preRange ?? [0, nPre];
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi > nPre || lo > hi) {
    throw new RangeError(`preRange must satisfy 0 <= lo <= hi <= ${nPre}, got [${lo}, ${hi})`);
  }
  const same = opts.sameGroup === true;
  switch (rule.rule) {
    case "probability":
      return connectProbability(
        nPre,
        nPost,
        lo,
        hi,
        rule.p,
        same && rule.allowSelf === false,
        needRng(opts, rule.rule),
        opts.alloc,
      );
    case "fixed-in-degree":
      return connectFixedInDegree(
        nPre,
        nPost,
        lo,
        hi,
        rule.k,
        same && rule.allowSelf === false,
        needRng(opts, rule.rule),
      );
    case "one-to-one":
      return connectOneToOne(nPre, nPost, lo, hi);
    case "all-to-all":
      return connectAllToAll(nPre, nPost, lo, hi, same && rule.allowSelf === false);
    case "explicit":
      return connectExplicit(nPre, nPost, lo, hi, rule.pre, rule.post);
  }
}

function checkSize(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
}

function needRng(opts: ConnectOptions, rule: string): Rng {
  if (opts.rng === undefined) throw new Error(`connection rule "${rule}" needs an rng`);
  return opts.rng;
}

/** Row-by-row geometric skipping; the target buffer grows only if a row overruns a 6-sigma estimate. */
function connectProbability(
  nPre: number,
  nPost: number,
  lo: number,
  hi: number,
  p: number,
  noSelf: boolean,
  rng: Rng,
  alloc: (length: number) => Int32Array = (n) => new Int32Array(n),
): CsrStructure {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`connection probability must be in [0, 1], got ${p}`);
  const rowPtr = new Int32Array(nPre + 1);
  const rows = hi - lo;
  const candidates = noSelf ? nPost - 1 : nPost;
  const mean = rows * candidates * p;
  let cap = Math.max(16, Math.ceil(mean + 6 * Math.sqrt(mean) + 16));
  let target = alloc(cap);
  let k = 0;
  if (p > 0 && candidates > 0) {
    const gen = Xorshift128.fromRng(rng.fork("connect:probability"));
    const logq = Math.log1p(-p); // -Infinity when p = 1: every skip is 0
    for (let i = lo; i < hi; i++) {
      let c = p === 1 ? 0 : Math.floor(Math.log(gen.nextOpen0()) / logq);
      // Self excluded: candidate c maps to target c for c < i and c + 1 above.
      while (c < candidates) {
        if (k === cap) {
          const grown = new Int32Array(cap * 2);
          grown.set(target);
          target = grown;
          cap = grown.length;
        }
        target[k++] = noSelf && c >= i ? c + 1 : c;
        c += 1 + (p === 1 ? 0 : Math.floor(Math.log(gen.nextOpen0()) / logq));
      }
      rowPtr[i + 1] = k;
    }
  }
  for (let i = Math.max(hi, lo); i < nPre; i++) rowPtr[i + 1] = k;
  return { rowPtr, target: trim(target, k) };
}

/** Exactly k distinct sources per target (Floyd's algorithm), then a counting sort into CSR. */
function connectFixedInDegree(
  nPre: number,
  nPost: number,
  lo: number,
  hi: number,
  k: number,
  noSelf: boolean,
  rng: Rng,
): CsrStructure {
  const pool = hi - lo;
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`in-degree k must be a non-negative integer, got ${k}`);
  // A target j inside [lo, hi) loses one candidate when self-connections are excluded.
  const maxK = noSelf && lo < hi && nPost > 0 ? pool - 1 : pool;
  if (k > maxK) throw new RangeError(`in-degree ${k} exceeds the ${maxK} available sources`);
  const gen = Xorshift128.fromRng(rng.fork("connect:fixed-in-degree"));
  const src = new Int32Array(nPost * k);
  const taken = new Uint8Array(pool);
  for (let j = 0; j < nPost; j++) {
    const self = noSelf && j >= lo && j < hi ? j - lo : -1;
    const n = self >= 0 ? pool - 1 : pool;
    const base = j * k;
    for (let m = n - k; m < n; m++) {
      let t = gen.int(m + 1);
      if (taken[t] === 1) t = m;
      taken[t] = 1;
      src[base + m - (n - k)] = t;
    }
    for (let q = 0; q < k; q++) {
      const t = src[base + q]!;
      taken[t] = 0;
      src[base + q] = lo + (self >= 0 && t >= self ? t + 1 : t);
    }
  }
  // Counting sort by source: rows come out sorted by target.
  const rowPtr = new Int32Array(nPre + 1);
  for (let s = 0; s < src.length; s++) rowPtr[src[s]! + 1]!++;
  for (let i = 0; i < nPre; i++) rowPtr[i + 1]! += rowPtr[i]!;
  const fill = rowPtr.slice(0, nPre);
  const target = new Int32Array(src.length);
  for (let j = 0; j < nPost; j++) {
    const base = j * k;
    for (let q = 0; q < k; q++) target[fill[src[base + q]!]!++] = j;
  }
  return { rowPtr, target };
}

function connectOneToOne(nPre: number, nPost: number, lo: number, hi: number): CsrStructure {
  if (nPre !== nPost) throw new RangeError(`one-to-one needs equal sizes, got ${nPre} and ${nPost}`);
  const rowPtr = new Int32Array(nPre + 1);
  const target = new Int32Array(hi - lo);
  let k = 0;
  for (let i = 0; i < nPre; i++) {
    if (i >= lo && i < hi) target[k++] = i;
    rowPtr[i + 1] = k;
  }
  return { rowPtr, target };
}

function connectAllToAll(nPre: number, nPost: number, lo: number, hi: number, noSelf: boolean): CsrStructure {
  const rowPtr = new Int32Array(nPre + 1);
  let total = 0;
  for (let i = lo; i < hi; i++) total += noSelf && i < nPost ? nPost - 1 : nPost;
  const target = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < nPre; i++) {
    if (i >= lo && i < hi) {
      for (let j = 0; j < nPost; j++) if (!(noSelf && j === i)) target[k++] = j;
    }
    rowPtr[i + 1] = k;
  }
  return { rowPtr, target };
}

/** Synapses pre[s] → post[s]; a stable counting sort keeps their order within a row. */
function connectExplicit(
  nPre: number,
  nPost: number,
  lo: number,
  hi: number,
  pre: ArrayLike<number>,
  post: ArrayLike<number>,
): CsrStructure {
  if (pre.length !== post.length)
    throw new RangeError(`pre and post lists differ in length: ${pre.length} and ${post.length}`);
  const rowPtr = new Int32Array(nPre + 1);
  for (let s = 0; s < pre.length; s++) {
    const i = pre[s]!;
    const j = post[s]!;
    if (!Number.isInteger(i) || i < lo || i >= hi) throw new RangeError(`pre[${s}] = ${i} is outside [${lo}, ${hi})`);
    if (!Number.isInteger(j) || j < 0 || j >= nPost) throw new RangeError(`post[${s}] = ${j} is outside [0, ${nPost})`);
    rowPtr[i + 1]!++;
  }
  for (let i = 0; i < nPre; i++) rowPtr[i + 1]! += rowPtr[i]!;
  const fill = rowPtr.slice(0, nPre);
  const target = new Int32Array(pre.length);
  for (let s = 0; s < pre.length; s++) target[fill[pre[s]!]!++] = post[s]!;
  return { rowPtr, target };
}

/** Order of `explicit` synapses in the CSR: perm[s] is where input pair s was stored. */
export function explicitOrder(nPre: number, pre: ArrayLike<number>): Int32Array {
  const rowPtr = new Int32Array(nPre + 1);
  for (let s = 0; s < pre.length; s++) rowPtr[pre[s]! + 1]!++;
  for (let i = 0; i < nPre; i++) rowPtr[i + 1]! += rowPtr[i]!;
  const perm = new Int32Array(pre.length);
  for (let s = 0; s < pre.length; s++) perm[s] = rowPtr[pre[s]!]!++;
  return perm;
}

/** Keeps the buffer when the slack is small (a view), copies otherwise. */
function trim(a: Int32Array, n: number): Int32Array {
  if (n === a.length) return a;
  return a.length - n <= (n >> 6) + 64 ? a.subarray(0, n) : a.slice(0, n);
}
