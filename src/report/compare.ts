/**
 * A comparison of runs (`neurocompare compare`): the same learners (or a
 * network's groups) across runs side by side, such as one scenario before
 * and after a change, or two scenarios sharing a task.
 *
 *   headline figures  per learner and run, mean ± 95% CI over seeds (the
 *                     seeds' range where the interval would leave what the
 *                     metric allows, as in every report);
 *   Welch tests       per learner present in two runs, per pair of runs and
 *                     headline metric, on each seed's final value, with
 *                     Hedges' g; the p-values of the table Holm-adjusted
 *                     together, and said so beside it;
 *   charts            learning curves of every run overlaid (colour: the
 *                     learner, dash: the run), and the final accuracy of
 *                     each learner in each run with its interval.
 *
 * Pure apart from `writeCompareReport`, which writes report.html, report.md,
 * comparisons.csv, compare.json and the charts through outputPath.
 */
import { mkdirSync } from "node:fs";
import { outputPath } from "../core/paths.js";
import { confidenceInterval, effectSize, holmAdjust, welchTTest } from "../metrics/stats.js";
import { DIVERGED_METRIC, divergedUnits, type Environment, type FinalFigure, type MetricRow } from "../runs/results.js";
import { BANDS_NOTE, clip, metricBounds, RANGE_NOTE } from "./bounds.js";
import { aggregateMetric, EPOCH_AXIS, learnerColor, type ChartDef, type VegaLiteSpec } from "./charts.js";
import { formatP, formatSig, joinWords } from "./format.js";
import type { ReportDoc } from "./html.js";
import { COLUMNS, formatFigure, holmNote, type Column, type HeadlineTable, type TableCell } from "./table.js";
import { writeCharts, writeFileAtomic, writeReportDoc, type WrittenReport } from "./write.js";

/** One run as the comparison sees it: tidy rows of final values (a network's groups stand in for learners). */
export interface ComparedRun {
  /** A short name for the run (its folder's name). */
  label: string;
  /** The run's own report relative to the comparison's folder, with `/` separators; null without one. */
  report: string | null;
  /** The run's folder as given on the command line. */
  dir: string;
  kind: "learning" | "network";
  scenario: string;
  task: string;
  seeds: readonly number[];
  /** Learners (or groups) in scenario order. */
  members: readonly string[];
  /** Learning runs: metric rows by epoch (diverged units left out: see withoutDiverged); network runs: one row per group, seed and metric at epoch 0. */
  rows: readonly MetricRow[];
  /** Units left out because they diverged, as "mlp seed 3 (epoch 4)". */
  diverged?: readonly string[];
  environment?: Environment;
}

/**
 * A run's rows without its diverged units (a learner's seed whose loss or
 * weights became non-finite), as the run's own report leaves them out of
 * every figure; and those units as "mlp seed 3 (epoch 4)".
 */
export function withoutDiverged(rows: readonly MetricRow[]): { rows: MetricRow[]; diverged: string[] } {
  const diverged = divergedUnits(rows);
  const skip = new Set([...diverged].flatMap(([learner, list]) => list.map((d) => `${learner}\u0000${d.seed}`)));
  return {
    rows: rows.filter((r) => r.metric !== DIVERGED_METRIC && !skip.has(`${r.learner}\u0000${r.seed}`)),
    diverged: [...diverged].flatMap(([learner, list]) =>
      list.map((d) => `${learner} seed ${d.seed} (epoch ${d.epoch})`),
    ),
  };
}

/** The figures a network comparison shows, per group. */
const NETWORK_COLUMNS: readonly Column[] = [
  {
    metric: "meanRateHz",
    title: "mean rate (Hz)",
    name: "mean rate",
    better: "higher",
    scale: 1,
    digits: 2,
    diffUnit: "Hz",
  },
  { metric: "meanIsiCv", title: "ISI CV", name: "ISI CV", better: "higher", scale: 1, digits: 2, diffUnit: "" },
  { metric: "spikes", title: "spikes", name: "spikes", better: "higher", scale: 1, digits: 0, diffUnit: "" },
  {
    metric: "activeFraction",
    title: "active fraction",
    name: "active fraction",
    better: "higher",
    scale: 1,
    digits: 3,
    diffUnit: "",
  },
];

