// References: CUBA's rate in Brian2 2.5.1 (5.6 Hz at N = 4,000 over 1 s) for the
// bundled cuba.json, the error contract for network scenarios (file, JSON
// path, expected, found), and the CLI's output files for the network kind.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { ScenarioError } from "../src/core/errors.js";
import { parseAnyScenarioText } from "../src/scenario/load.js";
import type { NetworkScenario } from "../src/scenario/network-schema.js";
import { runNetworkScenario } from "../src/runs/run-network.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");

function network(text: string): NetworkScenario {
  const a = parseAnyScenarioText(text, "n.json");
  if (a.kind !== "network") throw new Error("expected a network scenario");
  return a.scenario;
}

const small = {
  kind: "network",
  name: "small",
  description: "two groups",
  dtMs: 0.1,
  durationMs: 200,
  seeds: [1],
  groups: [
    { name: "input", size: 50, model: { type: "poisson", rateHz: 20 } },
    { name: "cells", size: 20, model: { type: "lif", elMv: -65, vThreshMv: -50, vResetMv: -65 }, initial: { v: -65 } },
  ],
  synapses: [{ source: "input", target: "cells", targetVar: "v", connect: { rule: "all-to-all" }, weight: 2 }],
  monitors: { state: [{ group: "cells", variables: ["v"], indices: [0, 1] }] },
};

