/**
 * Writes a run's files into its results folder: metrics.csv, summary.json,
 * charts/<id>.vl.json|.svg|.png, report.html and report.md. Each file is
 * written to a temporary name and renamed into place, so an interrupted write
 * never leaves a half-written file where a good one stood.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReceptiveFields } from "../learners/learner.js";
import type { MetricRow, Summary, WeightHistogramRow } from "../scenario/results.js";
import { histogramsToCsv, rowsToCsv } from "../scenario/results.js";
import { encodeGreyPng, tileImages } from "./png.js";
import { buildCharts, type ChartDef } from "./charts.js";
import { renderHtml, type RenderedChart, type ReportDoc, type ReportImage } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { renderSvg, svgToPng } from "./render.js";
import { headlineTable } from "./table.js";

export function writeFileAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export interface WrittenReport {
  dir: string;
  files: string[];
}

/** Renders each chart to charts/<id>.vl.json, .svg and .png. */
export async function writeCharts(dir: string, charts: readonly ChartDef[], files: string[]): Promise<RenderedChart[]> {
  const chartDir = join(dir, "charts");
  mkdirSync(chartDir, { recursive: true });
  const rendered: RenderedChart[] = [];
  for (const chart of charts) {
    const svg = await renderSvg(chart.spec);
    const base = join(chartDir, chart.id);
    writeFileAtomic(`${base}.vl.json`, JSON.stringify(chart.spec, null, 2) + "\n");
    writeFileAtomic(`${base}.svg`, svg);
    writeFileAtomic(`${base}.png`, svgToPng(svg));
    files.push(`${base}.vl.json`, `${base}.svg`, `${base}.png`);
    rendered.push({ id: chart.id, title: chart.title, caption: chart.caption, svg });
  }
  return rendered;
}

/** Receptive fields as a grid image, written to charts/receptive-fields-<learner>.png. */
export function receptiveFieldImage(learner: string, fields: ReceptiveFields): ReportImage {
  const grid = tileImages(fields.data, fields.width, fields.height, fields.count);
  return {
    id: `receptive-fields-${learner}`,
    title: `Receptive fields of ${learner}`,
    caption: `The input weights of each of the ${fields.count} neurons after training (first seed), each drawn as a ${fields.width}×${fields.height} image scaled to its own range; dark is a strong weight.`,
    png: encodeGreyPng(grid.width, grid.height, grid.pixels),
  };
}

/** report.html and report.md from a finished document. */
export function writeReportDoc(dir: string, doc: ReportDoc, files: string[]): void {
  mkdirSync(join(dir, "charts"), { recursive: true });
  for (const im of doc.images ?? []) {
    const path = join(dir, "charts", `${im.id}.png`);
    writeFileAtomic(path, im.png);
    files.push(path);
  }
  writeFileAtomic(join(dir, "report.html"), renderHtml(doc));
  writeFileAtomic(join(dir, "report.md"), renderMarkdown(doc));
  files.push(join(dir, "report.html"), join(dir, "report.md"));
}

/** Charts and reports of a learning scenario (used by `run` after the data files, and by `report`). */
export async function writeReport(dir: string, rows: readonly MetricRow[], summary: Summary,
  histograms: readonly WeightHistogramRow[] = [], images: readonly ReportImage[] = []): Promise<WrittenReport> {
  const files: string[] = [];
  const learners = summary.learners.map((l) => l.name);
  const charts = await writeCharts(dir, buildCharts(rows, learners, summary.scenario.charts, histograms), files);
  const s = summary.scenario;
  writeReportDoc(dir, {
    name: s.name,
    description: s.description,
    meta: `Task ${s.task.type} · ${s.learners.length} learner(s) · ${s.epochs} epoch(s) · seeds ${summary.seeds.join(", ")}`,
    tableIntro: `Final-epoch figures${summary.seeds.length > 1 ? ", mean ± 95% confidence half-width (Student's t) over seeds" : " (one seed)"}; the best value per column is marked.`,
    table: headlineTable(summary),
    charts,
    images,
    scenario: s,
    packageVersion: summary.packageVersion,
  }, files);
  return { dir, files };
}

/** The data files of a finished run: metrics.csv, summary.json and weights.csv (weight histograms). */
export function writeData(dir: string, rows: readonly MetricRow[], summary: Summary, histograms: readonly WeightHistogramRow[] = []): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, "metrics.csv"), rowsToCsv(rows));
  writeFileAtomic(join(dir, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  writeFileAtomic(join(dir, "weights.csv"), histogramsToCsv(histograms));
  return [join(dir, "metrics.csv"), join(dir, "summary.json"), join(dir, "weights.csv")];
}