/** Each seed's value of `metric` at the last epoch that recorded it (NaN kept: a seed that never reached a criterion). */
export function seedFinals(rows: readonly MetricRow[], member: string, metric: string): number[] {
  const last = new Map<number, MetricRow>();
  for (const r of rows) {
    if (r.learner !== member || r.metric !== metric) continue;
    const prev = last.get(r.seed);
    if (prev === undefined || r.epoch >= prev.epoch) last.set(r.seed, r);
  }
  return [...last.entries()].sort(([a], [b]) => a - b).map(([, r]) => r.value);
}

/** A column's per-seed values for one member of one run, with finalTestAccuracy falling back to testAccuracy. */
function columnValues(run: ComparedRun, member: string, c: Column): number[] {
  const v = seedFinals(run.rows, member, c.metric);
  return v.length > 0 || c.fallback === undefined ? v : seedFinals(run.rows, member, c.fallback);
}

function figureOf(values: readonly number[]): FinalFigure {
  return { ...confidenceInterval(values.filter(Number.isFinite)), seeds: values.length };
}

/** Members in order of first appearance over the runs (each run in scenario order). */
export function allMembers(runs: readonly ComparedRun[]): string[] {
  const out: string[] = [];
  for (const r of runs) for (const m of r.members) if (!out.includes(m)) out.push(m);
  return out;
}

/** The columns any member of any run has a value for. */
function columnsOf(runs: readonly ComparedRun[]): Column[] {
  const network = runs.every((r) => r.kind === "network");
  return (network ? NETWORK_COLUMNS : COLUMNS).filter((c) =>
    runs.some((r) => r.members.some((m) => columnValues(r, m, c).length > 0)),
  );
}

const cell = (text: string, href?: string): TableCell =>
  href === undefined ? { text, best: false } : { text, best: false, href };

export function runsTable(runs: readonly ComparedRun[]): HeadlineTable {
  return {
    headers: ["run", "scenario", "task", "seeds", "learners or groups"],
    rows: runs.map((r) => [
      cell(r.label, r.report ?? undefined),
      cell(r.scenario),
      cell(r.task),
      cell(r.seeds.join(", ")),
      cell(r.members.join(", ")),
    ]),
    textColumns: 5,
  };
}

/** Headline figures per member and run, members in order, each member's runs together. */
export function compareFiguresTable(runs: readonly ComparedRun[]): HeadlineTable {
  const cols = columnsOf(runs);
  const learning = runs.some((r) => r.kind === "learning");
  let anyRange = false;
  const rows: TableCell[][] = [];
  for (const m of allMembers(runs)) {
    for (const r of runs) {
      if (!r.members.includes(m)) continue;
      rows.push([
        cell(m),
        cell(r.label),
        ...cols.map((c) => {
          const values = columnValues(r, m, c);
          if (values.length === 0) return cell("–");
          const f = formatFigure(figureOf(values), c);
          anyRange ||= f.range;
          return cell(f.text);
        }),
      ]);
    }
  }
  const notes = [
    `Final figures over each run's seeds, mean ± 95% confidence half-width (Student's t); one seed gives the value alone.${learning ? " ↑ higher is better, ↓ lower is better." : ""}`,
  ];
  if (anyRange) notes.push(RANGE_NOTE);
  return {
    headers: [
      learning ? "learner" : "group",
      "run",
      ...cols.map((c) => (learning ? `${c.title} ${c.better === "higher" ? "↑" : "↓"}` : c.title)),
    ],
    rows,
    notes,
  };
}

export interface RunComparison {
  member: string;
  metric: string;
  a: string;
  b: string;
  meanDiff: number;
  t: number;
  df: number;
  p: number;
  pHolm: number;
  hedgesG: number;
  reason?: string;
}

/**
 * Every Welch test between runs: per member present in two runs, per pair
 * of runs (in the given order) and headline metric both have; p-values
 * Holm-adjusted over all the tests together. A metric with a censored seed
 * (samples to criterion never reached) is not tested, as within a run.
 */
