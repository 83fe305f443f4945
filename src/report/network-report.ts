/** Charts, report.html and report.md of a network scenario. */
import type { Interval } from "../metrics/stats.js";
import { mkdirSync } from "node:fs";
import { outputPath } from "../core/paths.js";
import {
  networkRows,
  networkRowsToCsv,
  type NetworkSummary,
  spikesToCsv,
  stateToCsv,
  summarizeNetwork,
} from "../runs/network-results.js";
import type { NetworkRunResult, Recordings } from "../runs/run-network.js";
import { packageVersion } from "../version.js";
import { intervalText, RANGE_NOTE } from "./bounds.js";
import { collectEnvironment } from "./environment.js";
import { buildNetworkCharts } from "./network-charts.js";
import type { HeadlineTable } from "./table.js";
import { writeCharts, writeFileAtomic, writeReportDoc, type WrittenReport } from "./write.js";

/** An interval as text (see intervalText); `ranges` counts the cells that show the seeds' range. */
function fmt(iv: Interval | undefined, digits: number, metric: string, ranges?: { n: number }): string {
  const { text, range } = intervalText(iv, digits, metric);
  if (range && ranges) ranges.n++;
  return text;
}

export function networkTable(summary: NetworkSummary): HeadlineTable {
  const cell = (text: string) => ({ text, best: false });
  const ranges = { n: 0 };
  const rows = summary.groups.map((g) => [
    cell(g.group),
    cell(summary.scenario.groups.find((x) => x.name === g.group)?.model.type ?? ""),
    cell(String(g.size)),
    cell(fmt(g.final["spikes"], 0, "spikes", ranges)),
    cell(fmt(g.final["meanRateHz"], 2, "meanRateHz", ranges)),
    cell(fmt(g.final["meanIsiCv"], 2, "meanIsiCv", ranges)),
    cell(fmt(g.final["activeFraction"], 3, "activeFraction", ranges)),
  ]);
  return {
    headers: ["group", "model", "neurons", "spikes", "mean rate (Hz)", "ISI CV", "active fraction"],
    rows,
    ...(ranges.n > 0 ? { notes: [RANGE_NOTE] } : {}),
  };
}

/** Writes a network run's charts (charts/*.vl.json, .svg, .png), report.html and report.md into `dir`. */
export async function writeNetworkReport(
  dir: string,
  rec: Recordings,
  summary: NetworkSummary,
  notices: readonly string[] = [],
): Promise<WrittenReport> {
  const s = summary.scenario;
  const files: string[] = [];
  const charts = await writeCharts(dir, buildNetworkCharts(rec, s), files);
  const net = summary.network;
  const ranges = { n: 0 };
  const meta = `Network of ${s.groups.length} group(s), ${fmt(net["synapses"], 0, "synapses")} synapses · ${s.durationMs} ms at dt ${s.dtMs} ms, ${s.precision} state and arithmetic · seeds ${summary.seeds.join(", ")} · simulation ${fmt(net["simMs"], 0, "simMs", ranges)} ms, build ${fmt(net["buildMs"], 0, "buildMs", ranges)} ms${ranges.n > 0 ? " ([a, b]: the range over seeds)" : ""}`;
  writeReportDoc(
    dir,
    {
      name: s.name,
      description: s.description,
      meta,
      tableIntro: `Per group${summary.seeds.length > 1 ? ", mean ± 95% confidence half-width (Student's t) over seeds" : " (one seed)"}; charts show the first seed.`,
      table: networkTable(summary),
      charts,
      scenario: s,
      packageVersion: summary.packageVersion,
      notices,
      // The versions recorded with the run; a summary from before they were recorded gets today's.
      environment: summary.environment ?? collectEnvironment(),
    },
    files,
  );
  return { dir, files };
}

/**
 * A network run's files and report from code, as `neurocompare run` writes
 * them: metrics.csv, summary.json (with the versions), spikes.csv, state.csv,
 * then the charts, report.html and report.md. `version` is the package
 * version summary.json records (this package's by default). Returns every
 * path written.
 */
export async function writeNetworkRun(
  dir: string,
  result: NetworkRunResult,
  version: string = packageVersion,
): Promise<{ summary: NetworkSummary; files: string[] }> {
  mkdirSync(dir, { recursive: true });
  const summary = summarizeNetwork(result, version, collectEnvironment());
  const data: [string, string][] = [
    ["metrics.csv", networkRowsToCsv(networkRows(result))],
    ["summary.json", `${JSON.stringify(summary, null, 2)}\n`],
    ["spikes.csv", spikesToCsv(result.recordings)],
    ["state.csv", stateToCsv(result.recordings)],
  ];
  const files = data.map(([name, text]) => {
    const path = outputPath(dir, name);
    writeFileAtomic(path, text);
    return path;
  });
  const report = await writeNetworkReport(dir, result.recordings, summary);
  return { summary, files: [...files, ...report.files] };
}
