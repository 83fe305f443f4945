/**
 * The regression guard of the parity harness (`npm run parity`, which runs
 * every learner for 3 epochs and 10 seeds a side at ±2 points): the MLP and the
 * surrogate SNN against their PyTorch references (bench/parity/reference.py),
 * one epoch on the first 2,000 training digits, all 2,000 test digits, seeds
 * 1-3 a side, same batches in the same order on both sides.
 *
 * The bound three seeds support. A TOST at α = 0.05 a side passes, for two
 * implementations that behave the same, with probability 1 − β when the
 * margin is at least (t_{1−α,ν} + t_{1−β/2,ν}) × se (the t approximation of
 * its power at zero difference). Taking β = 0.05 (identical learners pass for
 * 95% of seed choices):
 *   - each side drawing its own initial weights (as the full harness does):
 *     se = σ·√(2/3), ν = 4 (Welch, equal spreads), so margin = (2.132 + 2.776)
 *     · 0.8165 · σ = 4.01 σ, with σ the seed-to-seed standard deviation of this
 *     workload measured with 10 seeds a side (`npm run parity -- --workloads
 *     mlp,surrogate --epochs 1 --train 2000 --seeds 1-10`): MLP σ = 1.88 points
 *     (ours 1.89, PyTorch 1.86) → 7.5 points; surrogate σ = 8.4 (ours 7.34,
 *     PyTorch 9.32: 63 Adam steps leave it far from converged) → 34 points,
 *     which only catches a collapse;
 *   - hence a second, sharper check: the reference starts from our initial
 *     weights seed by seed (`--shared-init`) and the TOST is on the paired
 *     differences, se = σ_d/√3, ν = 2, margin = (2.920 + 4.303)/√3 · σ_d =
 *     4.17 σ_d. Measured with 10 seeds: surrogate σ_d = 2.1 points (spikes at
 *     exactly the threshold flip between float32 roundings, and spiking
 *     dynamics amplify the flip) → 8.8 points; MLP σ_d = 0 (all ten seeds
 *     give the same accuracy to the digit on both sides), so its margin is a
 *     floor of 0.5 points (10 of the 2,000 test digits).
 * The spread check is the harness's one-sided F-test at 1% (with 2 and 2
 * degrees of freedom it flags only a standard deviation ~10× the reference's).
 *
 * Needs /usr/bin/python3 with torch and numpy (Debian's python3-torch); without
 * them the test is skipped with the reason, except under CI (process.env.CI),
 * where a missing reference is a failure.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatParity } from "../src/bench/parity/format.js";
import { referenceAvailable, runParity } from "../src/bench/parity/harness.js";
import type { ParityWorkloadName } from "../src/bench/parity/workloads.js";

const missing = await referenceAvailable();
const inCi = Boolean(process.env["CI"]);
const dir = mkdtempSync(join(tmpdir(), "neurocompare-parity-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(workload: ParityWorkloadName, margin: number, sharedInit: boolean): Promise<void> {
  const report = await runParity({
    workloads: [workload],
    seeds: [1, 2, 3],
    epochs: 1,
    trainSize: 2000,
    testSize: 2000,
    margin,
    maxSeeds: 3,
    sharedInit,
    dataDir: join(dir, `${workload}-${sharedInit ? "paired" : "independent"}`),
  });
  const row = report.rows[0]!;
  // The table is the failure message: both sides' accuracies, the interval and the tests.
  expect(row.pass, formatParity(report)).toBe(true);
}

describe.skipIf(missing !== null && !inCi)(
  `parity with PyTorch, CI subset${missing !== null ? ` (skipped: ${missing})` : ""}`,
  () => {
    it("the PyTorch reference is available", () => {
      expect(missing, "install Debian's python3-torch: apt-get install -y python3-torch").toBeNull();
    });

    it("MLP 784-128-10, SGD 0.1: equivalent within 7.5 points, own initial weights", { timeout: 300_000 }, () =>
      check("mlp", 7.5, false),
    );

    it("MLP: equivalent within 0.5 points from the same initial weights", { timeout: 300_000 }, () =>
      check("mlp", 0.5, true),
    );

    it("surrogate SNN 784-512-10: equivalent within 34 points, own initial weights", { timeout: 600_000 }, () =>
      check("surrogate", 34, false),
    );

    it("surrogate SNN: equivalent within 8.8 points from the same initial weights", { timeout: 600_000 }, () =>
      check("surrogate", 8.8, true),
    );
  },
);