export function compareRuns(runs: readonly ComparedRun[]): RunComparison[] {
  const cols = columnsOf(runs);
  const out: Omit<RunComparison, "pHolm">[] = [];
  for (const m of allMembers(runs)) {
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) {
        const [ra, rb] = [runs[i]!, runs[j]!];
        if (!ra.members.includes(m) || !rb.members.includes(m)) continue;
        for (const c of cols) {
          const a = columnValues(ra, m, c);
          const b = columnValues(rb, m, c);
          if (a.length === 0 || b.length === 0) continue;
          const fa = a.filter(Number.isFinite);
          const fb = b.filter(Number.isFinite);
          const welch = welchTTest(fa, fb);
          const g = effectSize(fa, fb).hedgesG;
          const censored = fa.length < a.length || fb.length < b.length;
          const reason = censored
            ? `not tested: censored seeds (reached by ${fa.length} of ${a.length} and ${fb.length} of ${b.length} seeds)`
            : welch.reason;
          out.push({
            member: m,
            metric: c.metric,
            a: ra.label,
            b: rb.label,
            meanDiff: welch.meanDiff,
            t: censored ? NaN : welch.t,
            df: censored ? NaN : welch.df,
            p: censored ? NaN : welch.p,
            hedgesG: censored ? NaN : g,
            ...(reason === undefined ? {} : { reason }),
          });
        }
      }
    }
  }
  const adjusted = holmAdjust(out.map((c) => c.p));
  return out.map((c, i) => ({ ...c, pHolm: adjusted[i]! }));
}

export function compareTestsTable(runs: readonly ComparedRun[], tests: readonly RunComparison[]): HeadlineTable | null {
  if (tests.length === 0) return null;
  const cols = columnsOf(runs);
  const learning = runs.some((r) => r.kind === "learning");
  const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "–");
  const tested = tests.filter((t) => Number.isFinite(t.p)).length;
  const reasons = [...new Set(tests.flatMap((t) => (t.reason === undefined ? [] : [t.reason])))];
  const notes = [
    "Welch's t-test (two-sided, unequal variances) between two runs on each seed's final value; Hedges' g is the mean difference over the pooled standard deviation, corrected for small samples (|g| ≈ 0.2 small, 0.5 medium, 0.8 large). With few seeds p-values are rough.",
    ...(tested > 1 ? [holmNote(tested)] : []),
    ...(reasons.length > 0 ? [`"–": the test is undefined here (${reasons.join("; ")}).`] : []),
  ];
  return {
    headers: [
      learning ? "learner" : "group",
      "metric",
      "run A",
      "run B",
      "mean A − B",
      "t",
      "df",
      "p",
      "p (Holm)",
      "Hedges' g",
    ],
    rows: tests.map((t) => {
      const c = cols.find((x) => x.metric === t.metric)!;
      const diff = Number.isFinite(t.meanDiff)
        ? `${t.meanDiff > 0 ? "+" : ""}${c.digits === undefined ? formatSig(t.meanDiff * c.scale) : (t.meanDiff * c.scale).toFixed(c.digits)}${c.diffUnit === "" ? "" : ` ${c.diffUnit}`}`
        : "–";
      return [
        t.member,
        c.name,
        t.a,
        t.b,
        diff,
        f2(t.t),
        Number.isFinite(t.df) ? t.df.toFixed(1) : "–",
        formatP(t.p),
        formatP(t.pHolm),
        f2(t.hedgesG),
      ].map((text) => cell(text));
    }),
    notes,
    textColumns: 4,
  };
}

