// run(): the one call behind `neurocompare run`. It refuses a bad scenario
// with the same ScenarioError the CLI prints (a located issue, nothing
// written), runs network scenarios into the same files as the CLI, and stops
// on an AbortSignal like the first Ctrl-C: partial results, exit code 130,
// and the same call resumes to the numbers of a run never stopped (the
// reference: an uninterrupted run of the same scenario, compared without the
// wall-clock rows).
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_STOPPED, run } from "../src/api/run.js";
import { ScenarioError } from "../src/core/errors.js";

const tmp = () => mkdtempSync(join(tmpdir(), "neurocompare-api-"));
const strip = (dir: string) =>
  readFileSync(join(dir, "metrics.csv"), "utf8")
    .split("\n")
    .filter((l) => !/,(wallMs|trainingTimeMs),/.test(l))
    .join("\n");

describe("run()", () => {
  it("refuses a bad scenario with the CLI's located ScenarioError, before writing anything", async () => {
    const out = join(tmp(), "never");
    const bad = {
      name: "bad",
      description: "d",
      task: { type: "xor", noise: "lots" },
      learners: [{ type: "mlp", hiden: [4] }],
      epochs: 0,
    };
    const err = await run(bad, { out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).issues.map((i) => i.path)).toEqual([
      "$.task.noise",
      "$.learners[0].hiden",
      "$.epochs",
    ]);
    expect(existsSync(out)).toBe(false);
    await expect(
      run({ ...bad, task: { type: "xor" }, learners: [{ type: "mlp" }], epochs: 1 }, { out, seeds: [1, 1] }),
    ).rejects.toThrow(/seeds: expected a non-empty list of distinct integers/);
  });

  it("runs a network scenario into the files the CLI writes", async () => {
    const out = join(tmp(), "net");
    const scenario = JSON.parse(readFileSync(join(import.meta.dirname, "..", "scenarios", "cuba.json"), "utf8"));
    const outcome = await run({ ...scenario, durationMs: 100, seeds: [0, 1] }, { out, jobs: 1 });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.kind).toBe("network");
    for (const f of [
      "manifest.json",
      "metrics.csv",
      "summary.json",
      "spikes.csv",
      "state.csv",
      "report.html",
      "report.md",
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, "metrics.csv"), "utf8")).toMatch(/^group,seed,metric,value\n/);
    expect(existsSync(join(out, "units", "network", "1", "unit.json"))).toBe(true);
  });

  it("stops on an AbortSignal after the running epoch, then resumes to the uninterrupted numbers", async () => {
    const scenario = {
      name: "abortable",
      description: "d",
      task: { type: "moons", trainSize: 96, testSize: 32 },
      learners: [{ type: "mlp", hidden: [6], batchSize: 8 }],
      epochs: 3,
      seeds: [2, 3],
    };
    const reference = join(tmp(), "ref");
    await run(scenario, { out: reference, jobs: 1 });
    const out = join(tmp(), "stopped");
    const controller = new AbortController();
    const stopped = await run(scenario, {
      out,
      jobs: 1,
      signal: controller.signal,
      events: { onEpoch: (r) => r.epoch === 1 && controller.abort() },
    });
    expect(stopped.exitCode).toBe(EXIT_STOPPED);
    expect(stopped.complete).toBe(false);
    expect(stopped.missing).toEqual(["mlp seed 2", "mlp seed 3"]);
    expect(existsSync(join(out, "units", "mlp", "2", "checkpoint.bin"))).toBe(true);
    const epochs: number[] = [];
    const resumed = await run(scenario, { out, jobs: 1, events: { onEpoch: (r) => epochs.push(r.epoch) } });
    expect(resumed.exitCode).toBe(0);
    expect(resumed.resumed).toBe(true);
    expect(epochs).toEqual([2, 3, 1, 2, 3]); // the stopped unit continued from its checkpoint
    expect(strip(out)).toBe(strip(reference));
  });
});
