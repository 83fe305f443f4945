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
import { buildCharts } from "./charts.js";
import { renderHtml, type RenderedChart } from "./html.js";
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

/** Charts and reports only (used by `run` after the data files, and by `report`). */
export async function writeReport(dir: string, rows: readonly MetricRow[], summary: Summary): Promise<WrittenReport> {
  const files: string[] = [];
  const chartDir = join(dir, "charts");
  mkdirSync(chartDir, { recursive: true });
  const learners = summary.learners.map((l) => l.name);
  const rendered: RenderedChart[] = [];
  for (const chart of buildCharts(rows, learners, summary.scenario.charts)) {
    const svg = await renderSvg(chart.spec);
    const base = join(chartDir, chart.id);
    writeFileAtomic(`${base}.vl.json`, JSON.stringify(chart.spec, null, 2) + "\n");
    writeFileAtomic(`${base}.svg`, svg);
    writeFileAtomic(`${base}.png`, svgToPng(svg));
    files.push(`${base}.vl.json`, `${base}.svg`, `${base}.png`);
    rendered.push({ id: chart.id, title: chart.title, caption: chart.caption, svg });
  }
  const table = headlineTable(summary);
  writeFileAtomic(join(dir, "report.html"), renderHtml(summary, table, rendered));
  writeFileAtomic(join(dir, "report.md"), renderMarkdown(summary, table, rendered));
  files.push(join(dir, "report.html"), join(dir, "report.md"));
  return { dir, files };
}

/** The data files of a finished run: metrics.csv and summary.json. */
export function writeData(dir: string, rows: readonly MetricRow[], summary: Summary): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, "metrics.csv"), rowsToCsv(rows));
  writeFileAtomic(join(dir, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  return [join(dir, "metrics.csv"), join(dir, "summary.json")];
}
