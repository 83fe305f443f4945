/**
 * The protocol every artificial-network layer speaks (after convnetjs:
 * forward, backward, parameters with their gradients). Buffers are sized once
 * for `maxBatch` samples; `forward` and `backward` fill and return the layer's
 * own buffers, of which the first `batch × size` entries are meaningful.
 */

/** A trainable tensor and its gradient, same length. */
export interface Param {
  readonly name: string;
  readonly value: Float32Array;
  readonly grad: Float32Array;
  /** Optional pruning mask (1 keep, 0 pruned), same length as value. */
  mask?: Uint8Array;
  /** L2 decay applies to weights, not biases. */
  readonly decay: boolean;
}

/**
 * One layer of an artificial network: a forward pass, a backward pass and its parameters.
 * Buffers are the layer's own and are reused by the next call: copy what must be kept.
 */
export interface Layer {
  readonly kind: string;
  /** Values per sample going in and out. */
  readonly inSize: number;
  readonly outSize: number;
  /**
   * Computes the outputs of `batch` samples (`batch × inSize` inputs, sample-major) into the layer's own buffer.
   * `training` is true during training (layers that behave differently then use it).
   */
  forward(x: Float32Array, batch: number, training: boolean): Float32Array;
  /** Given dLoss/dOutput, accumulates parameter gradients and returns dLoss/dInput. */
  backward(dy: Float32Array, batch: number): Float32Array;
  /** The trainable parameters with their gradients (empty for layers without any). */
  params(): readonly Param[];
}

export function zeroGrads(layers: readonly Layer[]): void {
  for (const l of layers) for (const p of l.params()) p.grad.fill(0);
}
