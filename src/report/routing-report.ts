/**
 * The files of a routing run: metrics.csv (tidy rows, the strategy in the
 * learner column and the interval in the epoch column, a column per swept
 * setting), summary.json, and the charts, report.html and report.md: a table
 * of the finished networks (mean ± 95% CI over seeds), the pairwise
 * comparisons with Holm-corrected p-values, and the routing charts.
 */
import { mkdirSync } from "node:fs";
import { outputPath } from "../core/paths.js";
import { rowsToCsv, type MetricRow } from "../runs/results.js";
import type { RoutingSummary } from "../runs/routing-results.js";
import type { LearnerInfo } from "../scenario/sweep.js";
import { intervalText, RANGE_NOTE } from "./bounds.js";
import { collectEnvironment } from "./environment.js";
import { formatP, formatSig } from "./format.js";
import { routingCharts, sweepPoint } from "./routing-charts.js";
import { BEST_MARK, holmNote, type HeadlineTable } from "./table.js";
import { writeCharts, writeFileAtomic, writeReportDoc, type WrittenReport } from "./write.js";

interface Column {
  metric: string;
  title: string;
  better: "higher" | "lower";
  scale: number;
  digits: number;
}

function columns(damageFractions: readonly number[]): Column[] {
  return [
    { metric: "meanPathLength", title: "mean path length (hops) ↓", better: "lower", scale: 1, digits: 3 },
    { metric: "routableFraction", title: "routable (%) ↑", better: "higher", scale: 100, digits: 1 },
    { metric: "alternativePaths", title: "short alternative paths ↑", better: "higher", scale: 1, digits: 3 },
    ...damageFractions.flatMap((f): Column[] => [
      {
        metric: `routableAfterEdgeLoss[${f}]`,
        title: `routable after ${formatSig(100 * f)}% edge loss (%) ↑`,
        better: "higher",
        scale: 100,
        digits: 1,
      },
      {
        metric: `routableAfterNodeLoss[${f}]`,
        title: `routable after ${formatSig(100 * f)}% node loss (%) ↑`,
        better: "higher",
        scale: 100,
        digits: 1,
      },
    ]),
    { metric: "edgeCount", title: "edges", better: "lower", scale: 1, digits: 0 },
  ];
}

/**
 * One row per strategy (and sweep point): final figures, mean ± 95% CI
 * half-width, or the mean and the seeds' range where the interval would leave
 * what the measure allows (a share of the test pairs past 100%); the best
 * mean per column marked.
 */
export function routingTable(summary: RoutingSummary): HeadlineTable {
  const cols = columns(summary.scenario.evaluation.damageFractions).filter((c) =>
    summary.strategies.some((s) => s.final[c.metric] !== undefined),
  );
  // With a sweep, each row says its settings in a column of its own, and the best is marked among the
  // strategies at the same settings: a shorter path on a larger edge budget is no win for a strategy.
  const swept = summary.strategies.some((s) => Object.keys(s.params).length > 0);
  const groupOf = (s: RoutingSummary["strategies"][number]) => JSON.stringify(Object.entries(s.params));
  const best = new Map<string, number>();
  for (const c of cols) {
    if (c.metric === "edgeCount") continue;
    for (const group of new Set(summary.strategies.map(groupOf))) {
      const means = summary.strategies
        .filter((s) => groupOf(s) === group)
        .map((s) => s.final[c.metric]?.mean)
        .filter((m): m is number => Number.isFinite(m));
      if (means.length > 1 && means.some((m) => m !== means[0]))
        best.set(`${group}\u0000${c.metric}`, c.better === "higher" ? Math.max(...means) : Math.min(...means));
    }
  }
  // The intervals get a column only where a sweep makes them differ; otherwise the line above the table says them.
  const intervals = new Set(summary.strategies.map((s) => s.epochs)).size > 1;
  let anyRange = false;
  const rows = summary.strategies.map((s) => [
    ...(swept ? [{ text: sweepPoint(s), best: false }] : []),
    { text: swept ? s.base : s.name, best: false },
    { text: s.type, best: false },
    ...(intervals ? [{ text: String(s.epochs), best: false }] : []),
    ...cols.map((c) => {
      const f = s.final[c.metric];
      const isBest = f !== undefined && best.get(`${groupOf(s)}\u0000${c.metric}`) === f.mean;
      const cell = intervalText(f, c.digits, c.metric, c.scale);
      anyRange ||= cell.range;
      return { text: isBest ? `${cell.text} ${BEST_MARK}` : cell.text, best: isBest };
    }),
  ]);
  return {
    headers: [
      ...(swept ? ["settings"] : []),
      "strategy",
      "type",
      ...(intervals ? ["intervals"] : []),
      ...cols.map((c) => c.title),
    ],
    rows,
    notes: [
      `${BEST_MARK} and bold mark the best mean in each column${swept ? " among the strategies at the same settings" : ""}. Mean path length: hops of the shortest path over the test pairs that have one (efficiency; lower is better). Short alternative paths: edge-disjoint paths at most ${summary.scenario.evaluation.alternativeSlackHops} hop(s) longer than the shortest, per test pair (robustness). Routable after loss: test pairs still with a path after removing that share of the edges or nodes at random, mean over ${summary.scenario.evaluation.damageTrials} trials.`,
      ...(anyRange ? [RANGE_NOTE] : []),
    ],
    textColumns: swept ? 3 : 2,
  };
}

