// report.md and report.html from hand-made rows: the summary table with ±CI and
// the best value per column marked (bold and ★, direction in a footnote), the
// pairwise comparisons, charts with captions, and the reproducibility section,
// in that order; writeReport and writeData put every file on disk.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collectEnvironment } from "../src/report/environment.js";
import { renderHtml } from "../src/report/html.js";
import { renderMarkdown } from "../src/report/markdown.js";
import { formatP } from "../src/report/format.js";
import { comparisonsTable, headlineTable } from "../src/report/table.js";
import { writeData, writeReport, type ReportData } from "../src/report/write.js";
import { csvToRows, summarize, type LearnerInfo, type MetricRow } from "../src/runs/results.js";
import { scenarioSchema } from "../src/scenario/schema.js";

const scenario = scenarioSchema.parse({
  name: "hand-made",
  description: "rows made by hand",
  task: { type: "xor" },
  learners: [{ type: "mlp" }, { type: "lsm" }],
  epochs: 2,
  seeds: [0, 1, 2],
  charts: ["learning-curve", "accuracy-vs-energy", "lesion-curve", "forgetting", "firing-rate-distribution"],
  evaluation: { criterionAccuracy: 0.8 },
  sweep: [{ learner: "lsm", parameter: "hidden", values: [20] }],
});

const learners: LearnerInfo[] = [
  { name: "mlp", type: "mlp", base: "mlp", params: {} },
  { name: "lsm hidden=20", type: "lsm", base: "lsm", params: { hidden: 20 } },
];

// mlp: accuracy 0.90/0.92/0.94 (mean 92.00 ± 4.97 pp), 1000 pJ; lsm: 0.80/0.83/0.86, 100 pJ, criterion reached by 2 of 3 seeds.
const rows: MetricRow[] = [];
for (const seed of [0, 1, 2]) {
  for (const epoch of [1, 2]) {
    rows.push(
      { learner: "mlp", seed, epoch, metric: "testAccuracy", value: 0.8 + 0.05 * epoch + 0.02 * seed },
      { learner: "lsm hidden=20", seed, epoch, metric: "testAccuracy", value: 0.7 + 0.05 * epoch + 0.03 * seed },
    );
  }
  rows.push(
    { learner: "mlp", seed, epoch: 2, metric: "finalTestAccuracy", value: 0.9 + 0.02 * seed },
    { learner: "lsm hidden=20", seed, epoch: 2, metric: "finalTestAccuracy", value: 0.8 + 0.03 * seed },
    { learner: "mlp", seed, epoch: 2, metric: "energyPj", value: 1000 + seed },
    { learner: "lsm hidden=20", seed, epoch: 2, metric: "energyPj", value: 100 + seed },
    { learner: "mlp", seed, epoch: 2, metric: "samplesToCriterion", value: 40 + 10 * seed },
    { learner: "lsm hidden=20", seed, epoch: 2, metric: "samplesToCriterion", value: seed === 2 ? NaN : 120 },
  );
}
const data: ReportData = {
  rows,
  learners,
  weightHistograms: [],
  robustness: [0, 1, 2].flatMap((seed) => [
    { learner: "mlp", seed, kind: "lesion" as const, level: 0, accuracy: 0.9 },
    { learner: "mlp", seed, kind: "lesion" as const, level: 0.5, accuracy: 0.6 + 0.01 * seed },
  ]),
  firingRates: [{ learner: "lsm hidden=20", rateHz: Float32Array.from([0, 4, 8, 12]) }],
};
const summary = summarize(
  { scenario, seeds: [0, 1, 2], learners, rows, robustness: data.robustness },
  "9.9.9",
  collectEnvironment(),
);

describe("the summary table", () => {
  const table = headlineTable(summary);

  it("has the headline columns that exist, with ±CI, seeds counts and the best value marked", () => {
    expect(table.headers).toEqual([
      "learner",
      "type",
      "epochs",
      "final test accuracy (%) ↑",
      "samples to 80% accuracy ↓",
      "energy / sample (pJ) ↓",
    ]);
    const [mlp, lsm] = table.rows;
    // 0.92 ± t(0.975, 2)·0.02/√3 = 0.92 ± 0.0497 → "92.00 ± 4.97".
    expect(mlp![3]).toEqual({ text: "92.00 ± 4.97 ★", best: true });
    expect(lsm![3]).toEqual({ text: "83.00 ± 7.45", best: false });
    expect(lsm![4]!.text).toBe("120 ± 0 (2/3 seeds)");
    expect(mlp![4]!.best).toBe(true);
    expect(lsm![5]!.best).toBe(true);
    expect(table.notes?.[0]).toMatch(
      /↑ higher is better \(final test accuracy\); ↓ lower is better \(samples to criterion and energy per sample\)/,
    );
  });

  it("lists every pair on every headline metric with Welch's t, p and effect sizes", () => {
    const cmp = comparisonsTable(summary.comparisons)!;
    expect(cmp.headers).toEqual([
      "learner A",
      "learner B",
      "metric",
      "mean A − B",
      "t",
      "df",
      "p",
      "p (Holm)",
      "Cohen's d",
      "Hedges' g",
    ]);
    expect(cmp.rows.map((r) => r[2]!.text)).toEqual([
      "final test accuracy",
      "energy per sample",
      "samples to criterion",
    ]);
    expect(cmp.rows[0]![3]!.text).toBe("+9.00 pp");
    // Welch's test on the final accuracies, 0.90/0.92/0.94 against 0.80/0.83/0.86: SciPy 1.10's
    // ttest_ind(equal_var=False) gives t = 4.323460152737356, p = 0.016706505976189202 (df 3.48 by
    // Welch-Satterthwaite). The cells are those values as the table prints them; the summary's own numbers
    // agree to float64 rounding of the same formulas.
    expect(summary.comparisons[0]!.t).toBeCloseTo(4.323460152737356, 10);
    expect(summary.comparisons[0]!.p).toBeCloseTo(0.016706505976189202, 10);
    expect(cmp.rows[0]!.slice(4, 7).map((c) => c.text)).toEqual(["4.32", "3.5", "0.017"]);
    // 900 pJ apart with a spread of 1 pJ: t ≈ 1102, far below the display floor of p.
    expect(cmp.rows[1]![6]!.text).toBe("<0.001");
    // lsm never reached the criterion in one seed: censored, so no test (it would favour lsm's lucky seeds).
    expect(cmp.rows[2]![6]!.text).toBe("–");
    expect(cmp.rows[2]![7]!.text).toBe("–");
    // Holm over the two defined tests: the smaller p doubled, the larger kept (and never below the smaller's).
    const [p0, p1] = [summary.comparisons[0]!.p, summary.comparisons[1]!.p];
    const [h0, h1] = p0 <= p1 ? [2 * p0, Math.max(2 * p0, p1)] : [Math.max(2 * p1, p0), 2 * p1];
    expect(cmp.rows[0]![7]!.text).toBe(formatP(Math.min(1, h0)));
    expect(cmp.rows[1]![7]!.text).toBe(formatP(Math.min(1, h1)));
    expect(cmp.notes?.join(" ")).toMatch(/p \(Holm\): the 2 p-values of this table adjusted together/);
    expect(cmp.notes?.join(" ")).toMatch(/censored seeds \(reached by 3 of 3 and 2 of 3 seeds\)/);
  });
});

