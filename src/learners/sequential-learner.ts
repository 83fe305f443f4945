/**
 * What the three backpropagation learners (mlp, cnn, rnn) share: a
 * Sequential network and an optimiser, trained one batch at a time, with
 * weight statistics, inference costs and silencing over the layer stack.
 * A subclass builds `net` and `optimizer` in its constructor and adds what
 * is its own (collectStats' extra figures, pruning, a recurrent cost count).
 */
import type { Param } from "../ann/layer.js";
import type { Optimizer } from "../ann/optimizer.js";
import type { Sequential } from "../ann/sequential.js";
import type { Rng } from "../core/rng.js";
import { CostCounter, measureLayers, paramBytes } from "../metrics/costs.js";
import { WeightTracker } from "../metrics/weights.js";
import type { BatchResult, InferenceCosts, Learner, LearnerStats } from "./learner.js";
import { silenceLayerStack } from "./silence.js";

export abstract class SequentialLearner implements Learner {
  abstract readonly name: string;
  abstract readonly type: string;
  abstract readonly maxBatch: number;
  abstract readonly net: Sequential;
  protected abstract readonly optimizer: Optimizer;
  private readonly weightTracker = new WeightTracker();

  trainBatch(x: Float32Array, y: Int32Array, batch: number): BatchResult {
    const r = this.net.trainStep(x, y, 0, batch);
    this.optimizer.step(this.net.params());
    return r;
  }

  evaluate(x: Float32Array, y: Int32Array, batch: number, predictions?: Int32Array): BatchResult {
    return this.net.evaluate(x, y, batch, predictions);
  }

  params(): readonly Param[] {
    return this.net.params();
  }

  abstract collectStats(): LearnerStats;

  /** Weight statistics of the weights (not biases) since the previous call. */
  protected weightStats(): LearnerStats {
    return {
      ...this.weightTracker.stats(
        this.params()
          .filter((p) => p.decay)
          .map((p) => p.value),
      ),
    };
  }

  /**
   * Inference costs (src/metrics/costs.ts): MACs of every convolution and
   * Dense layer from its actual input; activations are the outputs of the
   * nonlinearities; footprint = parameters.
   */
  measureCosts(x: Float32Array, batch: number): InferenceCosts {
    const counter = new CostCounter();
    measureLayers(this.net.layers, x, batch, this.maxBatch, counter);
    return counter.finish(batch, paramBytes(this.net.params()));
  }

  /**
   * Silences a random share of each hidden layer's units (a convolution's
   * whole feature maps, a hidden Dense layer's outputs) by zeroing the next
   * weighted layer's rows that read them.
   */
  silenceUnits(fraction: number, rng: Rng): () => void {
    return silenceLayerStack(this.net.layers, fraction, rng);
  }
}
