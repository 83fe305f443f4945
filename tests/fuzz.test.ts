/**
 * Fuzzing with fast-check. Generated inputs: one to three mutations of every
 * bundled scenario (values from a list of edge cases, hostile names, wrong
 * types; keys deleted, added, duplicated; numbers scaled), capped to sizes
 * that run in milliseconds; and neuron models from an equation grammar.
 *
 * Properties:
 *  - validate (schema, then the build phase `run` starts with, under a 768 MiB
 *    memory budget) never throws an internal error, and stays within a time
 *    and a memory bound;
 *  - validate agrees with run: a scenario validate accepts runs (capped)
 *    without a user error, and one it refuses at the build stage (other than
 *    for resources) is refused by the run too;
 *  - the same scenario and seed give the same numbers.
 * The short run here (2,000 scenarios, 300 equation models, fixed seed, every
 * 100th accepted scenario run) is in `npm test`; `npm run fuzz` runs 20,000
 * and 5,000 with a random seed and runs every 5th (NEUROCOMPARE_FUZZ_RUNS,
 * NEUROCOMPARE_FUZZ_EQUATIONS, NEUROCOMPARE_FUZZ_SEED, NEUROCOMPARE_FUZZ_RUN_EVERY).
 * A failure prints the seed and the shrunk case; add it to
 * tests/fuzz/corpus.json once fixed. Files written outside the output folder
 * are checked command by command in fuzz-writes.test.ts.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { checkAnyScenario } from "../src/scenario/load.js";
import { capped, equationScenarioArb, scenarioArb } from "./fuzz/generators.js";
import { classify, describeInternal, type Outcome, runOnce, validateRaw } from "./fuzz/harness.js";

const RUNS = Number(process.env.NEUROCOMPARE_FUZZ_RUNS ?? 2000);
const EQUATIONS = Number(process.env.NEUROCOMPARE_FUZZ_EQUATIONS ?? 300);
const SEED = Number(process.env.NEUROCOMPARE_FUZZ_SEED ?? 17);
/** Every n-th accepted case is also run (capped: seconds each) to compare with validate. */
const RUN_EVERY = Number(process.env.NEUROCOMPARE_FUZZ_RUN_EVERY ?? 100);
/** Every n-th case refused at the build stage is run without the build check (it fails in milliseconds). */
const REFUSAL_EVERY = 2;
/** Seconds one validate may take on a loaded two-core machine (measured maximum: see the printed counts). */
const TIME_BOUND_MS = 30_000;
/** Resident memory the fuzzing process may reach: the budget plus the process and data it keeps. */
const RSS_BOUND = 2.5 * 1024 ** 3;

const cpu0 = process.cpuUsage();
const counts = {
  scenarios: 0,
  accepted: 0,
  refused: new Map<string, number>(),
  runsCompared: 0,
  refusalsCompared: 0,
  equations: 0,
  equationsAccepted: 0,
  equationRuns: 0,
  /** Accepted cases whose run stopped on a non-finite network state after validate's trial. */
  divergedRuns: 0,
  maxMs: 0,
  maxRss: 0,
};

function record(o: Outcome): void {
  counts.maxMs = Math.max(counts.maxMs, o.ms);
  counts.maxRss = Math.max(counts.maxRss, process.memoryUsage().rss);
  if (o.kind === "ok") counts.accepted++;
  else if (o.kind === "user") {
    const key = `${o.stage}:${o.code}`;
    counts.refused.set(key, (counts.refused.get(key) ?? 0) + 1);
  }
}

function expectNoInternal(o: Outcome, raw: unknown): void {
  if (o.kind === "internal") {
    throw new Error(
      `internal error in validate: ${describeInternal(o.error)}\nscenario: ${JSON.stringify(raw).slice(0, 4000)}`,
    );
  }
  expect(o.ms).toBeLessThan(TIME_BOUND_MS);
  expect(process.memoryUsage().rss).toBeLessThan(RSS_BOUND);
}

