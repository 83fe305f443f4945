/**
 * What the fuzz properties run: `validate`'s two stages in process (schema,
 * then the build phase `run` starts with), and a capped run, classifying each
 * outcome as accepted, a user error (with its code) or an internal error.
 */
import { isUserError } from "../../src/core/errors.js";
import { checkScenarioBuild } from "../../src/runs/build-check.js";
import { type AnyScenario, parseAnyScenarioText } from "../../src/scenario/load.js";
import { runNetworkScenario } from "../../src/runs/run-network.js";
import { runRoutingScenario } from "../../src/runs/run-routing.js";
import { runScenario } from "../../src/runs/run.js";

/** Memory a fuzz case may plan to use: the estimate refuses the rest before allocating. */
export const FUZZ_MAX_MEMORY = 768 * 1024 * 1024;

export type Outcome =
  | { kind: "ok"; scenario: AnyScenario; ms: number }
  | { kind: "user"; code: string; stage: "schema" | "build"; message: string; ms: number }
  | { kind: "internal"; error: unknown; ms: number };

/** Schema, then build phase with a one-sample (or two-step) trial, as `validate --max-memory` does. */
export function validateRaw(raw: unknown, file = "fuzz.json"): Outcome {
  return validateText(JSON.stringify(raw), file);
}

/** `validateRaw` from the file's text (for inputs JSON.stringify cannot write, such as 20,000 levels of nesting). */
export function validateText(text: string, file = "fuzz.json"): Outcome {
  const t0 = performance.now();
  let a: AnyScenario;
  try {
    a = parseAnyScenarioText(text, file);
  } catch (e) {
    const ms = performance.now() - t0;
    return isUserError(e)
      ? { kind: "user", code: e.code, stage: "schema", message: e.message, ms }
      : { kind: "internal", error: e, ms };
  }
  try {
    checkScenarioBuild(a, file, { text, maxMemoryBytes: FUZZ_MAX_MEMORY, trialSteps: 1 });
    return { kind: "ok", scenario: a, ms: performance.now() - t0 };
  } catch (e) {
    const ms = performance.now() - t0;
    return isUserError(e)
      ? { kind: "user", code: e.code, stage: "build", message: e.message, ms }
      : { kind: "internal", error: e, ms };
  }
}

/** Timing metrics, which differ between identical runs. */
const TIMING = new Set(["wallMs", "buildMs", "simMs", "trainingTimeMs"]);

/** A run of the scenario's first seed, with its numbers (timings left out) for determinism checks. */
export function runOnce(a: AnyScenario, file = "fuzz.json"): { rows: string } {
  if (a.kind === "routing") {
    const r = runRoutingScenario(a.scenario, { seeds: [a.scenario.seeds[0]!] });
    return {
      rows: JSON.stringify(
        r.rows.filter((x) => !TIMING.has(x.metric)),
        (_k, v: unknown) => (typeof v === "number" && Number.isNaN(v) ? "NaN" : v),
      ),
    };
  }
  if (a.kind === "network") {
    const r = runNetworkScenario(a.scenario, file, { seeds: [a.scenario.seeds[0]!] });
    return {
      rows: JSON.stringify(
        r.runs.map((x) => ({ ...x, buildMs: 0, simMs: 0 })),
        (_k, v: unknown) => (typeof v === "number" && Number.isNaN(v) ? "NaN" : v),
      ),
    };
  }
  const r = runScenario(a.scenario, { seeds: [a.scenario.seeds[0]!] });
  return {
    rows: JSON.stringify(
      r.rows.filter((x) => !TIMING.has(x.metric)),
      (_k, v: unknown) => (typeof v === "number" && Number.isNaN(v) ? "NaN" : v),
    ),
  };
}

/** Runs `f`, classifying what it throws. */
export function classify(
  f: () => void,
): { kind: "ok" } | { kind: "user"; code: string } | { kind: "internal"; error: unknown } {
  try {
    f();
    return { kind: "ok" };
  } catch (e) {
    return isUserError(e) ? { kind: "user", code: e.code } : { kind: "internal", error: e };
  }
}

/** A short description of an internal error for a failing property's report. */
export function describeInternal(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message.split("\n")[0]}\n${e.stack ?? ""}` : String(e);
}
