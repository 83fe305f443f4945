// Chart specs from hand-made data: every chart colours learners with the one
// shared scale, charts without data are skipped, captions state what the data
// say, and every spec compiles and renders through vega-lite and vega.
import { describe, expect, it } from "vitest";
import { buildCharts, forgettingChart, learnerPalette, type ChartData, type ChartDef } from "../src/report/charts.js";
import { renderSvg } from "../src/report/render.js";
import type { MetricRow, RobustnessRow } from "../src/runs/results.js";
import { chartNames } from "../src/scenario/schema.js";

const learners = ["mlp", "stdp", "lsm"];

function makeData(): ChartData {
  const rows: MetricRow[] = [];
  const robustness: RobustnessRow[] = [];
  for (const seed of [0, 1, 2]) {
    for (let epoch = 1; epoch <= 3; epoch++) {
      const jitter = 0.01 * seed;
      rows.push(
        { learner: "mlp", seed, epoch, metric: "testAccuracy", value: 0.6 + 0.1 * epoch + jitter },
        { learner: "stdp", seed, epoch, metric: "testAccuracy", value: 0.5 + 0.1 * epoch + jitter },
        { learner: "lsm", seed, epoch, metric: "testAccuracy", value: 0.4 + 0.1 * epoch + jitter },
        { learner: "mlp", seed, epoch, metric: "trainLoss", value: 1 / epoch + jitter },
        { learner: "stdp", seed, epoch, metric: "spikesPerSample", value: 30 - epoch + seed },
        { learner: "stdp", seed, epoch, metric: "synapseCount", value: 1000 - 200 * epoch + seed },
        { learner: "stdp", seed, epoch, metric: "connectionDensity", value: 1 - 0.2 * epoch },
        { learner: "mlp", seed, epoch, metric: "weightChange", value: 0.1 / epoch },
      );
    }
    // Final-epoch figures: mlp accurate and costly, stdp cheap and less accurate, lsm dominated by stdp.
    rows.push(
      { learner: "mlp", seed, epoch: 3, metric: "finalTestAccuracy", value: 0.9 + 0.01 * seed },
      { learner: "stdp", seed, epoch: 3, metric: "finalTestAccuracy", value: 0.8 + 0.01 * seed },
      { learner: "lsm", seed, epoch: 3, metric: "finalTestAccuracy", value: 0.7 + 0.01 * seed },
      { learner: "mlp", seed, epoch: 3, metric: "energyPj", value: 5000 + 100 * seed },
      { learner: "stdp", seed, epoch: 3, metric: "energyPj", value: 300 + 10 * seed },
      { learner: "lsm", seed, epoch: 3, metric: "energyPj", value: 900 + 10 * seed },
    );
    // Lesions: stdp keeps 90% of its undamaged accuracy at 50% lesioned, mlp 62%.
    robustness.push(
      { learner: "stdp", seed, kind: "lesion", level: 0, accuracy: 0.8 },
      { learner: "stdp", seed, kind: "lesion", level: 0.5, accuracy: 0.72 },
      { learner: "mlp", seed, kind: "lesion", level: 0, accuracy: 0.9 },
      { learner: "mlp", seed, kind: "lesion", level: 0.5, accuracy: 0.558 },
      { learner: "mlp", seed, kind: "noise", level: 0, accuracy: 0.9 - 0.01 * seed },
      { learner: "mlp", seed, kind: "noise", level: 0.3, accuracy: 0.7 - 0.01 * seed },
    );
  }
  return {
    rows,
    learners,
    robustness,
    histograms: [{ learner: "mlp", epoch: 1, lo: -1, hi: 1, count: 10 }],
    firingRates: [
      { learner: "stdp", rateHz: Float32Array.from([0, 0, 5, 10, 20]) },
      { learner: "lsm", rateHz: Float32Array.from([1, 2, 3]) },
    ],
  };
}

/** Every color encoding in a spec, however deeply layered or faceted. */
function colorEncodings(spec: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(spec)) for (const s of spec) colorEncodings(s, out);
  else if (typeof spec === "object" && spec !== null) {
    for (const [k, v] of Object.entries(spec)) {
      if (k === "color" && typeof v === "object" && v !== null && "field" in v) out.push(v as Record<string, unknown>);
      else colorEncodings(v, out);
    }
  }
  return out;
}

const byId = (defs: ChartDef[], id: string) => {
  const d = defs.find((c) => c.id === id);
  if (d === undefined) throw new Error(`no chart ${id} among ${defs.map((c) => c.id).join(", ")}`);
  return d;
};

