/**
 * The matrix exponential e^A of a small dense matrix, for the "exact"
 * integrator's propagator (run once per group, never in a step).
 *
 * Scaling and squaring with a diagonal Padé approximant (Golub & Van Loan,
 * Matrix Computations, 3rd ed., Algorithm 11.3.1): A is scaled by 2^-j so
 * that ‖A/2^j‖∞ ≤ 1/2; e^(A/2^j) ≈ D⁻¹N with the (q, q) Padé numerator
 * N = Σ c_k X^k and denominator D = Σ (-1)^k c_k X^k,
 * c_k = (2q - k)! q! / ((2q)! k! (q - k)!); the result is squared j times.
 * With q = 6 the approximant's relative error bound
 * 2^(3-2q) (q!)² / ((2q)! (2q+1)!) is 3.4e-16, below double-precision
 * rounding.
 */

const PADE_DEGREE = 6;

type Matrix = number[][];

function identity(n: number): Matrix {
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => (r === c ? 1 : 0)));
}

function multiply(a: Matrix, b: Matrix): Matrix {
  const n = a.length;
  const out: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let r = 0; r < n; r++) {
    const ar = a[r]!;
    const or = out[r]!;
    for (let k = 0; k < n; k++) {
      const x = ar[k]!;
      if (x === 0) continue;
      const bk = b[k]!;
      for (let c = 0; c < n; c++) or[c]! += x * bk[c]!;
    }
  }
  return out;
}

function infinityNorm(a: Matrix): number {
  let norm = 0;
  for (const row of a) {
    let s = 0;
    for (const x of row) s += Math.abs(x);
    if (s > norm) norm = s;
  }
  return norm;
}

/** X with D·X = B, by Gaussian elimination with partial pivoting (D is well conditioned here: ‖A‖∞ ≤ 1/2). */
function solve(d: Matrix, b: Matrix): Matrix {
  const n = d.length;
  const a = d.map((row) => row.slice());
  const x = b.map((row) => row.slice());
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (pivot !== col) {
      [a[col], a[pivot]] = [a[pivot]!, a[col]!];
      [x[col], x[pivot]] = [x[pivot]!, x[col]!];
    }
    const ac = a[col]!;
    const xc = x[col]!;
    const p = ac[col]!;
    for (let r = col + 1; r < n; r++) {
      const ar = a[r]!;
      const f = ar[col]! / p;
      if (f === 0) continue;
      for (let c = col; c < n; c++) ar[c]! -= f * ac[c]!;
      const xr = x[r]!;
      for (let c = 0; c < n; c++) xr[c]! -= f * xc[c]!;
    }
  }
  for (let col = n - 1; col >= 0; col--) {
    const ac = a[col]!;
    const xc = x[col]!;
    for (let c = 0; c < n; c++) {
      let s = xc[c]!;
      for (let k = col + 1; k < n; k++) s -= ac[k]! * x[k]![c]!;
      xc[c] = s / ac[col]!;
    }
  }
  return x;
}

/** e^A for a square matrix A (rows of equal length). */
export function expm(a: readonly (readonly number[])[]): Matrix {
  const n = a.length;
  for (const row of a) {
    if (row.length !== n) throw new Error(`expm: expected a square matrix, found a row of ${row.length} in ${n} rows`);
  }
  if (n === 0) return [];
  const norm = infinityNorm(a as Matrix);
  // j ≥ 0 with ‖A‖∞ / 2^j ≤ 1/2.
  const j = norm > 0 ? Math.max(0, Math.floor(Math.log2(norm)) + 2) : 0;
  const scale = 2 ** -j;
  const scaled: Matrix = a.map((row) => row.map((v) => v * scale));
  const q = PADE_DEGREE;
  const numerator = identity(n);
  const denominator = identity(n);
  let power = identity(n);
  let c = 1;
  for (let k = 1; k <= q; k++) {
    c = (c * (q - k + 1)) / ((2 * q - k + 1) * k);
    power = multiply(scaled, power);
    const sign = k % 2 === 0 ? 1 : -1;
    for (let r = 0; r < n; r++) {
      const pr = power[r]!;
      const nr = numerator[r]!;
      const dr = denominator[r]!;
      for (let col = 0; col < n; col++) {
        nr[col]! += c * pr[col]!;
        dr[col]! += sign * c * pr[col]!;
      }
    }
  }
  let result = solve(denominator, numerator);
  for (let k = 0; k < j; k++) result = multiply(result, result);
  return result;
}
