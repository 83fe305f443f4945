/**
 * Two interleaving half circles (as scikit-learn's make_moons): the upper moon
 * is (cos t, sin t), the lower (1 - cos t, 0.5 - sin t), t uniform in [0, π],
 * plus Gaussian noise of standard deviation `noise` on each coordinate.
 */
import type { Rng } from "../core/rng.js";
import type { Dataset, Task } from "./task.js";

export interface MoonsConfig {
  trainSize: number;
  testSize: number;
  noise: number;
}

function makeMoons(count: number, noise: number, rng: Rng): Dataset {
  const x = new Float32Array(count * 2);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const t = rng.uniform(0, Math.PI);
    const px = label === 0 ? Math.cos(t) : 1 - Math.cos(t);
    const py = label === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
    x[2 * i] = px + noise * rng.normal();
    x[2 * i + 1] = py + noise * rng.normal();
    y[i] = label;
  }
  return { x, y, count };
}

export function moonsTask(c: MoonsConfig, rng: Rng): Task {
  return {
    name: "moons",
    description: `two interleaving half circles (noise σ=${c.noise})`,
    shape: { inputSize: 2, classes: 2, featureRange: { min: -1.5, max: 2.5 } },
    train: makeMoons(c.trainSize, c.noise, rng.fork("train")),
    test: makeMoons(c.testSize, c.noise, rng.fork("test")),
  };
}