afterAll(() => {
  const refused = [...counts.refused.entries()].map(([k, n]) => `${k} ${n}`).join(", ");
  console.log(
    `fuzz (seed ${SEED}): ${counts.scenarios} scenarios, ${counts.accepted} accepted, refused: ${refused}; ` +
      `${counts.runsCompared} accepted and ${counts.refusalsCompared} refused cases run to compare; ` +
      `${counts.equations} equation models (${counts.equationsAccepted} accepted, ${counts.equationRuns} run); ` +
      `${counts.divergedRuns} runs stopped on a non-finite network state; ` +
      `no internal error; slowest validate ${(counts.maxMs / 1000).toFixed(2)} s, peak RSS ${(counts.maxRss / 1024 ** 2).toFixed(0)} MB; ` +
      `CPU ${((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6).toFixed(0)} s`,
  );
});

describe("fuzz", () => {
  it(`${RUNS} mutated scenarios: validate never fails internally, stays bounded, and agrees with run`, () => {
    let accepted = 0;
    let refusedAtBuild = 0;
    fc.assert(
      fc.property(scenarioArb, ({ raw }) => {
        const c = capped(raw);
        counts.scenarios++;
        const o = validateRaw(c);
        record(o);
        expectNoInternal(o, c);
        if (o.kind === "ok" && accepted++ % RUN_EVERY === 0) {
          counts.runsCompared++;
          const r = classify(() => runOnce(o.scenario));
          // A network whose state turns non-finite after validate's trial stops with E_NETWORK_DIVERGED: a
          // result of running it (as a learner's divergence is), not a disagreement.
          if (r.kind === "user" && r.code === "E_NETWORK_DIVERGED") counts.divergedRuns++;
          else if (r.kind !== "ok")
            throw new Error(
              `validate accepted but the run failed (${r.kind === "user" ? r.code : describeInternal(r.error)}): ${JSON.stringify(c).slice(0, 4000)}`,
            );
        }
        if (
          o.kind === "user" &&
          o.stage === "build" &&
          o.code !== "E_RESOURCE_LIMIT" &&
          // Found in validate's trial before a reset: the run itself refuses it in the same build phase.
          o.code !== "E_NETWORK_DIVERGED" &&
          refusedAtBuild++ % REFUSAL_EVERY === 0
        ) {
          counts.refusalsCompared++;
          // The run path without the build check: the same refusal must come from the run's own building.
          const r = classify(() => runOnce(checkAnyScenario(JSON.parse(JSON.stringify(c)) as unknown, "fuzz.json")));
          if (r.kind !== "user")
            throw new Error(
              `validate refused (${o.code}) but the run ${r.kind === "ok" ? "ran" : `failed internally: ${describeInternal(r.error)}`}: ${JSON.stringify(c).slice(0, 4000)}`,
            );
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 900_000);

  it(`${EQUATIONS} generated equation models: validate never fails internally, and what it accepts runs`, () => {
    fc.assert(
      fc.property(equationScenarioArb, (raw) => {
        counts.equations++;
        const o = validateRaw(raw);
        record(o);
        expectNoInternal(o, raw);
        if (o.kind === "ok") {
          counts.equationsAccepted++;
          counts.equationRuns++;
          const r = classify(() => runOnce(o.scenario));
          if (r.kind === "user" && r.code === "E_NETWORK_DIVERGED") counts.divergedRuns++;
          else if (r.kind !== "ok")
            throw new Error(
              `validate accepted but the run failed (${r.kind === "user" ? r.code : describeInternal(r.error)}): ${JSON.stringify(raw)}`,
            );
        }
      }),
      { numRuns: EQUATIONS, seed: SEED + 1, endOnFailure: true },
    );
  }, 900_000);

  it("the same generated scenario and seed give the same numbers", () => {
    let compared = 0;
    fc.assert(
      fc.property(scenarioArb, ({ raw }) => {
        const o = validateRaw(capped(raw));
        if (o.kind !== "ok" || compared >= 4) return;
        compared++;
        expect(runOnce(o.scenario).rows).toBe(runOnce(o.scenario).rows);
      }),
      { numRuns: 200, seed: SEED + 2, endOnFailure: true },
    );
    expect(compared).toBeGreaterThan(0);
  }, 900_000);
});
