// References: the accuracy the spiking learner must reach
// (XOR ≥ 95%, two moons with noise 0.1 ≥ 90%), and the LIF dynamics it
// simulates: with no input a neuron driven below threshold stays silent,
// above threshold it fires at 1/(t_ref + τ ln(D/(D - θ))) (t_ref plus the time
// V(t) = D(1 - e^(-t/τ)) takes to climb from reset to threshold θ).
import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";
import { LsmLearner, lsmConfigSchema } from "../src/learners/lsm.js";
import { parseScenarioText } from "../src/scenario/parse.js";
import { runScenario } from "../src/runs/run.js";

function finalAccuracy(rows: { learner: string; metric: string; value: number }[], learner: string): number {
  const acc = rows.filter((r) => r.learner === learner && r.metric === "testAccuracy");
  return acc[acc.length - 1]!.value;
}

describe("spiking liquid-state learner", () => {
  it("fires at the analytic LIF rate when driven by a constant current alone", () => {
    // No input spikes (maxRateHz tiny), no recurrence, drive fixed at 20 mV above rest.
    const tauMs = 20;
    const refractoryMs = 2;
    const drive = 20;
    const theta = 15; // vThresh - El
    const config = lsmConfigSchema.parse({
      type: "lsm",
      hidden: 4,
      maxRateHz: 1e-9,
      recurrentConnectivity: 0,
      driveMv: [drive, drive],
      durationMs: 2000,
      dtMs: 0.01,
      tauMs,
      refractoryMs,
      elMv: -65,
      vThreshMv: -65 + theta,
      vResetMv: -65,
      batchSize: 1,
    });
    const lsm = new LsmLearner(config, { inputSize: 1, classes: 2, featureRange: { min: 0, max: 1 } }, Rng.fromSeed(0));
    lsm.evaluate(new Float32Array([0.5]), new Int32Array([0]), 1);
    const stats = lsm.collectStats();
    const analyticHz = 1000 / (refractoryMs + tauMs * Math.log(drive / (drive - theta)));
    expect(stats["meanFiringRateHz"]!).toBeGreaterThan(analyticHz * 0.98);
    expect(stats["meanFiringRateHz"]!).toBeLessThan(analyticHz * 1.02);
  });

  it("stays silent below threshold with no input", () => {
    const config = lsmConfigSchema.parse({ type: "lsm", hidden: 8, maxRateHz: 1e-9, driveMv: [5, 14], batchSize: 1 });
    const lsm = new LsmLearner(config, { inputSize: 1, classes: 2, featureRange: { min: 0, max: 1 } }, Rng.fromSeed(0));
    lsm.evaluate(new Float32Array([0.5]), new Int32Array([0]), 1);
    expect(lsm.collectStats()["spikesPerSample"]).toBe(0);
  });

  it("reaches ≥ 95% on XOR", () => {
    const s = parseScenarioText(
      JSON.stringify({
        name: "t",
        description: "d",
        task: { type: "xor", trainSize: 200, testSize: 200, noise: 0.1 },
        learners: [{ type: "lsm", hidden: 100, optimizer: { type: "adam", learningRate: 0.02 }, batchSize: 8 }],
        epochs: 8,
        seeds: [1],
      }),
      "t.json",
    );
    expect(finalAccuracy(runScenario(s).rows, "lsm")).toBeGreaterThanOrEqual(0.95);
  });

  it("reaches ≥ 90% on two moons (noise 0.1)", () => {
    const s = parseScenarioText(
      JSON.stringify({
        name: "t",
        description: "d",
        task: { type: "moons", trainSize: 500, testSize: 300, noise: 0.1 },
        learners: [{ type: "lsm", hidden: 150, optimizer: { type: "adam", learningRate: 0.02 }, batchSize: 16 }],
        epochs: 6,
        seeds: [2],
      }),
      "t.json",
    );
    expect(finalAccuracy(runScenario(s).rows, "lsm")).toBeGreaterThanOrEqual(0.9);
  });
});
