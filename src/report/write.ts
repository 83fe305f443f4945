/**
 * Writes a run's files into its results folder: metrics.csv, summary.json,
 * weights.csv, robustness.csv and firing-rates.csv (when there are any),
 * charts/<id>.vl.json|.svg|.png, report.html and report.md. Each file is
 * written to a temporary name and renamed into place, so an interrupted write
 * never leaves a half-written file where a good one stood.
 */
import { writeFileAtomic } from "../core/files.js";
import { fileComponent, makeOutputDir, outputPath } from "../core/paths.js";
import type { ReceptiveFields } from "../learners/learner.js";
import type { LearnerInfo, MetricRow, RunResult, Summary, WeightHistogramRow } from "../runs/results.js";
import { firingRatesToCsv, histogramsToCsv, robustnessToCsv, rowsToCsv } from "../runs/results.js";
import { BANDS_NOTE } from "./bounds.js";
import { encodeGreyPng, tileImages } from "./png.js";
import { buildCharts, type ChartBuilder, type ChartDef } from "./charts.js";
import { collectEnvironment } from "./environment.js";
import { formatSig } from "./format.js";
import { renderHtml, type RenderedChart, type ReportDoc, type ReportImage } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { receptiveFieldId, reportFiles } from "./files.js";
import { makeInteractive } from "./interaction.js";
import { comparisonsTable, headlineTable } from "./table.js";
import { pruningCharts } from "./pruning-charts.js";
import { scheduleOrderingSection } from "./navlakha-order.js";

/** What a learning report is drawn from: a run result, or the same read back from its files by `report`. */
export interface ReportData {
  rows: readonly MetricRow[];
  learners: readonly LearnerInfo[];
  weightHistograms: readonly WeightHistogramRow[];
  robustness: RunResult["robustness"];
  firingRates: RunResult["firingRates"];
}

/**
 * Charts drawn for every learning report after the scenario's named charts;
 * each returns [] when its data is absent. The pruning charts
 * (src/report/pruning-charts.ts) are wired in here.
 */
export const EXTRA_CHART_BUILDERS: readonly ChartBuilder[] = [pruningCharts];

export { writeFileAtomic };

/** The folder a report was written to and every file written. */
export interface WrittenReport {
  dir: string;
  files: string[];
}

/**
 * Renders each chart to charts/<id>.vl.json, .svg and .png. The chart libraries
 * (vega, vega-lite, resvg: 0.2 s of CPU and 30 MB to load) are imported here, on
 * the first chart, so nothing else that imports this module pays for them.
 */
export async function writeCharts(dir: string, charts: readonly ChartDef[], files: string[]): Promise<RenderedChart[]> {
  makeOutputDir(outputPath(dir, "charts"));
  const rendered: RenderedChart[] = [];
  if (charts.length === 0) return rendered;
  const { renderSvg, svgToPng } = await import("./render.js");
  for (const def of charts) {
    // One spec for the file, the static SVG and PNG, and the live chart in report.html.
    const chart = { ...def, spec: makeInteractive(def.spec) };
    const svg = await renderSvg(chart.spec);
    const id = fileComponent(chart.id);
    const paths = [
      outputPath(dir, "charts", `${id}.vl.json`),
      outputPath(dir, "charts", `${id}.svg`),
      outputPath(dir, "charts", `${id}.png`),
    ] as const;
    writeFileAtomic(paths[0], `${JSON.stringify(chart.spec, null, 2)}\n`);
    writeFileAtomic(paths[1], svg);
    writeFileAtomic(paths[2], svgToPng(svg));
    files.push(...paths);
    rendered.push({ id: chart.id, title: chart.title, caption: chart.caption, svg, spec: chart.spec });
  }
  return rendered;
}

/**
 * Receptive fields as a grid image, written to charts/receptive-fields-<learner>.png
 * (the learner's name as a file-name component: see core/paths.ts).
 */
export function receptiveFieldImage(learner: string, fields: ReceptiveFields): ReportImage {
  const grid = tileImages(fields.data, fields.width, fields.height, fields.count);
  return {
    id: receptiveFieldId(learner),
    title: `Receptive fields of ${learner}`,
    caption: `The input weights of each of the ${fields.count} neurons after training (first seed), each drawn as a ${fields.width}×${fields.height} image scaled to its own range; dark is a strong weight.`,
    png: encodeGreyPng(grid.width, grid.height, grid.pixels),
  };
}

export { receptiveFieldId };

/**
 * report.html and report.md (or `<name>.html` and `<name>.md`) from a finished
 * document; its "Files" section lists the files beside it unless the document
 * names its own.
 */