describe("network scenarios", () => {
  it("runs the bundled CUBA scenario at Brian2's rate (5.6 Hz within 15%)", () => {
    const s = network(readFileSync(join(root, "scenarios", "cuba.json"), "utf8"));
    const r = runNetworkScenario({ ...s, seeds: [1, 2] }, "cuba.json");
    for (const run of r.runs) {
      expect(run.synapses).toBeGreaterThan(319_792 * 0.98);
      expect(run.synapses).toBeLessThan(319_792 * 1.02);
    }
    const mean = r.runs.reduce((a, run) => a + run.groups[0]!.meanRateHz, 0) / r.runs.length;
    expect(mean).toBeGreaterThan(5.6 * 0.85);
    expect(mean).toBeLessThan(5.6 * 1.15);
  });

  it("drives a LIF group from Poisson input through all-to-all voltage jumps", () => {
    const r = runNetworkScenario(network(JSON.stringify(small)), "n.json");
    const cells = r.runs[0]!.groups.find((g) => g.group === "cells")!;
    const input = r.runs[0]!.groups.find((g) => g.group === "input")!;
    expect(input.meanRateHz).toBeGreaterThan(15);
    expect(input.meanRateHz).toBeLessThan(25);
    expect(cells.spikes).toBeGreaterThan(0); // 50 inputs × 20 Hz × 2 mV drive them over threshold
    expect(r.runs[0]!.synapses).toBe(50 * 20);
    expect(r.recordings.traces).toHaveLength(2);
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    [
      "an unknown source group",
      { synapses: [{ ...small.synapses[0], source: "retina" }] },
      "$.synapses[0].source",
      /group name \(input, cells\)/,
    ],
    [
      "a variable the target lacks",
      { synapses: [{ ...small.synapses[0], targetVar: "ampa" }] },
      "$.synapses[0].targetVar",
      /variable of group cells/,
    ],
    [
      "a monitored variable the group lacks",
      { monitors: { state: [{ group: "cells", variables: ["w"] }] } },
      "$.monitors.state[0].variables",
      /variables of group cells/,
    ],
    [
      "an index past the group",
      { monitors: { state: [{ group: "cells", variables: ["v"], indices: [20] }] } },
      "$.monitors.state[0].indices",
      /below the group size 20/,
    ],
    [
      "an unknown neuron model",
      { groups: [{ name: "x", size: 1, model: { type: "hh" } }] },
      "$.groups[0].model.type",
      /"lif"/,
    ],
  ];
  for (const [what, patch, path, expected] of bad) {
    it(`reports ${what} at its JSON path before running`, () => {
      const text = JSON.stringify({ ...small, ...patch });
      let error: unknown;
      try {
        runNetworkScenario(network(text), "n.json");
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ScenarioError);
      const issue = (error as ScenarioError).issues.find((i) => i.path === path);
      expect(issue, JSON.stringify((error as ScenarioError).issues)).toBeDefined();
      expect(issue!.expected).toMatch(expected);
    });
  }

  it("reports an equation error with its line through the scenario", () => {
    const text = JSON.stringify({
      ...small,
      groups: [
        small.groups[0],
        {
          name: "cells",
          size: 2,
          model: {
            type: "equations",
            equations: "dv/dt = (El - v) / tau\ndw/dt = -w / tauw",
            parameters: { El: -65, tau: 10 },
            threshold: "v > -50",
            reset: "v = -65",
          },
        },
      ],
    });
    let error: unknown;
    try {
      runNetworkScenario(network(text), "n.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).message).toMatch(/\$\.groups\[1\]\.model.*line 2.*tauw/);
  });

  it("runs a plasticity rule named in the scenario (stdp-song.json, shortened): weights move, within bounds", () => {
    const s = network(readFileSync(join(root, "scenarios", "stdp-song.json"), "utf8"));
    const short = { ...s, durationMs: 3000 };
    const r = runNetworkScenario(short, "stdp-song.json");
    const w = r.recordings.weights[0]!;
    expect(w.rule).toBe("pair-stdp");
    let min = Infinity;
    let max = -Infinity;
    for (const v of w.values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(0.01);
    // Without plasticity the same seed leaves every weight where it started.
    const frozen = runNetworkScenario(
      { ...short, synapses: short.synapses.map(({ plasticity: _p, ...rest }) => rest) },
      "x.json",
    );
    expect(frozen.recordings.weights).toHaveLength(0);
    expect(r.runs[0]!.plastic[0]!.weightStd).toBeGreaterThan(0);
    const built = runNetworkScenario({ ...short, durationMs: 0.1 }, "x.json").recordings.weights[0]!.values;
    let moved = 0;
    for (let k = 0; k < built.length; k++) if (Math.abs(built[k]! - w.values[k]!) > 1e-6) moved++;
    expect(moved).toBeGreaterThan(500); // STDP changed most of the 1000 weights in 3 s
  });

  it("refuses an unknown plasticity rule at its path", () => {
    expect(() =>
      network(JSON.stringify({ ...small, synapses: [{ ...small.synapses[0], plasticity: { rule: "hebb" } }] })),
    ).toThrow(/\$\.synapses\[0\]\.plasticity\.rule/);
  });

  it("writes every file from the CLI and rebuilds the report from them", () => {
    const dir = mkdtempSync(join(tmpdir(), "neurocompare-net-"));
    writeFileSync(join(dir, "small.json"), JSON.stringify(small));
    const out = join(dir, "out");
    const r = spawnSync(process.execPath, [cli, "run", join(dir, "small.json"), "--out", out], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(out, "metrics.csv"), "utf8").split("\n")[0]).toBe("group,seed,metric,value");
    expect(readFileSync(join(out, "spikes.csv"), "utf8").split("\n")[0]).toBe("group,neuron,timeMs");
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.groups.map((g: { group: string }) => g.group)).toEqual(["input", "cells"]);
    for (const id of ["raster", "population-rate", "isi-histogram", "rate-distribution", "voltage-traces"]) {
      expect(XMLValidator.validate(readFileSync(join(out, "charts", `${id}.svg`), "utf8"))).toBe(true);
      expect([...readFileSync(join(out, "charts", `${id}.png`)).subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    }
    const before = readFileSync(join(out, "report.md"), "utf8");
    const again = spawnSync(process.execPath, [cli, "report", out], { encoding: "utf8" });
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(join(out, "report.md"), "utf8")).toBe(before);
  });
});