/**
 * The pairwise comparisons (strategies at the same sweep point), with raw p
 * and, where more than one test is defined, the Holm-corrected p that
 * summary.json holds (every comparison of the run corrected together) and the
 * note every report's table of many p-values carries.
 */
export function routingComparisonsTable(summary: RoutingSummary): HeadlineTable | null {
  if (summary.comparisons.length === 0) return null;
  const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "–");
  const tested = summary.comparisons.filter((c) => Number.isFinite(c.p)).length;
  const holm = tested > 1;
  // With a sweep, the pair's settings (the same for both: only strategies at one point are compared) in a column.
  const byName = new Map(summary.strategies.map((s) => [s.name, s] as const));
  const swept = summary.strategies.some((s) => Object.keys(s.params).length > 0);
  const base = (name: string) => (swept ? (byName.get(name)?.base ?? name) : name);
  const settings = (name: string) => {
    const s = byName.get(name);
    return s === undefined ? "" : sweepPoint(s);
  };
  return {
    headers: [
      ...(swept ? ["settings"] : []),
      "strategy A",
      "strategy B",
      "measure",
      "mean A − B",
      "t",
      "df",
      "p",
      ...(holm ? ["p (Holm)"] : []),
      "Cohen's d",
    ],
    rows: summary.comparisons.map((c) =>
      [
        ...(swept ? [settings(c.a)] : []),
        base(c.a),
        base(c.b),
        c.metric,
        Number.isFinite(c.meanDiff) ? formatSig(c.meanDiff) : "–",
        f2(c.t),
        Number.isFinite(c.df) ? c.df.toFixed(1) : "–",
        formatP(c.p),
        ...(holm ? [formatP(c.pHolm)] : []),
        f2(c.cohenD),
      ].map((text) => ({ text, best: false })),
    ),
    notes: [
      "Welch's t-test (two-sided, unequal variances) on each seed's final value; Cohen's d is the mean difference over the pooled standard deviation. With few seeds p-values are rough.",
      ...(holm ? [holmNote(tested)] : []),
    ],
    textColumns: swept ? 4 : 3,
  };
}

/** Writes a routing run's data files, metrics.csv and summary.json, into `dir`; returns their paths. */
export function writeRoutingData(
  dir: string,
  rows: readonly MetricRow[],
  strategies: readonly LearnerInfo[],
  summary: RoutingSummary,
): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(outputPath(dir, "metrics.csv"), rowsToCsv(rows, strategies));
  writeFileAtomic(outputPath(dir, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  return [outputPath(dir, "metrics.csv"), outputPath(dir, "summary.json")];
}

/** Writes the charts and report.html / report.md of a routing run into `dir` (used by `run` and by `report`). */
export async function writeRoutingReport(
  dir: string,
  rows: readonly MetricRow[],
  strategies: readonly LearnerInfo[],
  summary: RoutingSummary,
  notices: readonly string[] = [],
): Promise<WrittenReport> {
  const files: string[] = [];
  const s = summary.scenario;
  const charts = await writeCharts(dir, routingCharts(rows, strategies, s.evaluation.damageFractions), files);
  const comparisons = routingComparisonsTable(summary);
  const sweep = s.sweep.map((w) => `${w.parameter} ∈ {${w.values.map((v) => JSON.stringify(v)).join(", ")}}`);
  const many = summary.seeds.length > 1;
  writeReportDoc(
    dir,
    {
      name: s.name,
      description: s.description,
      meta: [
        `Routing task: ${s.task.nodes} nodes, ${s.task.distribution.type} (sources ${formatSig(100 * s.task.distribution.sourceFraction)}%, targets ${formatSig(100 * s.task.distribution.targetFraction)}% of the nodes)`,
        `B = ${s.network.edgeBudget} edges, pruning from ${formatSig(100 * s.network.initialDensity)}% of the n(n-1) possible`,
        `${s.training.intervals} intervals × ${s.training.pairsPerInterval} training pairs, ${s.evaluation.testPairs} test pairs`,
        ...(sweep.length > 0 ? [`sweep ${sweep.join(", ")}`] : []),
        `seeds ${summary.seeds.join(", ")}`,
      ].join(" · "),
      tableIntro: `The finished networks on the test pairs${many ? ", mean ± 95% confidence half-width (Student's t) over seeds" : " (one seed)"}.`,
      table: routingTable(summary),
      comparisons:
        comparisons === null
          ? null
          : { intro: "Each pair of strategies at the same settings on each measure.", table: comparisons },
      charts,
      scenario: s,
      packageVersion: summary.packageVersion,
      environment: summary.environment ?? collectEnvironment(),
      notices,
    },
    files,
  );
  return { dir, files };
}
