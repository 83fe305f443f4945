/**
 * Weight statistics reported each epoch by every learner: mean, standard
 * deviation, mean absolute change since the previous epoch, and the fractions
 * of weights that grew (potentiated) or shrank (depressed) in magnitude.
 */

export interface WeightStats {
  meanWeight: number;
  weightStd: number;
  weightChange: number;
  potentiatedFraction: number;
  depressedFraction: number;
}

/**
 * Mean, standard deviation, and (given the previous epoch's weights) mean absolute change and the shares of weights that grew or shrank in magnitude.
 */
export function weightStats(current: readonly Float32Array[], previous: readonly Float32Array[] | null): WeightStats {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (const w of current) {
    for (let i = 0; i < w.length; i++) {
      const v = w[i]!;
      sum += v;
      sumSq += v * v;
    }
    n += w.length;
  }
  const mean = n > 0 ? sum / n : 0;
  const variance = n > 0 ? Math.max(0, sumSq / n - mean * mean) : 0;
  let change = 0;
  let up = 0;
  let down = 0;
  if (previous !== null && previous.length === current.length) {
    for (let k = 0; k < current.length; k++) {
      const w = current[k]!;
      const p = previous[k]!;
      if (p.length !== w.length) continue;
      for (let i = 0; i < w.length; i++) {
        change += Math.abs(w[i]! - p[i]!);
        const a = Math.abs(w[i]!);
        const b = Math.abs(p[i]!);
        if (a > b) up++;
        else if (a < b) down++;
      }
    }
  }
  return {
    meanWeight: mean,
    weightStd: Math.sqrt(variance),
    weightChange: n > 0 ? change / n : 0,
    potentiatedFraction: n > 0 ? up / n : 0,
    depressedFraction: n > 0 ? down / n : 0,
  };
}

/** Weight statistics with the change since the previous call: it keeps a copy of the weights it last saw. */
export class WeightTracker {
  private previous: Float32Array[] | null = null;

  stats(current: readonly Float32Array[]): WeightStats {
    const s = weightStats(current, this.previous);
    this.previous = current.map((w) => w.slice());
    return s;
  }
}
