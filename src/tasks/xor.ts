/**
 * XOR: the classic problem a single linear layer cannot solve. Each sample is
 * one of the four corners (0,0), (0,1), (1,0), (1,1), label = a XOR b, with
 * optional Gaussian jitter (`noise`, standard deviation) around the corner.
 */
import type { Rng } from "../core/rng.js";
import type { Dataset, Task } from "./task.js";

export interface XorConfig {
  trainSize: number;
  testSize: number;
  noise: number;
}

function makeXor(count: number, noise: number, rng: Rng): Dataset {
  const x = new Float32Array(count * 2);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const corner = i % 4; // balanced classes
    const a = corner & 1;
    const b = (corner >> 1) & 1;
    x[2 * i] = a + noise * rng.normal();
    x[2 * i + 1] = b + noise * rng.normal();
    y[i] = a ^ b;
  }
  return { x, y, count };
}

export function xorTask(c: XorConfig, rng: Rng): Task {
  return {
    name: "xor",
    description: `XOR of two binary inputs (jitter σ=${c.noise})`,
    shape: { inputSize: 2, classes: 2, featureRange: { min: -0.5, max: 1.5 } },
    train: makeXor(c.trainSize, c.noise, rng.fork("train")),
    test: makeXor(c.testSize, c.noise, rng.fork("test")),
  };
}
