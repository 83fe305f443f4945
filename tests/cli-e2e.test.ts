// End to end through the built CLI (dist/, built by `npm install`'s prepare
// and by `pretest`): every output file exists and parses, user mistakes exit 2
// without a stack trace, `report` rebuilds without retraining.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLValidator } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
const run = (args: string[], cwd = root) => spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8" });

const tiny = {
  name: "tiny",
  description: "two learners, two seeds, two epochs",
  task: { type: "xor", trainSize: 40, testSize: 20, noise: 0.1 },
  learners: [
    { type: "mlp", hidden: [4], batchSize: 8 },
    { type: "lsm", hidden: 20, durationMs: 20, batchSize: 8 },
  ],
  epochs: 2,
  seeds: [3],
  charts: ["learning-curve", "loss-curve", "spikes-per-sample", "weight-histogram"],
};

describe("neurocompare CLI", () => {
  let dir = "";
  let out = "";
  beforeAll(() => {
    expect(existsSync(cli), "dist/ is missing: run `npm install` or `npm run build`").toBe(true);
    dir = mkdtempSync(join(tmpdir(), "neurocompare-e2e-"));
    writeFileSync(join(dir, "tiny.json"), JSON.stringify(tiny, null, 2));
    out = join(dir, "out");
    const r = run(["run", join(dir, "tiny.json"), "--out", out, "--seeds", "2"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("report.html");
  });

  it("writes tidy metrics.csv with the required metrics for both seeds", () => {
    const lines = readFileSync(join(out, "metrics.csv"), "utf8").trim().split("\n");
    expect(lines[0]).toBe("learner,seed,epoch,metric,value");
    const metrics = new Set(lines.slice(1).map((l) => l.split(",")[3]));
    for (const m of ["trainLoss", "trainAccuracy", "testAccuracy", "wallMs", "spikesPerSample"]) expect(metrics).toContain(m);
    expect(new Set(lines.slice(1).map((l) => l.split(",")[1]))).toEqual(new Set(["3", "4"]));
    for (const l of lines.slice(1)) expect(Number.isFinite(Number(l.split(",")[4]))).toBe(true);
  });

  it("writes weights.csv: a histogram per learner and epoch of the first seed", () => {
    const lines = readFileSync(join(out, "weights.csv"), "utf8").trim().split("\n");
    expect(lines[0]).toBe("learner,epoch,lo,hi,count");
    const mlpEpoch1 = lines.slice(1).filter((l) => l.startsWith("mlp,1,"));
    expect(mlpEpoch1).toHaveLength(40);
    // 2 inputs × 4 hidden + 4 × 2 outputs = 16 weights, all counted once.
    expect(mlpEpoch1.reduce((a, l) => a + Number(l.split(",")[4]), 0)).toBe(16);
  });

  it("writes summary.json with the resolved scenario, version and CI per learner", () => {
    const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(s.scenario.learners[0].activation).toBe("relu"); // defaults resolved
    expect(s.packageVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(s.seeds).toEqual([3, 4]);
    for (const l of s.learners) {
      const acc = l.final.testAccuracy;
      expect(acc.n).toBe(2);
      expect(acc.lo).toBeLessThanOrEqual(acc.mean);
      expect(acc.hi).toBeGreaterThanOrEqual(acc.mean);
    }
  });

  it("appends one events.jsonl line per finished epoch", () => {
    const events = readFileSync(join(out, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(events.filter((e) => e.event === "epoch")).toHaveLength(2 * 2 * 2);
    expect(events[0].event).toBe("start");
    expect(events[events.length - 1].event).toBe("end");
  });

  it("writes each chart as a vega-lite spec, valid SVG and a PNG", () => {
    for (const id of ["learning-curve", "loss-curve", "spikes-per-sample", "weight-histogram"]) {
      const spec = JSON.parse(readFileSync(join(out, "charts", `${id}.vl.json`), "utf8"));
      expect(spec.$schema).toContain("vega-lite");
      const svg = readFileSync(join(out, "charts", `${id}.svg`), "utf8");
      expect(XMLValidator.validate(svg)).toBe(true);
      expect(svg).toContain("<svg");
      const png = readFileSync(join(out, "charts", `${id}.png`));
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(png.length).toBeGreaterThan(5000);
    }
  });

  it("writes a self-contained report.html and a report.md", () => {
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script|<link|src="http/);
    expect(html).toContain("mlp");
    expect(html).toContain("lsm");
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("| learner |");
    expect(md).toContain("charts/learning-curve.png");
  });

  it("rebuilds the report from metrics.csv and summary.json without retraining", () => {
    const before = statSync(join(out, "metrics.csv")).mtimeMs;
    const r = run(["report", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(out, "metrics.csv")).mtimeMs).toBe(before);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("<svg");
  });

  it("rejects a bad scenario with exit 2, a located message and no stack trace", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...tiny, epochs: -1, learners: [{ type: "perceptron" }] }, null, 2));
    const r = run(["run", bad, "--out", join(dir, "never")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bad}:`);
    expect(r.stderr).toContain("$.epochs");
    expect(r.stderr).toContain("$.learners[0].type");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, "never"))).toBe(false); // nothing runs or is written
  });

  it("validates files, and rejects bad options with exit 2", () => {
    expect(run(["validate", join(root, "scenarios", "quickstart.json")]).status).toBe(0);
    expect(run(["validate", join(dir, "missing.json")]).status).toBe(2);
    const r = run(["run", join(dir, "tiny.json"), "--seeds", "zero"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--seeds");
    expect(run(["frobnicate"]).status).toBe(2);
  });

  it("lists the scenarios with descriptions", () => {
    const r = run(["list"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/quickstart\s+\S/);
  });

  it("publishes the same schema it validates with", () => {
    const published = JSON.parse(readFileSync(join(root, "scenarios", "schema.json"), "utf8"));
    const generated = JSON.parse(execFileSync(process.execPath, [cli, "schema"], { encoding: "utf8" }));
    expect(published).toEqual(generated);
  });
});
