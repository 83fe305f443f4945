/**
 * Finite-difference checks shared by the gradient tests: the reference every
 * backward pass here is compared with.
 */

/** (f(x + eps) − f(x − eps)) / 2eps with respect to arr[i]; arr[i] is put back exactly. */
export function centralDifference(arr: Float32Array | Float64Array, i: number, eps: number, f: () => number): number {
  const v = arr[i]!;
  arr[i] = v + eps;
  const up = f();
  arr[i] = v - eps;
  const down = f();
  arr[i] = v;
  return (up - down) / (2 * eps);
}

/** |analytic − numeric| ≤ atol + rtol · max(|analytic|, |numeric|). */
export function close(analytic: number, numeric: number, atol: number, rtol: number): boolean {
  return Math.abs(analytic - numeric) <= atol + rtol * Math.max(Math.abs(analytic), Math.abs(numeric));
}
