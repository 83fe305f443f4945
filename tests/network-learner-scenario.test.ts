// Everything the comparison measures works on a `network` learner, through
// the scenario runner: accuracy and loss, costs (dense and effective
// operations, membrane updates, footprint), weight statistics, per-neuron
// firing rates, receptive fields, lesion, silencing and input noise, and the
// pruning block (iterative rounds by co-activity, graph measures). The
// references: metrics are present and finite, rounds reach the densities
// asked for, an untouched network scores its own test accuracy at lesion 0,
// and a network with every hidden neuron silenced scores chance or worse.
// A network whose model overflows follows the divergence rule of every
// learner: its unit stops and is marked diverged, the run exits 3, and the
// other learners' results are written.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_DIVERGED, run } from "../src/api/run.js";
import { parseScenarioText } from "../src/scenario/parse.js";
import { runScenario } from "../src/runs/run.js";

const network = {
  type: "network",
  name: "net",
  dtMs: 0.5,
  input: { coding: "rate" },
  groups: [
    {
      name: "exc",
      size: 12,
      model: {
        type: "conductance-lif",
        tauMs: 100,
        elMv: -65,
        eExcMv: 0,
        eInhMv: -100,
        vThreshMv: -52,
        vResetMv: -65,
        refractoryMs: 5,
        tauEMs: 1,
        tauIMs: 2,
      },
    },
  ],
  synapses: [
    {
      name: "input->exc",
      source: "input",
      target: "exc",
      targetVar: "ge",
      connect: { rule: "all-to-all" },
      weight: { dist: "uniform", lo: 0.003, hi: 0.303 },
      plasticity: { rule: "triplet-stdp", pairing: "nearest", tauYMs: 40, a3Plus: 0.01, a2Minus: 0.0001 },
      normalize: { targetSum: 78, wMax: 1 },
    },
  ],
  lateralInhibition: [{ via: "direct", group: "exc", weight: 17, targetVar: "gi" }],
  homeostasis: [{ group: "exc" }],
  presentation: { presentationMs: 150, between: "reset", retry: { minSpikes: 3, maxBoosts: 3 } },
  readout: { type: "assignment", group: "exc" },
  batchSize: 20,
  pruning: {
    criterion: "activity",
    scope: "per-neuron",
    iterative: { densities: [0.6, 0.3], firstEpoch: 1 },
    graphMeasures: true,
    damageTrials: 2,
  },
};

describe("a network learner through the scenario runner", () => {
  it("reports accuracy, costs, weights, rates, fields, robustness and pruning", () => {
    const scenario = parseScenarioText(
      JSON.stringify({
        name: "net",
        task: { type: "mnist", trainSize: 60, testSize: 30 },
        learners: [network],
        epochs: 2,
        seeds: [3],
        evaluation: { costSamples: 5, robustness: { lesion: [0, 1], silence: [1], noise: [0.2], samples: 20 } },
      }),
      "net.json",
    );
    const r = runScenario(scenario);
    const last = (metric: string) => r.rows.filter((x) => x.metric === metric).at(-1)?.value;
    for (const metric of [
      "testAccuracy",
      "trainLoss",
      "denseOps",
      "effectiveAcs",
      "membraneUpdates",
      "footprintBytes",
      "activationSparsity",
      "meanWeight",
      "weightChange",
      "spikesPerSample",
      "meanThetaMv",
      "graphEfficiency",
      "robustnessSynapses",
    ])
      expect(Number.isFinite(last(metric)), metric).toBe(true);
    // Two rounds: 60% of the 784·12 input synapses (the prunable ones), then 30%.
    const counts = r.rows.filter((x) => x.metric === "synapseCount" && x.learner === "net").map((x) => x.value);
    expect(counts).toEqual([Math.round(0.6 * 784 * 12), Math.round(0.3 * 784 * 12)]);
    expect(last("connectionDensity")).toBeLessThan(1);
    expect(r.firingRates[0]!.rateHz.length).toBe(12);
    expect(r.receptiveFields[0]!.fields.count).toBe(12);
    const point = (kind: string, level: number) =>
      r.robustness.find((x) => x.kind === kind && x.level === level)!.accuracy;
    expect(point("lesion", 0)).toBeGreaterThanOrEqual(0);
    expect(point("lesion", 1)).toBeLessThanOrEqual(0.2);
    expect(point("silence", 1)).toBeLessThanOrEqual(0.2);
    expect(Number.isFinite(point("noise", 0.2))).toBe(true);
  });

  it("stops a unit whose model blows up, marks it diverged, exits 3 and still writes the other learner", async () => {
    // dv/dt = (v + I)/τ under forward Euler at dt = 2τ triples v every step: Infinity within a sample.
    // The rule every learner follows: the unit stops at its epoch, is marked diverged, the run
    // exits 3, and the MLP beside it finishes and is written.
    const out = join(mkdtempSync(join(tmpdir(), "neurocompare-net-div-")), "out");
    const outcome = await run(
      {
        name: "boom",
        task: { type: "xor", trainSize: 8, testSize: 4 },
        learners: [
          { type: "mlp", name: "steady", hidden: [4], batchSize: 4 },
          {
            type: "network",
            name: "boom",
            dtMs: 1,
            input: { coding: "current", target: "boom", variable: "I" },
            groups: [
              {
                name: "boom",
                size: 2,
                model: {
                  type: "equations",
                  equations: "dv/dt = (v + I) / tau : volt\nI : volt",
                  parameters: { tau: 0.5 },
                  threshold: "v < -1e400",
                  method: "euler",
                },
                initial: { v: 1 },
              },
            ],
            presentation: { presentationMs: 800, restMs: 0, between: "reset" },
            readout: { type: "linear", group: "boom" },
            batchSize: 4,
          },
        ],
        epochs: 2,
        seeds: [0],
        evaluation: { costSamples: 2 },
      },
      { out, jobs: 1 },
    );
    expect(outcome.exitCode).toBe(EXIT_DIVERGED);
    expect(outcome.diverged).toEqual([{ learner: "boom", seed: 0, epoch: 1 }]);
    const csv = readFileSync(join(out, "metrics.csv"), "utf8");
    expect(csv).toContain("boom,0,1,diverged,1\n");
    expect(csv).toMatch(/steady,0,2,finalTestAccuracy,/);
    expect(csv).not.toMatch(/boom,0,2,/); // nothing after the epoch it stopped in
  });
});