describe("chart builders", () => {
  const defs = buildCharts(makeData(), chartNames);

  it("skips charts without data and keeps the scenario's order", () => {
    // No forgetting rows and no silence rows: those two are left out, the rest drawn in order.
    expect(defs.map((d) => d.id)).toEqual(
      chartNames.filter((n) => n !== "forgetting" && n !== "silence-curve" && n !== "train-accuracy"),
    );
    expect(buildCharts({ rows: [], learners }, chartNames)).toEqual([]);
  });

  it("colours every learner the same in every chart: one domain (scenario order), one palette", () => {
    let learnerScales = 0;
    for (const d of defs) {
      for (const c of colorEncodings(d.spec)) {
        if (c["field"] !== "learner") continue;
        learnerScales++;
        expect(c["scale"], d.id).toEqual({ domain: learners, range: learnerPalette.slice(0, 3) });
      }
    }
    // Every chart but the weight histogram (shaded by fraction) has a learner colour.
    for (const d of defs.filter((x) => x.id !== "weight-histogram")) {
      expect(
        colorEncodings(d.spec).some((c) => c["field"] === "learner"),
        d.id,
      ).toBe(true);
    }
    expect(learnerScales).toBeGreaterThan(defs.length);
  });

  it("gives every chart a one-sentence caption derived from the data", () => {
    for (const d of defs) {
      expect(d.caption.length, d.id).toBeGreaterThan(20);
      expect(d.caption.trim().endsWith("."), d.id).toBe(true);
      // One sentence: no full stop before the end except inside numbers.
      expect(d.caption.slice(0, -1).replace(/\d\.\d/g, ""), d.id).not.toMatch(/\. /);
    }
    expect(byId(defs, "lesion-curve").caption).toContain(
      "with 50% of synapses lesioned, each learner keeps this share of its undamaged accuracy: mlp 62% and stdp 90%",
    );
    expect(byId(defs, "learning-curve").caption).toContain(
      "; higher is better, and at the last epoch mlp 91%, stdp 81% and lsm 71%.",
    );
    expect(byId(defs, "synapse-count").caption).toContain("stdp 401 (50.1% of epoch 1)");
    expect(byId(defs, "firing-rate-distribution").caption).toContain("stdp median 5 Hz with 40% of neurons silent");
  });

  it("puts accuracy against energy on a log axis, with CI bars on both axes and the Pareto front", () => {
    const chart = byId(defs, "accuracy-vs-energy");
    const data = (
      chart.spec["data"] as { values: { learner: string; pareto: boolean; energyLo: number; energyHi: number }[] }
    ).values;
    expect(data.map((p) => [p.learner, p.pareto])).toEqual([
      ["mlp", true],
      ["stdp", true],
      ["lsm", false],
    ]);
    for (const p of data) expect(p.energyLo).toBeLessThan(p.energyHi);
    const text = JSON.stringify(chart.spec);
    expect(text).toContain('"title":"energy per sample (pJ, log scale)","scale":{"type":"log"},"axis":{"format":"~s"');
    expect(text).toContain('"field":"energyLo"');
    expect(text).toContain('"field":"accuracyLo"');
    expect(chart.caption).toContain(
      "on the Pareto front: stdp (81% at 310 pJ) and mlp (91% at 5.1e3 pJ)".replace("5.1e3", "5100"),
    );
  });

  it("plots accuracy against connections remaining in percent", () => {
    const chart = byId(defs, "accuracy-vs-connections");
    const data = (chart.spec["data"] as { values: { learner: string; connections: number }[] }).values;
    expect(data.map((p) => p.learner)).toEqual(["stdp", "stdp", "stdp"]);
    expect(data.map((p) => p.connections)).toEqual([80, 60, 40].map((x) => expect.closeTo(x, 9)));
    expect(JSON.stringify(chart.spec)).toContain("connections remaining (%)");
  });

  it("leaves out accuracy against connections when no learner's connections change", () => {
    const flat = makeData().rows.map((r) => (r.metric === "connectionDensity" ? { ...r, value: 1 } : r));
    expect(
      buildCharts({ rows: flat, learners }, ["accuracy-vs-connections", "learning-curve"]).map((d) => d.id),
    ).toEqual(["learning-curve"]);
  });

  it("draws forgetting as bars with CI error bars, least and most named", () => {
    const rows: MetricRow[] = [0, 1, 2].flatMap((seed) => [
      { learner: "mlp", seed, epoch: 4, metric: "forgetting", value: 0.6 + 0.01 * seed },
      { learner: "stdp", seed, epoch: 4, metric: "forgetting", value: 0.1 + 0.01 * seed },
    ]);
    const chart = forgettingChart(rows, learners)!;
    expect(chart.caption).toContain("least forgetting stdp (11 pp), most mlp (61 pp)");
    expect(JSON.stringify(chart.spec)).toContain('"type":"errorbar"');
    expect(colorEncodings(chart.spec)[0]!["scale"]).toEqual({ domain: learners, range: learnerPalette.slice(0, 3) });
    // Two seeds at 0.5 and 1.0: the 95% interval 75 ± 318 pp is drawn clipped to what a difference of accuracies can be.
    const wide = forgettingChart(
      [0.5, 1].map((value, seed) => ({ learner: "mlp", seed, epoch: 4, metric: "forgetting", value })),
      learners,
    )!;
    const bar = (wide.spec["data"] as { values: { lo: number; hi: number }[] }).values[0]!;
    expect([bar.lo, bar.hi]).toEqual([-100, 100]);
    expect(
      forgettingChart(
        rows.filter((r) => r.learner === "none"),
        learners,
      ),
    ).toBeNull();
  });

  it("renders every spec to SVG", async () => {
    for (const d of defs) {
      const svg = await renderSvg(d.spec);
      expect(svg, d.id).toContain("<svg");
    }
  });

  it("appends extra builders' charts (pruning-charts.ts) after the named ones", () => {
    const extra = (rows: MetricRow[], names: string[]): ChartDef[] => [
      { id: "extra", title: "Extra", caption: `${rows.length} rows, ${names.join("+")}.`, spec: {} },
    ];
    const withExtra = buildCharts(makeData(), ["learning-curve"], [extra]);
    expect(withExtra.map((d) => d.id)).toEqual(["learning-curve", "extra"]);
    expect(withExtra[1]!.caption).toContain("mlp+stdp+lsm");
  });
});
