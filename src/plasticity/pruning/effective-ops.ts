/**
 * Multiply-accumulates per sample that a pruned network still has to do: a
 * Dense layer's MACs are its unmasked weights (each used once per sample), a
 * convolution's are its dense MACs scaled by the share of unmasked kernel
 * weights (each kernel weight is used at every output position). Bias and
 * activations are not counted (NeuroBench). Without masks this equals the
 * dense count of src/learners/mlp.ts `denseOpsPerSample`.
 */
import { Conv2D } from "../../ann/conv2d.js";
import { Dense } from "../../ann/dense.js";
import type { Layer } from "../../ann/layer.js";
import { remainingCount } from "./mask-pruning.js";

/**
 * Multiply-accumulates per sample a (pruned) layer stack still does: unmasked weights of dense layers, dense MACs scaled by the unmasked share for convolutions.
 */
export function effectiveOps(layers: readonly Layer[]): number {
  let ops = 0;
  for (const l of layers) {
    if (l instanceof Dense) ops += remainingCount(l.weight);
    else if (l instanceof Conv2D)
      ops += Math.round((l.macsPerSample() * remainingCount(l.weight)) / l.weight.value.length);
  }
  return ops;
}
