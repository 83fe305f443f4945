// `compare` and the index of a results folder. The tests between runs pair each
// learner's seed values across runs (checked against welchTTest, itself checked
// against SciPy in stats.test.ts) and Holm-adjust the whole table (holmAdjust,
// checked against R's p.adjust); a censored metric is not tested. From the CLI:
// compare writes its report, comparisons.csv and compare.json; `report` on the
// parent folder lists every run (complete, incomplete, unreadable) and the
// comparison; user mistakes exit 2.
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { holmAdjust, welchTTest } from "../src/metrics/stats.js";
import { compareFiguresTable, compareRuns, type ComparedRun } from "../src/report/compare.js";
import type { MetricRow } from "../src/runs/results.js";

function comparedRun(
  label: string,
  accuracy: Record<string, number[]>,
  criterion: Record<string, number[]> = {},
): ComparedRun {
  const rows: MetricRow[] = [];
  for (const [learner, values] of Object.entries(accuracy))
    values.forEach((value, seed) => {
      rows.push({ learner, seed, epoch: 1, metric: "testAccuracy", value: value - 0.1 });
      rows.push({ learner, seed, epoch: 2, metric: "finalTestAccuracy", value });
    });
  for (const [learner, values] of Object.entries(criterion))
    values.forEach((value, seed) => rows.push({ learner, seed, epoch: 2, metric: "samplesToCriterion", value }));
  return {
    label,
    report: null,
    dir: label,
    kind: "learning",
    scenario: label,
    task: "xor",
    seeds: [0, 1, 2],
    members: Object.keys(accuracy),
    rows,
  };
}

describe("tests between runs", () => {
  const before = comparedRun(
    "before",
    { mlp: [0.8, 0.82, 0.84], lsm: [0.7, 0.71, 0.75] },
    { mlp: [100, 120, Number.NaN] },
  );
  const after = comparedRun("after", { mlp: [0.9, 0.91, 0.95], snn: [0.6, 0.6, 0.61] }, { mlp: [80, 90, 100] });
  const tests = compareRuns([before, after]);

  it("tests only learners present in both runs, on each seed's final value", () => {
    expect(tests.map((t) => [t.member, t.metric, t.a, t.b])).toEqual([
      ["mlp", "finalTestAccuracy", "before", "after"],
      ["mlp", "samplesToCriterion", "before", "after"],
    ]);
    const welch = welchTTest([0.8, 0.82, 0.84], [0.9, 0.91, 0.95]);
    expect(tests[0]!.t).toBeCloseTo(welch.t, 12);
    expect(tests[0]!.p).toBeCloseTo(welch.p, 12);
    expect(tests[0]!.meanDiff).toBeCloseTo(0.82 - 0.92, 12);
  });

  it("does not test a censored metric (a seed that never reached the criterion), and Holm-adjusts the rest together", () => {
    expect(tests[1]!.p).toBeNaN();
    expect(tests[1]!.reason).toMatch(/censored seeds \(reached by 2 of 3 and 3 of 3 seeds\)/);
    expect(tests.map((t) => t.pHolm)).toEqual(holmAdjust(tests.map((t) => t.p)));
  });

  it("lists each learner's runs together, with intervals or the seeds' range", () => {
    const table = compareFiguresTable([before, after]);
    expect(table.rows.map((r) => [r[0]!.text, r[1]!.text])).toEqual([
      ["mlp", "before"],
      ["mlp", "after"],
      ["lsm", "before"],
      ["snn", "after"],
    ]);
    expect(table.headers[2]).toBe("final test accuracy (%) ↑");
    expect(table.rows[0]![2]!.text).toBe("82.00 ± 4.97");
  });
});

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });

const tiny = (name: string, hidden: number) => ({
  name,
  description: "tiny",
  task: { type: "xor", trainSize: 40, testSize: 20, noise: 0.1 },
  learners: [{ type: "mlp", hidden: [hidden], batchSize: 8 }],
  epochs: 2,
  seeds: [1, 2],
  charts: ["learning-curve", "loss-curve"],
});

