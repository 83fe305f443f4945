// The README's "Adding a learner" example (tests/fixtures/example-learner/centroid.ts, shown in the README
// with its imports as they read from src/learners/) is the file tested here, so the example compiles (npm
// test's type check covers tests/) and works. References: on two moons (noise 0.1) the nearest-mean
// boundary is a straight line between the class means, which classifies about 3/4 of the points (0.5 is
// chance; a linear classifier cannot do much better on moons); and a state round trip through the
// checkpoint walker (core/snapshot.ts) must reproduce the evaluation exactly, as resume relies on.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { captureState, restoreState } from "../src/core/snapshot.js";
import { createTask } from "../src/api/validate.js";
import { CentroidLearner, centroidConfigSchema } from "./fixtures/example-learner/centroid.js";

const root = join(import.meta.dirname, "..");

describe("the README's example learner", () => {
  it("the README's block is the fixture, with src/learners/ imports", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const fixture = readFileSync(join(root, "tests/fixtures/example-learner/centroid.ts"), "utf8")
      .replaceAll('"../../../src/learners/', '"./')
      .replaceAll('"../../../src/', '"../');
    expect(readme).toContain(`\`\`\`ts\n${fixture}\`\`\``);
  });

  it("learns two moons well above chance, and a copy restored from its state predicts the same", () => {
    const rng = Rng.fromSeed(3);
    const task = createTask({ type: "moons", trainSize: 400, testSize: 200, noise: 0.1 }, rng.fork("task"));
    const config = centroidConfigSchema.parse({ type: "centroid" });
    const learner = new CentroidLearner(config, task.shape, rng.fork("learner"));
    const { train, test, shape } = task;
    for (let i = 0; i + 32 <= train.count; i += 32)
      learner.trainBatch(train.x.subarray(i * shape.inputSize), train.y.subarray(i), 32);
    const r = learner.evaluate(test.x, test.y, test.count);
    // The nearest-mean boundary of two moons is a straight line; it gets about 3/4 right (0.5 is chance).
    expect(r.correct / test.count).toBeGreaterThan(0.7);
    const copy = new CentroidLearner(config, task.shape, rng.fork("learner"));
    restoreState(copy, captureState(learner));
    expect(copy.evaluate(test.x, test.y, test.count)).toEqual(r);
  });
});
