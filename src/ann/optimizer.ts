/**
 * Optimisers update parameters from their (batch-mean) gradients, then zero
 * the gradients. L2 weight decay adds `weightDecay · w` to weight gradients.
 * A pruning mask, when present, is re-applied after the update so pruned
 * weights stay exactly zero.
 */
import type { Param } from "./layer.js";

/**
 * Stochastic gradient descent (with optional momentum) or Adam (Kingma & Ba 2015; defaults β1 0.9, β2 0.999, ε 1e-8), with optional L2 weight decay and gradient-norm clipping.
 */
export type OptimizerConfig =
  | { type: "sgd"; learningRate: number; momentum?: number; weightDecay?: number; clipNorm?: number }
  | {
      type: "adam";
      learningRate: number;
      beta1?: number;
      beta2?: number;
      epsilon?: number;
      weightDecay?: number;
      clipNorm?: number;
    };

/** Updates parameters from their batch-mean gradients. */
export interface Optimizer {
  /** Updates every parameter from its gradient, re-applies pruning masks, then zeroes the gradients. */
  step(params: readonly Param[]): void;
  /** Forgets all state (momentum, Adam moments and step count), as if new: after weights are rewound. */
  reset(): void;
}

/** Scales all gradients so their global L2 norm is at most `maxNorm`. */
export function clipGradNorm(params: readonly Param[], maxNorm: number): number {
  let sq = 0;
  for (const p of params) for (let i = 0; i < p.grad.length; i++) sq += p.grad[i]! * p.grad[i]!;
  const norm = Math.sqrt(sq);
  if (norm > maxNorm) {
    const s = maxNorm / norm;
    for (const p of params) for (let i = 0; i < p.grad.length; i++) p.grad[i]! *= s;
  }
  return norm;
}

function applyMask(p: Param): void {
  const m = p.mask;
  if (m === undefined) return;
  const w = p.value;
  for (let i = 0; i < w.length; i++) if (m[i] === 0) w[i] = 0;
}

class Sgd implements Optimizer {
  private readonly velocity = new Map<Param, Float32Array>();
  constructor(
    private readonly lr: number,
    private readonly momentum: number,
    private readonly weightDecay: number,
    private readonly clipNorm: number,
  ) {}

  reset(): void {
    this.velocity.clear();
  }

  step(params: readonly Param[]): void {
    if (this.clipNorm > 0) clipGradNorm(params, this.clipNorm);
    const lr = this.lr;
    const mu = this.momentum;
    for (const p of params) {
      const w = p.value;
      const g = p.grad;
      const wd = p.decay ? this.weightDecay : 0;
      if (mu > 0) {
        let v = this.velocity.get(p);
        if (v === undefined) {
          v = new Float32Array(w.length);
          this.velocity.set(p, v);
        }
        for (let i = 0; i < w.length; i++) {
          const vi = mu * v[i]! + g[i]! + wd * w[i]!;
          v[i] = vi;
          w[i]! -= lr * vi;
        }
      } else {
        for (let i = 0; i < w.length; i++) w[i]! -= lr * (g[i]! + wd * w[i]!);
      }
      g.fill(0);
      applyMask(p);
    }
  }
}

/** Adam (Kingma & Ba 2015) with bias correction. */
class Adam implements Optimizer {
  private readonly m = new Map<Param, Float32Array>();
  private readonly v = new Map<Param, Float32Array>();
  private t = 0;
  constructor(
    private readonly lr: number,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
    private readonly weightDecay: number,
    private readonly clipNorm: number,
  ) {}

  reset(): void {
    this.m.clear();
    this.v.clear();
    this.t = 0;
  }

  step(params: readonly Param[]): void {
    if (this.clipNorm > 0) clipGradNorm(params, this.clipNorm);
    this.t++;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const stepSize = (this.lr * Math.sqrt(c2)) / c1;
    const eps = this.epsilon * Math.sqrt(c2);
    for (const p of params) {
      let m = this.m.get(p);
      let v = this.v.get(p);
      if (m === undefined || v === undefined) {
        m = new Float32Array(p.value.length);
        v = new Float32Array(p.value.length);
        this.m.set(p, m);
        this.v.set(p, v);
      }
      const w = p.value;
      const g = p.grad;
      const wd = p.decay ? this.weightDecay : 0;
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]! + wd * w[i]!;
        const mi = b1 * m[i]! + (1 - b1) * gi;
        const vi = b2 * v[i]! + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i]! -= (stepSize * mi) / (Math.sqrt(vi) + eps);
      }
      g.fill(0);
      applyMask(p);
    }
  }
}

/**
 * Builds the optimiser a config names.
 *
 * ```ts
 * const opt = createOptimizer({ type: "adam", learningRate: 0.002 });
 * ```
 */
export function createOptimizer(c: OptimizerConfig): Optimizer {
  if (c.type === "adam") {
    return new Adam(
      c.learningRate,
      c.beta1 ?? 0.9,
      c.beta2 ?? 0.999,
      c.epsilon ?? 1e-8,
      c.weightDecay ?? 0,
      c.clipNorm ?? 0,
    );
  }
  return new Sgd(c.learningRate, c.momentum ?? 0, c.weightDecay ?? 0, c.clipNorm ?? 0);
}
