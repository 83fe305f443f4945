/** Charts, report.html and report.md of a network scenario. */
import type { Interval } from "../metrics/stats.js";
import type { NetworkSummary } from "../runs/network-results.js";
import type { Recordings } from "../runs/run-network.js";
import { intervalText, RANGE_NOTE } from "./bounds.js";
import { collectEnvironment } from "./environment.js";
import { buildNetworkCharts } from "./network-charts.js";
import type { HeadlineTable } from "./table.js";
import { writeCharts, writeReportDoc, type WrittenReport } from "./write.js";

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
