/**
 * Tests for "these two implementations behave the same", over seeds:
 *
 * - Equivalence of means by two one-sided tests (TOST; Schuirmann 1987): with
 *   d = mean(a) − mean(b), its Welch standard error se and Welch–Satterthwaite
 *   degrees of freedom ν, reject both "d ≤ −δ" (t₁ = (d + δ)/se) and "d ≥ δ"
 *   (t₂ = (d − δ)/se) at level α. p = max(P(T_ν > t₁), P(T_ν < t₂)); the means
 *   are shown equivalent within ±δ when p < α, which is the same as the
 *   (1 − 2α) confidence interval of d, d ± t_{1−α,ν}·se, lying inside (−δ, δ).
 *   Sameness is then shown, not merely not refuted.
 * - A one-sided F-test that a's spread is larger than b's: F = s²_a / s²_b
 *   with (n_a − 1, n_b − 1) degrees of freedom, p = P(F ≥ f). A fixed bound
 *   on the ratio would fail identical implementations by chance; the F
 *   distribution says how often.
 * - The seeds a TOST needs: the smallest n per side for which, with both
 *   sides' standard deviation σ and no true difference, the test passes with
 *   the wanted power (the usual t approximation, Chow, Shao & Wang 2008,
 *   §3.2.3: n ≥ 2σ²(t_{1−α,2n−2} + t_{1−β/2,2n−2})² / δ²).
 * - Holm's step-down adjustment (Holm 1979) for a table of p-values.
 *
 * The F distribution function is the regularised incomplete beta of
 * metrics/stats.ts: P(F ≤ f) = I_{d₁f/(d₁f + d₂)}(d₁/2, d₂/2).
 */
import { incompleteBeta, mean, sampleStd, studentTCdf, studentTQuantile } from "./stats.js";

export interface TostResult {
  nA: number;
  nB: number;
  /** mean(a) − mean(b). */
  diff: number;
  /** Welch standard error of diff and its degrees of freedom. */
  se: number;
  df: number;
  /** The (1 − 2α) confidence interval of diff. */
  lo: number;
  hi: number;
  /** The larger of the two one-sided p-values. */
  p: number;
  margin: number;
  alpha: number;
  equivalent: boolean;
  /** Why the test could not run (fewer than 2 values a side); absent when it ran. */
  reason?: string;
}

/** TOST of |mean(a) − mean(b)| < margin at level alpha (default 0.05, a 90% interval), Welch's t. */
export function tost(a: readonly number[], b: readonly number[], margin: number, alpha = 0.05): TostResult {
  const nA = a.length;
  const nB = b.length;
  const diff = mean(a) - mean(b);
  const base = { nA, nB, diff, margin, alpha };
  if (nA < 2 || nB < 2) {
    return {
      ...base,
      se: NaN,
      df: NaN,
      lo: NaN,
      hi: NaN,
      p: NaN,
      equivalent: false,
      reason: `needs at least 2 values a side, found ${nA} and ${nB}`,
    };
  }
  const vA = sampleStd(a) ** 2 / nA;
  const vB = sampleStd(b) ** 2 / nB;
  const se2 = vA + vB;
  if (!(se2 > 0)) {
    // No spread on either side: the difference is known exactly.
    const inside = Math.abs(diff) < margin;
    return { ...base, se: 0, df: Infinity, lo: diff, hi: diff, p: inside ? 0 : 1, equivalent: inside };
  }
  const se = Math.sqrt(se2);
  const df = (se2 * se2) / ((vA * vA) / (nA - 1) + (vB * vB) / (nB - 1));
  const pLower = 1 - studentTCdf((diff + margin) / se, df);
  const pUpper = studentTCdf((diff - margin) / se, df);
  const p = Math.max(pLower, pUpper);
  const half = studentTQuantile(1 - alpha, df) * se;
  return { ...base, se, df, lo: diff - half, hi: diff + half, p, equivalent: p < alpha };
}

/**
 * TOST on paired differences d_i = a_i − b_i (both sides from the same start,
 * seed by seed): mean(d) ± t_{1−α,n−1}·sd(d)/√n inside ±margin.
 */