describe("compare and the index from the CLI", () => {
  let results = "";
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), "neurocompare-compare-"));
    results = join(dir, "results");
    for (const [name, hidden] of [
      ["a", 4],
      ["b", 8],
    ] as const) {
      writeFileSync(join(dir, `${name}.json`), JSON.stringify(tiny(name, hidden)));
      const r = run(["run", join(dir, `${name}.json`), "--out", join(results, name), "--quiet"]);
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it("writes a comparison beside the runs with Welch tests, Holm-adjusted p and overlaid curves", () => {
    const r = run(["compare", join(results, "a"), join(results, "b")]);
    expect(r.status, r.stderr).toBe(0);
    const out = join(results, "compare-a-vs-b");
    expect(r.stdout).toContain(join(out, "report.html"));
    const csv = readFileSync(join(out, "comparisons.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("member,metric,runA,runB,meanDiff,t,df,p,pHolm,hedgesG");
    expect(csv.slice(1).every((l) => l.startsWith("mlp,"))).toBe(true);
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("## Welch tests between runs");
    expect(md).toMatch(/p \(Holm\): the \d+ p-values of this table adjusted together/);
    expect(md).toContain("charts/learning-curves.png");
    expect(md).toContain("[a](../a/report.html)");
    expect(
      JSON.parse(readFileSync(join(out, "compare.json"), "utf8")).runs.map((x: { label: string }) => x.label),
    ).toEqual(["a", "b"]);
  });

  it("indexes the runs of a folder, complete or not, readable or not, with the comparison", () => {
    // A run with one of its two units unfinished, an older folder (no manifest) whose log stops before its
    // end, and a folder whose summary is broken.
    const partial = join(results, "partial");
    cpSync(join(results, "a"), partial, { recursive: true });
    rmSync(join(partial, "units", "mlp", "2", "unit.json"));
    const legacy = join(results, "legacy");
    mkdirSync(legacy, { recursive: true });
    for (const f of ["metrics.csv", "summary.json", "events.jsonl"])
      writeFileSync(
        join(legacy, f),
        readFileSync(join(results, "a", f), "utf8").replace(/\n.*"event":"end".*\n?$/, "\n"),
      );
    const broken = join(results, "broken");
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, "summary.json"), "{ not json");
    appendFileSync(join(broken, "metrics.csv"), "learner,seed,epoch,metric,value\n");
    const r = run(["report", results]);
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(join(results, "index.html"), "utf8");
    const md = readFileSync(join(results, "index.md"), "utf8");
    expect(html).toContain('<a href="a/report.html">a</a>');
    expect(md).toMatch(
      /\| \[a\]\(a\/report\.html\) \| \d{4}-\d\d-\d\d \d\d:\d\d \| complete \| 1, 2 \| mlp \d+\.\d( ± \d+\.\d| \[\d+\.\d, \d+\.\d\])% \|/,
    );
    // The folder's name, with the scenario's where they differ.
    expect(md).toMatch(/\| \[partial \(a\)\]\(partial\/report\.html\) \| .* \| incomplete \(1 of 2 units\) \|/);
    expect(md).toMatch(/\| legacy \(a\) \| .* \| incomplete \|/);
    expect(md).toMatch(/\| broken \| .* \| unreadable: .*summary\.json/);
    expect(md).toContain("[compare-a-vs-b](compare-a-vs-b/report.html) | a, b |");
  });

  it("refuses one run, a folder that is not a run, and --out on a run it compares (exit 2, no stack)", () => {
    for (const args of [
      ["compare", join(results, "a")],
      ["compare", join(results, "a"), tmpdir()],
      ["compare", join(results, "a"), join(results, "b"), "--out", join(results, "b")],
    ]) {
      const r = run(args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^error \[E_[A-Z_]+\]: compare: /);
      expect(r.stderr).not.toContain("    at ");
    }
    const empty = mkdtempSync(join(tmpdir(), "neurocompare-empty-"));
    const r = run(["report", empty]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no run here/);
  });
});
