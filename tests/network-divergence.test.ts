/**
 * A network whose state turns NaN or infinite stops with a clear error
 * (E_NETWORK_DIVERGED) naming the group, variable and neuron and bounding the
 * time, instead of reporting 0 Hz (NaN never crosses a threshold) as a
 * result. Reference: IEEE 754, sqrt of a negative number is NaN; the check
 * runs between the slices a unit is simulated in, so the time is bounded by
 * one slice (durationMs / 100).
 */
import { describe, expect, it } from "vitest";
import { isUserError } from "../src/core/errors.js";
import { checkScenarioBuild } from "../src/runs/build-check.js";
import { runNetworkSeed } from "../src/runs/run-network.js";
import { checkAnyScenario } from "../src/scenario/load.js";
import type { NetworkScenario } from "../src/scenario/network-schema.js";

function network(equations: string): NetworkScenario {
  const a = checkAnyScenario(
    {
      format: 2,
      kind: "network",
      name: "nan",
      description: "a state that turns NaN",
      durationMs: 20,
      dtMs: 0.1,
      seeds: [1],
      groups: [
        {
          name: "G",
          size: 3,
          model: { type: "equations", equations, threshold: "v > 1", reset: "v = 0", parameters: { tau: 10 } },
        },
      ],
    },
    "nan.json",
  );
  if (a.kind !== "network") throw new Error("not a network");
  return a.scenario;
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("a network whose state becomes non-finite", () => {
  it("stops the run with the group, variable, neuron and the slice of the first non-finite value", () => {
    // v starts at 0: sqrt(0 - 2) is NaN at the first step, and NaN stays NaN.
    const e = thrown(() => runNetworkSeed(network("dv/dt = (sqrt(v - 2) - v) / tau : 1"), "nan.json", 1, true));
    expect(isUserError(e) && e.code).toBe("E_NETWORK_DIVERGED");
    expect((e as Error).message).toMatch(/^nan\.json: group "G", variable v, neuron 0 became NaN by t = 0\.2 ms/);
  });

  it("is refused by validate's build phase when the trial steps already show it", () => {
    const s = network("dv/dt = (sqrt(v - 2) - v) / tau : 1");
    const e = thrown(() => checkScenarioBuild({ kind: "network", scenario: s }, "nan.json"));
    expect(isUserError(e) && e.code).toBe("E_NETWORK_DIVERGED");
  });

  it("is refused by validate when a zero time constant overflows a value that the reset then hides", () => {
    // dv/dt = (1.5 - v) / 0 is infinite: v crosses the threshold and is reset to 0 within every step, so the run
    // itself would report a spike every step (10 kHz at dt 0.1 ms) from a state that looks finite between steps.
    const s = network("dv/dt = (1.5 - v) / tau : 1");
    const g = s.groups[0]!;
    if (g.model.type !== "equations") throw new Error("an equations group");
    g.model.parameters = { tau: 0 };
    const e = thrown(() => checkScenarioBuild({ kind: "network", scenario: s }, "tau0.json"));
    expect(isUserError(e) && e.code).toBe("E_NETWORK_DIVERGED");
    expect((e as Error).message).toMatch(/group "G", variable v, neuron 0 became Infinity/);
  });

  it("leaves a finite network alone", () => {
    const s = network("dv/dt = (1.5 - v) / tau : 1");
    const r = runNetworkSeed(s, "ok.json", 1, false);
    expect(r.run.groups[0]!.spikes).toBeGreaterThan(0);
    expect(() => checkScenarioBuild({ kind: "network", scenario: s }, "ok.json")).not.toThrow();
  });
});