export function pairedTost(d: readonly number[], margin: number, alpha = 0.05): TostResult {
  const n = d.length;
  const diff = mean(d);
  const base = { nA: n, nB: n, diff, margin, alpha };
  if (n < 2) {
    return {
      ...base,
      se: NaN,
      df: NaN,
      lo: NaN,
      hi: NaN,
      p: NaN,
      equivalent: false,
      reason: `needs at least 2 pairs, found ${n}`,
    };
  }
  const se = sampleStd(d) / Math.sqrt(n);
  if (!(se > 0)) {
    const inside = Math.abs(diff) < margin;
    return { ...base, se: 0, df: n - 1, lo: diff, hi: diff, p: inside ? 0 : 1, equivalent: inside };
  }
  const df = n - 1;
  const p = Math.max(1 - studentTCdf((diff + margin) / se, df), studentTCdf((diff - margin) / se, df));
  const half = studentTQuantile(1 - alpha, df) * se;
  return { ...base, se, df, lo: diff - half, hi: diff + half, p, equivalent: p < alpha };
}

/** P(F ≤ f) for the F distribution with (d1, d2) degrees of freedom. */
export function fCdf(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 0;
  if (f === Infinity) return 1;
  return incompleteBeta((d1 * f) / (d1 * f + d2), d1 / 2, d2 / 2);
}

/** P(F ≥ f), computed from the other tail of the incomplete beta (no 1 − cdf cancellation). */
export function fSurvival(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 1;
  if (f === Infinity) return 0;
  return incompleteBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/** The p-quantile of F(d1, d2), by bisection on the distribution function (in log f). */
export function fQuantile(p: number, d1: number, d2: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile p must be in (0, 1), got ${p}`);
  let lo = -50;
  let hi = 50;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (fCdf(Math.exp(mid), d1, d2) < p) lo = mid;
    else hi = mid;
  }
  return Math.exp(0.5 * (lo + hi));
}

export interface SpreadTest {
  /** Sample standard deviations. */
  sdA: number;
  sdB: number;
  /** s²_a / s²_b and its degrees of freedom. */
  f: number;
  d1: number;
  d2: number;
  /** One-sided p of "a's variance is larger than b's". */
  p: number;
  alpha: number;
  /** Whether a's spread is significantly larger at alpha. */
  larger: boolean;
  reason?: string;
}

/** One-sided F-test that a's variance exceeds b's, at level alpha (default 0.01). */
export function spreadLarger(a: readonly number[], b: readonly number[], alpha = 0.01): SpreadTest {
  const d1 = a.length - 1;
  const d2 = b.length - 1;
  const sdA = sampleStd(a);
  const sdB = sampleStd(b);
  if (d1 < 1 || d2 < 1) {
    return {
      sdA,
      sdB,
      f: NaN,
      d1,
      d2,
      p: NaN,
      alpha,
      larger: false,
      reason: `needs at least 2 values a side, found ${a.length} and ${b.length}`,
    };
  }
  const vA = sdA * sdA;
  const vB = sdB * sdB;
  const f = vB > 0 ? vA / vB : vA > 0 ? Infinity : 1;
  const p = fSurvival(f, d1, d2);
  return { sdA, sdB, f, d1, d2, p, alpha, larger: p < alpha };
}

/**
 * Seeds per side a TOST at (alpha, margin) needs to pass with probability
 * `power` when the true difference is 0 and each side's standard deviation is
 * `sd`: the smallest n ≥ 2 with n ≥ 2·sd²·(t_{1−α,2n−2} + t_{1−β/2,2n−2})²/δ²,
 * β = 1 − power (the t approximation of the TOST's power at zero difference).
 * Returns `max` + 1 when even `max` seeds are not enough.
 */
export function tostSeedsNeeded(sd: number, margin: number, alpha = 0.05, power = 0.8, max = 1000): number {
  if (!(sd > 0)) return 2;
  const beta = 1 - power;
  for (let n = 2; n <= max; n++) {
    const df = 2 * n - 2;
    const t = studentTQuantile(1 - alpha, df) + studentTQuantile(1 - beta / 2, df);
    if (n >= (2 * sd * sd * t * t) / (margin * margin)) return n;
  }
  return max + 1;
}

/**
 * Holm's step-down adjustment: sort the m p-values ascending, p₍ᵢ₎ becomes
 * max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎); returned in the input order.
 * NaN values are left as they are and not counted in m.
 */
export function holmAdjust(ps: readonly number[]): number[] {
  const idx = ps.map((p, i) => ({ p, i })).filter(({ p }) => !Number.isNaN(p));
  idx.sort((x, y) => x.p - y.p);
  const out = ps.slice();
  const m = idx.length;
  let running = 0;
  idx.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}
