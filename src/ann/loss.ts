/**
 * Losses over a batch of outputs and integer class labels. Each returns the
 * mean loss over the batch and writes dLoss/dOutput (already divided by the
 * batch size) into `grad`, plus the number of correct argmax predictions.
 */

export type LossName = "softmax-cross-entropy" | "mse";

/** A batch's mean loss and its number of correct argmax predictions. */
export interface LossResult {
  loss: number;
  correct: number;
}

/**
 * Softmax followed by cross-entropy, fused for numerical stability:
 * L = -log softmax(z)_y; dL/dz = softmax(z) - onehot(y).
 */
export function softmaxCrossEntropy(
  logits: Float32Array,
  labels: Int32Array,
  labelOffset: number,
  batch: number,
  classes: number,
  grad: Float32Array | null,
): LossResult {
  let loss = 0;
  let correct = 0;
  const scale = 1 / batch;
  for (let i = 0; i < batch; i++) {
    const o = i * classes;
    const y = labels[labelOffset + i]!;
    let max = logits[o]!;
    let arg = 0;
    for (let j = 1; j < classes; j++) {
      const v = logits[o + j]!;
      if (v > max) {
        max = v;
        arg = j;
      }
    }
    if (arg === y) correct++;
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(logits[o + j]! - max);
    const logSum = Math.log(sum) + max;
    loss += logSum - logits[o + y]!;
    if (grad !== null) {
      for (let j = 0; j < classes; j++) {
        const p = Math.exp(logits[o + j]! - logSum);
        grad[o + j] = (p - (j === y ? 1 : 0)) * scale;
      }
    }
  }
  return { loss: loss / batch, correct };
}

/**
 * Mean squared error against one-hot targets, averaged over the batch and
 * summed over outputs: L = (1/B) Σ_i Σ_j (o_ij - t_ij)² / 2.
 */
export function meanSquaredError(
  outputs: Float32Array,
  labels: Int32Array,
  labelOffset: number,
  batch: number,
  classes: number,
  grad: Float32Array | null,
): LossResult {
  let loss = 0;
  let correct = 0;
  const scale = 1 / batch;
  for (let i = 0; i < batch; i++) {
    const o = i * classes;
    const y = labels[labelOffset + i]!;
    let arg = 0;
    let max = outputs[o]!;
    for (let j = 0; j < classes; j++) {
      const v = outputs[o + j]!;
      if (v > max) {
        max = v;
        arg = j;
      }
      const d = v - (j === y ? 1 : 0);
      loss += 0.5 * d * d;
      if (grad !== null) grad[o + j] = d * scale;
    }
    if (arg === y) correct++;
  }
  return { loss: loss / batch, correct };
}

/**
 * The named loss over `batch` outputs (`batch × classes`) against `labels[labelOffset ..]`;
 * writes dLoss/dOutput, already divided by the batch size, into `grad` when given.
 */
export function computeLoss(
  name: LossName,
  outputs: Float32Array,
  labels: Int32Array,
  labelOffset: number,
  batch: number,
  classes: number,
  grad: Float32Array | null,
): LossResult {
  return name === "mse"
    ? meanSquaredError(outputs, labels, labelOffset, batch, classes, grad)
    : softmaxCrossEntropy(outputs, labels, labelOffset, batch, classes, grad);
}
