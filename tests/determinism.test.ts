// Reference: the determinism contract — the same scenario and seed give
// byte-identical metrics.csv apart from wallMs, and adding a learner never
// changes another learner's numbers (the RNG is forked by label).
import { describe, expect, it } from "vitest";
import { parseScenarioText } from "../src/scenario/parse.js";
import { rowsToCsv, type MetricRow } from "../src/runs/results.js";
import { runScenario } from "../src/runs/run.js";

const base = {
  name: "det",
  description: "d",
  task: { type: "moons", trainSize: 120, testSize: 60, noise: 0.2 },
  learners: [
    { type: "mlp", hidden: [8], optimizer: { type: "sgd", learningRate: 0.1 }, batchSize: 8 },
    { type: "lsm", hidden: 30, durationMs: 30, batchSize: 8 },
  ],
  epochs: 2,
  seeds: [0, 5],
};

// Wall-clock metrics (wallMs, trainingTimeMs) are the only ones allowed to differ.
const withoutWall = (rows: MetricRow[]) => rows.filter((r) => r.metric !== "wallMs" && r.metric !== "trainingTimeMs");

describe("determinism", () => {
  it("gives byte-identical metrics.csv (apart from wallMs) for the same scenario and seeds", () => {
    const s = parseScenarioText(JSON.stringify(base), "det.json");
    const a = rowsToCsv(withoutWall(runScenario(s).rows));
    const b = rowsToCsv(withoutWall(runScenario(s).rows));
    expect(a).toBe(b);
    expect(a.split("\n").length).toBeGreaterThan(20);
  });

  it("changes the numbers when the seed changes", () => {
    const a = runScenario(parseScenarioText(JSON.stringify({ ...base, seeds: [0] }), "d.json")).rows;
    const b = runScenario(parseScenarioText(JSON.stringify({ ...base, seeds: [1] }), "d.json")).rows;
    const pick = (rows: MetricRow[]) => rows.filter((r) => r.metric === "trainLoss").map((r) => r.value);
    expect(pick(a)).not.toEqual(pick(b));
  });

  it("keeps a learner's numbers when another learner is added before it", () => {
    const alone = parseScenarioText(JSON.stringify({ ...base, learners: [base.learners[1]] }), "d.json");
    const both = parseScenarioText(JSON.stringify(base), "d.json");
    const lsmRows = (rows: MetricRow[]) => rowsToCsv(withoutWall(rows.filter((r) => r.learner === "lsm")));
    expect(lsmRows(runScenario(alone).rows)).toBe(lsmRows(runScenario(both).rows));
  });
});
