// End to end through the built CLI (dist/, built by `npm install`'s prepare
// and by `pretest`): every output file exists and parses, user mistakes exit 2
// without a stack trace, `report` rebuilds the same report without retraining.
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
  charts: [
    "learning-curve",
    "loss-curve",
    "spikes-per-sample",
    "weight-histogram",
    "accuracy-vs-energy",
    "lesion-curve",
    "firing-rate-distribution",
    "forgetting",
  ],
  evaluation: { costSamples: 10, criterionAccuracy: 0.6, robustness: { lesion: [0, 0.5], samples: 20 } },
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
    for (const m of ["trainLoss", "trainAccuracy", "testAccuracy", "wallMs", "spikesPerSample"])
      expect(metrics).toContain(m);
    expect(new Set(lines.slice(1).map((l) => l.split(",")[1]))).toEqual(new Set(["3", "4"]));
    // Every value is a number; NaN only where a seed never reached the criterion.
    for (const l of lines.slice(1)) {
      const [, , , metric, value] = l.split(",");
      if (metric !== "samplesToCriterion") expect(Number.isFinite(Number(value)), l).toBe(true);
      else expect(value === "NaN" || Number.isInteger(Number(value)), l).toBe(true);
    }
  });

  it("writes weights.csv: a histogram per learner and epoch of the first seed", () => {
    const lines = readFileSync(join(out, "weights.csv"), "utf8").trim().split("\n");
    expect(lines[0]).toBe("learner,epoch,lo,hi,count");
    const mlpEpoch1 = lines.slice(1).filter((l) => l.startsWith("mlp,1,"));
    expect(mlpEpoch1).toHaveLength(40);
    // 2 inputs × 4 hidden + 4 × 2 outputs = 16 weights, all counted once.
    expect(mlpEpoch1.reduce((a, l) => a + Number(l.split(",")[4]), 0)).toBe(16);
  });

  it("writes summary.json with the resolved scenario, versions, CI per learner and the pairwise comparisons", () => {
    const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(s.scenario.learners[0].activation).toBe("relu"); // defaults resolved
    expect(s.packageVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(s.environment.node).toBe(process.version);
    expect(s.environment.dependencies["vega-lite"].installed).toMatch(/^\d+\.\d+\.\d+/);
    expect(s.seeds).toEqual([3, 4]);
    for (const l of s.learners) {
      expect(l.params).toEqual({});
      const acc = l.final.testAccuracy;
      expect(acc.n).toBe(2);
      expect(acc.seeds).toBe(2);
      expect(acc.lo).toBeLessThanOrEqual(acc.mean);
      expect(acc.hi).toBeGreaterThanOrEqual(acc.mean);
      // Reached by some of the 2 seeds (n), out of the 2 that report it.
      expect(l.final.samplesToCriterion.seeds).toBe(2);
    }
    const pairs = s.comparisons.map((c: { a: string; b: string; metric: string }) => `${c.a}|${c.b}|${c.metric}`);
    expect(pairs).toContain("mlp|lsm|finalTestAccuracy");
    expect(pairs).toContain("mlp|lsm|energyPj");
    // Each comparison uses the seeds with a value: all of them, except where a seed never reached the criterion.
    type Listed = { name: string; final: Record<string, { n: number }> };
    const byName = new Map<string, Listed>(s.learners.map((l: Listed) => [l.name, l]));
    for (const c of s.comparisons) {
      expect(c.nA).toBe(byName.get(c.a)?.final[c.metric]?.n);
      expect(c.nB).toBe(byName.get(c.b)?.final[c.metric]?.n);
    }
    expect(s.robustness.map((r: { learner: string; level: number }) => `${r.learner}@${r.level}`)).toEqual([
      "mlp@0",
      "mlp@0.5",
      "lsm@0",
      "lsm@0.5",
    ]);
  });

  it("writes robustness.csv: every learner, seed and lesion level", () => {
    const lines = readFileSync(join(out, "robustness.csv"), "utf8").trim().split("\n");
    expect(lines[0]).toBe("learner,seed,kind,level,accuracy");
    expect(lines).toHaveLength(1 + 2 * 2 * 2);
    for (const l of lines.slice(1)) {
      const acc = Number(l.split(",")[4]);
      expect(acc).toBeGreaterThanOrEqual(0);
      expect(acc).toBeLessThanOrEqual(1);
    }
  });

  it("appends one events.jsonl line per finished epoch", () => {
    const events = readFileSync(join(out, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.event === "epoch")).toHaveLength(2 * 2 * 2);
    expect(events[0].event).toBe("start");
    expect(events[events.length - 1].event).toBe("end");
  });

  it("writes each chart as a vega-lite spec, valid SVG and a PNG; a chart without data is skipped", () => {
    // No continual phases: no forgetting chart. Firing rates only where a spiking learner reports them.
    expect(existsSync(join(out, "charts", "forgetting.vl.json"))).toBe(false);
    expect(existsSync(join(out, "charts", "firing-rate-distribution.vl.json"))).toBe(
      existsSync(join(out, "firing-rates.csv")),
    );
    for (const id of [
      "learning-curve",
      "loss-curve",
      "spikes-per-sample",
      "weight-histogram",
      "accuracy-vs-energy",
      "lesion-curve",
    ]) {
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
    // Scripts and data inline, nothing fetched (the browser tests check no request is made at all).
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link|<img[^>]*src="http/);
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain("mlp");
    expect(html).toContain("lsm");
    expect(html.indexOf('<h2 id="summary">Summary</h2>')).toBeLessThan(html.indexOf('<h2 id="comparisons">'));
    expect(html).toContain(process.version);
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("| learner | type | epochs | final test accuracy (%) ↑");
    expect(md).toContain("| learner A | learner B |");
    expect(md).toContain("charts/learning-curve.png");
    expect(md).toContain("charts/accuracy-vs-energy.png");
  });

  it("rebuilds the same report from the run's files without retraining", () => {
    const before = statSync(join(out, "metrics.csv")).mtimeMs;
    const md = readFileSync(join(out, "report.md"), "utf8");
    const lesion = readFileSync(join(out, "charts", "lesion-curve.vl.json"), "utf8");
    const r = run(["report", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(out, "metrics.csv")).mtimeMs).toBe(before);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("<svg");
    // Tables, comparisons, captions and robustness curves all come back from the files.
    expect(readFileSync(join(out, "report.md"), "utf8")).toBe(md);
    expect(readFileSync(join(out, "charts", "lesion-curve.vl.json"), "utf8")).toBe(lesion);
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