describe("report.md and report.html", () => {
  const doc = {
    name: "hand-made",
    description: "d",
    meta: "m",
    tableIntro: "Final figures.",
    table: headlineTable(summary),
    comparisons: { intro: "Pairs.", table: comparisonsTable(summary.comparisons)! },
    charts: [{ id: "learning-curve", title: "Test accuracy by epoch", caption: "What it shows.", svg: "<svg></svg>" }],
    scenario,
    packageVersion: "9.9.9",
    environment: summary.environment!,
  };

  it("report.md carries the summary table with the best value bold and marked, then the comparisons", () => {
    const md = renderMarkdown(doc);
    expect(md).toContain(
      "| learner | type | epochs | final test accuracy (%) ↑ | samples to 80% accuracy ↓ | energy / sample (pJ) ↓ |",
    );
    expect(md).toContain("| mlp | mlp | 2 | **92.00 ± 4.97 ★** | **50 ± 25 ★** | 1001 ± 2 |");
    expect(md).toContain("| lsm hidden=20 | lsm | 2 | 83.00 ± 7.45 | 120 ± 0 (2/3 seeds) | **101 ± 2 ★** |");
    expect(md).toMatch(/\*★ and bold mark the best mean in each column \(when learners differ\)/);
    expect(md.indexOf("| learner A | learner B |")).toBeGreaterThan(md.indexOf("| learner | type |"));
    expect(md).toContain(`- Node.js: ${process.version}`);
  });

  it("report.html opens with the summary, then comparisons, charts with captions, and reproducibility", () => {
    const html = renderHtml(doc);
    const at = (s: string) => {
      const i = html.indexOf(s);
      expect(i, s).toBeGreaterThan(0);
      return i;
    };
    expect(at('<h2 id="summary">Summary</h2>')).toBeLessThan(at('<h2 id="comparisons">Comparisons</h2>'));
    expect(at('<h2 id="comparisons">Comparisons</h2>')).toBeLessThan(at('<h2 id="charts">Charts</h2>'));
    expect(at('<h2 id="charts">Charts</h2>')).toBeLessThan(at('<h2 id="reproducibility">Reproducibility</h2>'));
    // A figure and its spread may break once, between the two, and nowhere else.
    expect(html).toContain(
      '<td class="best split"><b><span class="nw">92.00</span> <span class="nw">± 4.97 ★</span></b></td>',
    );
    expect(html).toContain("<b>Test accuracy by epoch.</b> What it shows.");
    expect(html).toContain(`<td class="text">${process.version}</td>`);
    expect(html).toContain("&quot;criterionAccuracy&quot;: 0.8");
  });
});

describe("writeData and writeReport", () => {
  it("write the data files, sweep columns included, and a report whose charts carry captions", async () => {
    const dir = mkdtempSync(join(tmpdir(), "neurocompare-report-"));
    const files = writeData(dir, data, summary);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      "metrics.csv",
      "summary.json",
      "weights.csv",
      "robustness.csv",
      "firing-rates.csv",
    ]);
    const parsed = csvToRows(readFileSync(join(dir, "metrics.csv"), "utf8"));
    expect("rows" in parsed && parsed.params.get("lsm hidden=20")).toEqual({ hidden: 20 });
    const written = await writeReport(dir, data, summary);
    for (const id of ["learning-curve", "accuracy-vs-energy", "lesion-curve", "firing-rate-distribution"]) {
      expect(existsSync(join(dir, "charts", `${id}.svg`)), id).toBe(true);
    }
    // No forgetting rows: that chart is skipped, not drawn empty.
    expect(existsSync(join(dir, "charts", "forgetting.svg"))).toBe(false);
    expect(written.files.some((f) => f.endsWith("report.md"))).toBe(true);
    const md = readFileSync(join(dir, "report.md"), "utf8");
    expect(md).toContain(
      "with 50% of synapses lesioned, each learner keeps this share of its undamaged accuracy: mlp 67",
    );
    expect(md).toContain("sweep lsm hidden ∈ {20}");
  });
});
