/**
 * Descriptive statistics over seeds: mean, sample standard deviation, and the
 * 95% confidence interval of the mean from Student's t distribution. The t
 * quantile comes from the regularised incomplete beta function (continued
 * fraction, Lentz's method) inverted by bisection: exact to ~1e-10.
 *
 * Comparisons of two learners over seeds: Welch's unequal-variance t-test
 * (Welch–Satterthwaite degrees of freedom, two-sided p from the same t CDF)
 * and the standardised mean difference (Cohen's d with the pooled standard
 * deviation, and Hedges' g, d corrected for small-sample bias).
 */

export interface Interval {
  n: number;
  mean: number;
  std: number;
  /** Half-width of the confidence interval (0 when n < 2). */
  halfWidth: number;
  lo: number;
  hi: number;
  /** The smallest and largest value (NaN when n = 0): the range a report shows where the interval would leave what a quantity allows. */
  min: number;
  max: number;
}

/** The arithmetic mean (NaN for no values). */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n - 1 in the denominator); 0 for one value. */
export function sampleStd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Cumulative distribution of Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t (bisection on the CDF). */
export function studentTQuantile(p: number, df: number): number {
  if (p <= 0 || p >= 1) throw new RangeError(`quantile p must be in (0, 1), got ${p}`);
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** Mean with a two-sided confidence interval (default 95%) from Student's t. */
export function confidenceInterval(xs: readonly number[], level = 0.95): Interval {
  const n = xs.length;
  const m = mean(xs);
  const s = sampleStd(xs);
  const halfWidth = n >= 2 ? studentTQuantile(1 - (1 - level) / 2, n - 1) * (s / Math.sqrt(n)) : 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  if (n === 0) min = max = NaN;
  return { n, mean: m, std: s, halfWidth, lo: m - halfWidth, hi: m + halfWidth, min, max };
}

/**
 * Holm's step-down adjustment of p-values for multiple comparisons (Holm
 * 1979; R's `p.adjust(p, "holm")`): sort the m defined p-values ascending,
 * multiply the k-th smallest (k from 0) by m - k, carry the running maximum
 * forward so the order is kept, and cap at 1. NaN (an undefined test) stays
 * NaN and does not count in m. Controls the family-wise error rate with no
 * assumption about how the tests depend on each other.
 */
export function holmAdjust(ps: readonly number[]): number[] {
  const order = ps
    .map((p, i) => [p, i] as const)
    .filter(([p]) => Number.isFinite(p))
    .sort((a, b) => a[0] - b[0]);
  const m = order.length;
  const out = ps.map(() => NaN);
  let running = 0;
  order.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}

/** Welch's unequal-variance t-test of two samples: the means, t, the Welch-Satterthwaite df and the two-sided p. */
export interface WelchTest {
  nA: number;
  nB: number;
  meanA: number;
  meanB: number;
  /** meanA - meanB. */
  meanDiff: number;
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value; NaN when the test is undefined (see `reason`). */
  p: number;
  /** Why t, df or p is NaN; absent when the test ran. */
  reason?: string;
}

/**
 * Welch's t-test of mean(a) = mean(b), two-sided:
 *   t = (ma - mb) / sqrt(va/na + vb/nb),
 *   df = (va/na + vb/nb)² / ((va/na)²/(na-1) + (vb/nb)²/(nb-1)),
 *   p = 2 · P(T_df > |t|).
 * With fewer than two values in a group, or no variance in either, the test
 * is undefined: t, df and p are NaN and `reason` says why.
 */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchTest {
  const nA = a.length;
  const nB = b.length;
  const meanA = mean(a);
  const meanB = mean(b);
  const base = { nA, nB, meanA, meanB, meanDiff: meanA - meanB };
  if (nA < 2 || nB < 2) {
    return { ...base, t: NaN, df: NaN, p: NaN, reason: `needs at least 2 values per group, found ${nA} and ${nB}` };
  }
  const seA = sampleStd(a) ** 2 / nA;
  const seB = sampleStd(b) ** 2 / nB;
  const se2 = seA + seB;
  if (!(se2 > 0)) return { ...base, t: NaN, df: NaN, p: NaN, reason: "both groups have zero variance" };
  const t = base.meanDiff / Math.sqrt(se2);
  const df = (se2 * se2) / ((seA * seA) / (nA - 1) + (seB * seB) / (nB - 1));
  // Two-sided tail from the incomplete beta directly (no 1 - cdf cancellation for large |t|).
  const p = incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return { ...base, t, df, p };
}

/** Standardised mean difference of two samples: Cohen's d and Hedges' g. */
export interface EffectSize {
  /** (mean(a) - mean(b)) / pooled standard deviation. */
  cohenD: number;
  /** Cohen's d times the exact small-sample correction J(na + nb - 2). */
  hedgesG: number;
  /** Why d and g are NaN; absent when defined. */
  reason?: string;
}

/**
 * Cohen's d = (ma - mb) / sp with sp² = ((na-1)va + (nb-1)vb) / (na + nb - 2),
 * and Hedges' g = J · d with J(m) = Γ(m/2) / (sqrt(m/2) · Γ((m-1)/2)),
 * m = na + nb - 2 (≈ 1 - 3/(4(na+nb) - 9)). NaN with a reason when there are
 * fewer than 3 values in all or the pooled standard deviation is zero.
 */
export function effectSize(a: readonly number[], b: readonly number[]): EffectSize {
  const nA = a.length;
  const nB = b.length;
  if (nA < 1 || nB < 1 || nA + nB < 3) {
    return { cohenD: NaN, hedgesG: NaN, reason: `needs a value in each group and 3 in all, found ${nA} and ${nB}` };
  }
  const m = nA + nB - 2;
  const pooled = Math.sqrt(((nA - 1) * sampleStd(a) ** 2 + (nB - 1) * sampleStd(b) ** 2) / m);
  if (!(pooled > 0)) return { cohenD: NaN, hedgesG: NaN, reason: "the pooled standard deviation is zero" };
  const d = (mean(a) - mean(b)) / pooled;
  const j = m > 1 ? Math.exp(logGamma(m / 2) - logGamma((m - 1) / 2)) / Math.sqrt(m / 2) : NaN;
  return m > 1
    ? { cohenD: d, hedgesG: d * j }
    : { cohenD: d, hedgesG: NaN, reason: "Hedges' correction needs at least 4 values in all" };
}
