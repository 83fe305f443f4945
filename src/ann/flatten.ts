/**
 * Flatten: images are already stored flat (channel-last), so this layer is the
 * identity. It exists so a layer list reads like the model it describes and so
 * shape checks (inSize = outSize) stay explicit.
 */
import type { Layer, Param } from "./layer.js";

/** The identity on flat, channel-last images: marks where a model goes from images to vectors. */
export class Flatten implements Layer {
  readonly kind = "flatten";
  readonly inSize: number;
  readonly outSize: number;

  constructor(size: number) {
    this.inSize = size;
    this.outSize = size;
  }

  /** Returns the input unchanged. */
  forward(x: Float32Array): Float32Array {
    return x;
  }

  backward(dy: Float32Array): Float32Array {
    return dy;
  }

  /** None: flattening has no parameters. */
  params(): readonly Param[] {
    return [];
  }
}