export function writeReportDoc(dir: string, doc: ReportDoc, files: string[], name = "report"): void {
  if ((doc.images ?? []).length > 0) makeOutputDir(outputPath(dir, "charts"));
  for (const im of doc.images ?? []) {
    const path = outputPath(dir, "charts", `${fileComponent(im.id)}.png`);
    writeFileAtomic(path, im.png);
    files.push(path);
  }
  const full: ReportDoc = { ...doc, files: doc.files ?? reportFiles(dir, doc.charts, doc.images ?? []) };
  const html = outputPath(dir, `${fileComponent(name)}.html`);
  const md = outputPath(dir, `${fileComponent(name)}.md`);
  writeFileAtomic(html, renderHtml(full));
  writeFileAtomic(md, renderMarkdown(full));
  files.push(html, md);
}

/** Charts and reports of a learning scenario (used by `run` after the data files, and by `report`). */
export async function writeReport(
  dir: string,
  data: ReportData,
  summary: Summary,
  images: readonly ReportImage[] = [],
  extraCharts: readonly ChartBuilder[] = EXTRA_CHART_BUILDERS,
  notices: readonly string[] = [],
): Promise<WrittenReport> {
  const files: string[] = [];
  // Summary order is scenario order: the colour domain every chart shares.
  const learners = summary.learners.map((l) => l.name);
  // A diverged learner's figures are never charted (no point on a front, no curve read as a result).
  const diverged = new Set(summary.learners.filter((l) => (l.diverged?.length ?? 0) > 0).map((l) => l.name));
  const shownRows = diverged.size === 0 ? data.rows : data.rows.filter((r) => !diverged.has(r.learner));
  const ordering = scheduleOrderingSection(shownRows, learners);
  const chartDefs = buildCharts(
    {
      rows: shownRows,
      learners,
      histograms: data.weightHistograms,
      robustness: data.robustness,
      firingRates: data.firingRates,
    },
    summary.scenario.charts,
    extraCharts,
  );
  const charts = await writeCharts(dir, chartDefs, files);
  const s = summary.scenario;
  const sweep = s.sweep.map(
    (w) => `${w.learner} ${w.parameter} ∈ {${w.values.map((v) => JSON.stringify(v)).join(", ")}}`,
  );
  const phases = s.continual?.phases.map((p) => p.name);
  const comparisons = comparisonsTable(summary.comparisons);
  const many = summary.seeds.length > 1;
  writeReportDoc(
    dir,
    {
      name: s.name,
      description: s.description,
      meta: [
        `Task ${s.task.type}`,
        `${summary.learners.length} learner(s)`,
        ...(sweep.length > 0 ? [`sweep ${sweep.join(", ")}`] : []),
        ...(phases !== undefined ? [`phases ${phases.join(" → ")}`] : []),
        `${s.epochs} epoch(s)${phases !== undefined ? " per phase" : ""}`,
        `seeds ${summary.seeds.join(", ")}`,
        ...(s.evaluation.criterionAccuracy !== undefined
          ? [`criterion ${formatSig(100 * s.evaluation.criterionAccuracy)}% test accuracy`]
          : []),
      ].join(" · "),
      tableIntro: `Final figures${many ? ", mean ± 95% confidence half-width (Student's t) over seeds" : " (one seed)"}; the best value per column is marked ★.`,
      table: headlineTable(summary),
      comparisons:
        comparisons === null
          ? null
          : {
              intro: `Each pair of learners on each headline metric, from the ${summary.seeds.length} seed(s)' final values${many ? "" : " (one seed: no test is possible)"}.`,
              table: comparisons,
            },
      ...(ordering !== null ? { tables: [ordering] } : {}),
      charts,
      chartsNote: BANDS_NOTE,
      images,
      scenario: s,
      packageVersion: summary.packageVersion,
      environment: summary.environment ?? collectEnvironment(),
      notices,
    },
    files,
  );
  return { dir, files };
}

/** The data files of a finished run: metrics.csv, summary.json, weights.csv, and robustness.csv / firing-rates.csv when it has any. */
export function writeData(dir: string, data: ReportData, summary: Summary): string[] {
  makeOutputDir(dir);
  const out: [string, string][] = [
    ["metrics.csv", rowsToCsv(data.rows, data.learners)],
    ["summary.json", `${JSON.stringify(summary, null, 2)}\n`],
    ["weights.csv", histogramsToCsv(data.weightHistograms)],
  ];
  if (data.robustness.length > 0) out.push(["robustness.csv", robustnessToCsv(data.robustness)]);
  if (data.firingRates.length > 0) out.push(["firing-rates.csv", firingRatesToCsv(data.firingRates)]);
  for (const [name, text] of out) writeFileAtomic(outputPath(dir, name), text);
  return out.map(([name]) => outputPath(dir, name));
}
