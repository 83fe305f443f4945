/**
 * Writes a run's files into its results folder: metrics.csv, summary.json,
 * charts/<id>.vl.json|.svg|.png, report.html and report.md. Each file is
 * written to a temporary name and renamed into place, so an interrupted write
 * never leaves a half-written file where a good one stood.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MetricRow, Summary } from "../scenario/results.js";
import { rowsToCsv } from "../scenario/results.js";
import { buildCharts, type ChartDef } from "./charts.js";
import { renderHtml, type RenderedChart, type ReportDoc } from "./html.js";
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

/** report.html and report.md from a finished document. */
export function writeReportDoc(dir: string, doc: ReportDoc, files: string[]): void {
  writeFileAtomic(join(dir, "report.html"), renderHtml(doc));
  writeFileAtomic(join(dir, "report.md"), renderMarkdown(doc));
  files.push(join(dir, "report.html"), join(dir, "report.md"));
}

/** Charts and reports of a learning scenario (used by `run` after the data files, and by `report`). */
export async function writeReport(dir: string, rows: readonly MetricRow[], summary: Summary): Promise<WrittenReport> {
  const files: string[] = [];
  const learners = summary.learners.map((l) => l.name);
  const charts = await writeCharts(dir, buildCharts(rows, learners, summary.scenario.charts), files);
  const s = summary.scenario;
  writeReportDoc(dir, {
    name: s.name,
    description: s.description,
    meta: `Task ${s.task.type} · ${s.learners.length} learner(s) · ${s.epochs} epoch(s) · seeds ${summary.seeds.join(", ")}`,
    tableIntro: `Final-epoch figures${summary.seeds.length > 1 ? ", mean ± 95% confidence half-width (Student's t) over seeds" : " (one seed)"}; the best value per column is marked.`,
    table: headlineTable(summary),
    charts,
    scenario: s,
    packageVersion: summary.packageVersion,
  }, files);
  return { dir, files };
}

/** The data files of a finished run: metrics.csv and summary.json. */
export function writeData(dir: string, rows: readonly MetricRow[], summary: Summary): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, "metrics.csv"), rowsToCsv(rows));
  writeFileAtomic(join(dir, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  return [join(dir, "metrics.csv"), join(dir, "summary.json")];
}