/** comparisons.csv: every test, one row each, with raw and Holm-adjusted p. */
export function comparisonsToCsv(tests: readonly RunComparison[]): string {
  const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ["member,metric,runA,runB,meanDiff,t,df,p,pHolm,hedgesG"];
  for (const t of tests)
    lines.push(
      [q(t.member), t.metric, q(t.a), q(t.b), t.meanDiff, t.t, t.df, t.p, t.pHolm, t.hedgesG].map(String).join(","),
    );
  return `${lines.join("\n")}\n`;
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const CONFIG = { font: "DejaVu Sans, Helvetica, Arial, sans-serif", legend: { symbolOpacity: 1, labelLimit: 360 } };

/** A learning metric by epoch for every run, overlaid: colour the learner, dash and point shape the run. */
function overlaidCurve(
  runs: readonly ComparedRun[],
  metric: "testAccuracy" | "trainLoss",
  members: readonly string[],
): ChartDef | null {
  const percent = metric === "testAccuracy";
  const scale = percent ? 100 : 1;
  const bounds = metricBounds(metric);
  const data = runs.flatMap((r) =>
    aggregateMetric(r.rows, metric, scale).map((p) => ({
      ...p,
      run: r.label,
      lo: clip(p.lo, bounds, scale),
      hi: clip(p.hi, bounds, scale),
    })),
  );
  if (data.length === 0) return null;
  const labels = runs.map((r) => r.label);
  const color = learnerColor(members);
  const yTitle = percent ? "test accuracy (%)" : "training loss (cross-entropy, nats)";
  const x = { field: "epoch", type: "quantitative", title: "epoch", axis: EPOCH_AXIS };
  const run = { field: "run", type: "nominal", title: "run", scale: { domain: labels } };
  const manySeeds = data.some((p) => p.seeds > 1);
  const layers: unknown[] = [];
  if (manySeeds) {
    layers.push({
      mark: { type: "area", opacity: 0.12 },
      encoding: {
        x,
        y: { field: "lo", type: "quantitative", title: yTitle, scale: { zero: false } },
        y2: { field: "hi" },
        color,
        detail: { field: "run" },
      },
    });
  }
  layers.push({
    mark: { type: "line", point: true },
    encoding: {
      x,
      y: { field: "mean", type: "quantitative", title: yTitle, scale: { zero: false } },
      color,
      strokeDash: run,
      shape: run,
      tooltip: [
        { field: "learner" },
        { field: "run" },
        { field: "epoch" },
        { field: "mean", format: ".4~g" },
        { field: "lo", title: "95% CI low", format: ".4~g" },
        { field: "hi", title: "95% CI high", format: ".4~g" },
        { field: "seeds" },
      ],
    },
  });
  const title = percent ? "Test accuracy by epoch, runs overlaid" : "Training loss by epoch, runs overlaid";
  const last = members.flatMap((m) =>
    runs.flatMap((r) => {
      const p = data.filter((d) => d.learner === m && d.run === r.label).at(-1);
      return p === undefined ? [] : [`${m} in ${r.label} ${formatSig(p.mean, 3)}${percent ? "%" : ""}`];
    }),
  );
  return {
    id: percent ? "learning-curves" : "loss-curves",
    title,
    caption: `Each learner keeps its colour and each run its dash and point shape; the line is the mean over seeds${manySeeds ? " and the band its 95% confidence interval" : ""}; ${percent ? "higher" : "lower"} is better. At the last epoch: ${last.length <= 8 ? joinWords(last) : `${last.length} curves (hover for values)`}.`,
    spec: {
      $schema: SCHEMA,
      title,
      width: 480,
      height: 280,
      background: "white",
      config: CONFIG,
      data: { values: data },
      layer: layers,
    } satisfies VegaLiteSpec,
  };
}

/** Final test accuracy of each learner in each run, with its 95% interval (clipped to 0–100%). */
function finalAccuracyChart(runs: readonly ComparedRun[], members: readonly string[]): ChartDef | null {
  const column = COLUMNS[0]!;
  const data = runs.flatMap((r) =>
    r.members.flatMap((m) => {
      const v = columnValues(r, m, column).filter(Number.isFinite);
      if (v.length === 0) return [];
      const ci = confidenceInterval(v.map((x) => 100 * x));
      return [
        {
          learner: m,
          run: r.label,
          accuracy: ci.mean,
          lo: clip(ci.lo, metricBounds("finalTestAccuracy"), 100),
          hi: clip(ci.hi, metricBounds("finalTestAccuracy"), 100),
          seeds: v.length,
        },
      ];
    }),
  );
  if (data.length === 0) return null;
  const labels = runs.map((r) => r.label);
  const color = learnerColor(members);
  const x = { field: "run", type: "nominal", title: "run", sort: labels, axis: { labelAngle: 0, labelLimit: 160 } };
  const y = { field: "accuracy", type: "quantitative", title: "final test accuracy (%)", scale: { zero: false } };
  const offset = { field: "learner", type: "nominal", scale: { domain: [...members] } };
  const manySeeds = data.some((d) => d.seeds > 1);
  const layers: unknown[] = [];
  if (manySeeds)
    layers.push({
      mark: { type: "rule", strokeWidth: 2 },
      encoding: { x, xOffset: offset, y: { ...y, field: "lo" }, y2: { field: "hi" }, color },
    });
  layers.push({
    mark: { type: "point", filled: true, size: 80 },
    encoding: {
      x,
      xOffset: offset,
      y,
      color,
      tooltip: [
        { field: "learner" },
        { field: "run" },
        { field: "accuracy", title: "accuracy (%)", format: ".4~g" },
        { field: "lo", title: "95% CI low", format: ".4~g" },
        { field: "hi", title: "95% CI high", format: ".4~g" },
        { field: "seeds" },
      ],
    },
  });
  const title = "Final test accuracy by run";
  return {
    id: "final-accuracy-by-run",
    title,
    caption: `Each learner's final test accuracy in each run${manySeeds ? ", mean over seeds with its 95% confidence interval" : " (one seed)"}; higher is better. The Welch tests above say which differences between runs stand out from seed-to-seed noise.`,
    spec: {
      $schema: SCHEMA,
      title,
      width: { step: Math.max(40, 24 * members.length) },
      height: 260,
      background: "white",
      config: CONFIG,
      data: { values: data },
      layer: layers,
    },
  };
}

export function compareCharts(runs: readonly ComparedRun[]): ChartDef[] {
  const learning = runs.filter((r) => r.kind === "learning");
  if (learning.length === 0) return [];
  const members = allMembers(learning);
  return [
    finalAccuracyChart(learning, members),
    overlaidCurve(learning, "testAccuracy", members),
    overlaidCurve(learning, "trainLoss", members),
  ].filter((c): c is ChartDef => c !== null);
}

/** The whole comparison document (charts already rendered). */
export function compareDoc(
  runs: readonly ComparedRun[],
  tests: readonly RunComparison[],
  charts: ReportDoc["charts"],
  packageVersion: string,
): ReportDoc {
  const shared = allMembers(runs).filter((m) => runs.filter((r) => r.members.includes(m)).length > 1);
  const testsTable = compareTestsTable(runs, tests);
  const learning = runs.some((r) => r.kind === "learning");
  const noun = learning ? "learner" : "group";
  return {
    name: `Comparison: ${runs.map((r) => r.label).join(" vs ")}`,
    description: `${runs.length} runs side by side: ${runs.map((r) => `${r.label} (scenario ${r.scenario})`).join(", ")}.`,
    meta: `${shared.length > 0 ? `${noun}s in more than one run: ${shared.join(", ")}` : `no ${noun} appears in more than one run, so nothing is tested`} · tests between runs: ${tests.length}`,
    tableTitle: "Headline figures",
    tableIntro: `Each ${noun}'s final figures in each run, the runs of one ${noun} together.`,
    table: compareFiguresTable(runs),
    tables: [
      ...(testsTable === null
        ? []
        : [
            {
              id: "tests",
              title: "Welch tests between runs",
              intro:
                `Per ${noun} present in two runs, per pair of runs and headline metric: run A minus run B. ${tests.filter((t) => Number.isFinite(t.p)).length > 1 ? "The p (Holm) column corrects for the many tests shown at once." : ""}`.trim(),
              table: testsTable,
            },
          ]),
      {
        id: "runs",
        title: "Runs",
        intro: "The runs compared, each linked to its own report.",
        table: runsTable(runs),
      },
    ],
    charts,
    chartsNote: BANDS_NOTE,
    notices: runs.flatMap((r) =>
      (r.diverged ?? []).length > 0
        ? [`${r.label}: diverged, left out of every figure and test: ${(r.diverged ?? []).join(", ")}.`]
        : [],
    ),
    packageVersion,
    ...(runs[0]?.environment === undefined ? {} : { environment: runs[0].environment }),
    rerun:
      "Rebuild this comparison with `neurocompare compare` on the same run folders; each run's own report says how to rerun it. Versions below are those the first run recorded.",
  };
}

/** Writes the comparison into `out`: charts, report.html, report.md, comparisons.csv and compare.json. */
export async function writeCompareReport(
  out: string,
  runs: readonly ComparedRun[],
  packageVersion: string,
): Promise<WrittenReport> {
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  const tests = compareRuns(runs);
  const csv = outputPath(out, "comparisons.csv");
  writeFileAtomic(csv, comparisonsToCsv(tests));
  const manifest = outputPath(out, "compare.json");
  writeFileAtomic(
    manifest,
    `${JSON.stringify({ kind: "comparison", packageVersion, runs: runs.map((r) => ({ label: r.label, dir: r.dir, scenario: r.scenario })) }, null, 2)}\n`,
  );
  files.push(csv, manifest);
  const charts = await writeCharts(out, compareCharts(runs), files);
  writeReportDoc(out, compareDoc(runs, tests, charts, packageVersion), files);
  return { dir: out, files };
}
