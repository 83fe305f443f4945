// The four-unit scenario (two learners, two seeds) that the runs, shards and
// SLURM tests share, and metrics.csv without its timing rows: the files these
// tests compare byte for byte. wallMs and trainingTimeMs are wall-clock time,
// the only figures that differ between two runs of anything.
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** A scenario of four small units on xor: an MLP and an LSM, seeds 5 and 6, `epochs` epochs each. */
export function fourUnitScenario(name: string, epochs: number) {
  return {
    name,
    description: "four units: two learners, two seeds",
    task: { type: "xor", trainSize: 160, testSize: 40, noise: 0.1 },
    learners: [
      { type: "mlp", hidden: [6], batchSize: 8, optimizer: { type: "sgd", learningRate: 0.2, momentum: 0.9 } },
      { type: "lsm", hidden: 30, durationMs: 40, batchSize: 8 },
    ],
    epochs,
    seeds: [5, 6],
    evaluation: { costSamples: 10, robustness: { lesion: [0, 0.5], samples: 20 } },
  };
}

/** `dir`/metrics.csv without its timing rows. */
export function metricsOf(dir: string): string {
  return readFileSync(join(dir, "metrics.csv"), "utf8")
    .split("\n")
    .filter((l) => !/,(wallMs|trainingTimeMs),/.test(l))
    .join("\n");
}
